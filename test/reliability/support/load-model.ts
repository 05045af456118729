/**
 * The load's events and its bookkeeping. Every event has its own id and its own `seq` inside its
 * workflow's payload, so each WorkflowExecutionSignaled event in a history maps back to exactly one
 * sent event: that is how "acknowledged ⇒ recorded exactly once" is counted, not inferred.
 */
import { SIGNALS, WORKFLOW_TYPES } from '../../../contract';

export const LOAD_ID_PREFIX = 'load-';
export type Channel = 'http' | 'sqs';

/** The load's workflows continue-as-new this often, so duplicates land in later runs. */
export const LOAD_CONTINUE_AS_NEW_EVERY = 3;

/**
 * A target of its own for the load: the staged workflow, with an argument schema that also carries
 * the event's sequence number (the staged workflow reads `stage` and ignores the rest),
 * start-if-missing so the first event of each workflow starts it, and started to continue-as-new
 * every few events.
 */
export function loadTarget(taskQueue: string) {
  return {
    name: 'load',
    workflowIdPattern: `^${LOAD_ID_PREFIX}[A-Za-z0-9-]{1,100}$`,
    workflowType: WORKFLOW_TYPES.staged,
    taskQueue,
    signals: {
      [SIGNALS.advanceStage]: {
        schema: {
          type: 'object',
          properties: {
            stage: { type: 'integer', minimum: 0, maximum: 3 },
            seq: { type: 'integer', minimum: 0 },
          },
          required: ['stage', 'seq'],
          additionalProperties: false,
        },
      },
    },
    queries: ['progress'],
    startIfMissing: true,
    startArgs: [{ continueAsNewEvery: LOAD_CONTINUE_AS_NEW_EVERY }],
  };
}

export interface LoadEvent {
  /** The event id: Idempotency-Key on HTTP, `eventId` in an SQS body. */
  readonly id: string;
  readonly workflowId: string;
  readonly seq: number;
  readonly stage: number;
  readonly channel: Channel;
  /** When the first 2xx / SendMessage success came, in ms since the load started. */
  ackedAt?: number;
  /** How the first acknowledgement said it was taken. */
  ackedAs?: 'delivered' | 'queued' | 'sqs';
  /** Deliveries attempted, including retries and deliberate duplicates. */
  attempts: number;
  /** HTTP requests the gateway answered for this event (any status). */
  posts: number;
}

export function signalBody(event: Pick<LoadEvent, 'stage' | 'seq'>) {
  return { stage: event.stage, seq: event.seq };
}

/** The SQS message for an event (also what a dead-lettered copy of it holds). */
export function sqsMessageBody(event: LoadEvent): string {
  return JSON.stringify({
    workflowId: event.workflowId,
    signal: SIGNALS.advanceStage,
    payload: signalBody(event),
    eventId: event.id,
  });
}

/**
 * `workflows × perWorkflow` events; even sequence numbers go over HTTP, odd ones over SQS, so every
 * workflow hears from both. The last event of each workflow raises it to stage 2 during the load,
 * so the long step (15-minute start-to-close timeout) runs while the worker may be SIGKILLed: it
 * heartbeats, so a killed attempt is retried after its 30 s heartbeat timeout. Stage 3 comes once,
 * after the faults.
 */
export function loadEvents(runTag: string, workflows: number, perWorkflow: number): LoadEvent[] {
  const events: LoadEvent[] = [];
  // Sequence-major: every workflow gets its first event early and the rest spread over the run.
  for (let seq = 0; seq < perWorkflow; seq++) {
    for (let w = 0; w < workflows; w++) {
      const workflowId = `${LOAD_ID_PREFIX}${runTag}-${w}`;
      events.push({
        id: `${workflowId}.${seq}`,
        workflowId,
        seq,
        stage: seq < perWorkflow / 2 ? 0 : seq < perWorkflow - 1 ? 1 : 2,
        channel: seq % 2 === 0 ? 'http' : 'sqs',
        attempts: 0,
        posts: 0,
      });
    }
  }
  return events;
}

export function finalEvents(runTag: string, workflows: number, perWorkflow: number): LoadEvent[] {
  return Array.from({ length: workflows }, (_, w) => {
    const workflowId = `${LOAD_ID_PREFIX}${runTag}-${w}`;
    return {
      id: `${workflowId}.final`,
      workflowId,
      seq: perWorkflow,
      stage: 3,
      channel: 'http' as const,
      attempts: 0,
      posts: 0,
    };
  });
}

/** Poison messages for every tenth SQS batch, one kind after another; `marker` finds them in the DLQ. */
export const POISON_KINDS = [
  { kind: 'broken JSON', errorType: 'invalid-json', body: (marker: string) => `{"workflowId":"${marker}",` },
  {
    kind: 'wrong payload type',
    errorType: 'invalid-request',
    body: (marker: string) =>
      JSON.stringify({
        workflowId: `${LOAD_ID_PREFIX}${marker}`,
        signal: SIGNALS.advanceStage,
        payload: { stage: 'one', seq: 0 },
      }),
  },
  {
    kind: 'undeclared target',
    errorType: 'target-not-declared',
    body: (marker: string) =>
      JSON.stringify({
        workflowId: `payments-${marker}`,
        signal: SIGNALS.advanceStage,
        payload: { stage: 1, seq: 0 },
      }),
  },
  {
    kind: 'undeclared signal',
    errorType: 'operation-not-allowed',
    body: (marker: string) =>
      JSON.stringify({
        workflowId: `${LOAD_ID_PREFIX}${marker}`,
        signal: 'terminate',
        payload: { stage: 1, seq: 0 },
      }),
  },
  {
    kind: 'not a signal message',
    errorType: 'invalid-request',
    body: (marker: string) => JSON.stringify({ poison: marker }),
  },
] as const;

export interface PoisonMessage {
  marker: string;
  kind: string;
  errorType: string;
  body: string;
}

export type SqsBatchEntry =
  { event: LoadEvent; poison?: undefined } | { event?: undefined; poison: PoisonMessage };

/** SendMessageBatch batches of ten; every tenth carries one poison message instead of an event. */
export function sqsBatches(events: readonly LoadEvent[], runTag: string): SqsBatchEntry[][] {
  const batches: SqsBatchEntry[][] = [];
  let next = 0;
  while (next < events.length) {
    const poisoned = (batches.length + 1) % 10 === 0;
    const take = poisoned ? 9 : 10;
    const batch: SqsBatchEntry[] = events.slice(next, next + take).map((event) => ({ event }));
    next += take;
    if (poisoned) {
      const index = batches.length / 10;
      const kind = POISON_KINDS[Math.floor(index) % POISON_KINDS.length]!;
      // Fixed width, so no marker is a prefix of another (poison-…-9 of poison-…-99).
      const marker = `poison-${runTag}-${String(batches.length).padStart(5, '0')}`;
      batch.splice(batch.length >> 1, 0, {
        poison: { marker, kind: kind.kind, errorType: kind.errorType, body: kind.body(marker) },
      });
    }
    batches.push(batch);
  }
  return batches;
}

/** What the histories say about the acknowledged events. */
export interface CountResult {
  acknowledged: number;
  lost: string[];
  /**
   * Recorded more than once in a workflow's histories (its runs across continue-as-new): after a
   * reset or in a continued run, Temporal's request-id dedupe no longer applies and it records the
   * redelivery; whether the workflow *applied* it twice is what {@link countEffects} says.
   */
  duplicated: string[];
  /** Signals in a history that no sent event accounts for. */
  unexplained: string[];
  /** Acknowledged events recorded exactly once. */
  exactlyOnce: number;
}

/** `recorded`: workflowId → the `seq` of every advanceStage signal in its history, in order. */
export function countOutcomes(
  events: readonly LoadEvent[],
  recorded: ReadonlyMap<string, readonly unknown[]>,
): CountResult {
  const bySeq = new Map<string, number>();
  const known = new Set(events.map((event) => `${event.workflowId}#${event.seq}`));
  const unexplained: string[] = [];
  for (const [workflowId, seqs] of recorded) {
    for (const seq of seqs) {
      const key = `${workflowId}#${String(seq)}`;
      if (!known.has(key)) unexplained.push(key);
      bySeq.set(key, (bySeq.get(key) ?? 0) + 1);
    }
  }
  const acked = events.filter((event) => event.ackedAt !== undefined);
  const lost: string[] = [];
  const duplicated: string[] = [];
  for (const event of acked) {
    const times = bySeq.get(`${event.workflowId}#${event.seq}`) ?? 0;
    if (times === 0) lost.push(event.id);
    if (times > 1) duplicated.push(`${event.id} ×${times}`);
  }
  return {
    acknowledged: acked.length,
    lost,
    duplicated,
    unexplained,
    exactlyOnce: acked.length - lost.length - duplicated.length,
  };
}

/** What the workflows say they applied, against what was acknowledged for each. */
export interface EffectResult {
  /** Events applied beyond the distinct acknowledged ones: `workflowId +n`. */
  duplicated: string[];
  /** Fewer applied than acknowledged: `workflowId -n`. */
  missing: string[];
  applied: number;
}

/** `applied`: workflowId → the `eventsApplied` its progress query reports. */
export function countEffects(
  events: readonly LoadEvent[],
  applied: ReadonlyMap<string, number>,
): EffectResult {
  const expected = new Map<string, number>();
  for (const event of events) {
    if (event.ackedAt === undefined) continue;
    expected.set(event.workflowId, (expected.get(event.workflowId) ?? 0) + 1);
  }
  const duplicated: string[] = [];
  const missing: string[] = [];
  let total = 0;
  for (const [workflowId, want] of expected) {
    const got = applied.get(workflowId) ?? 0;
    total += got;
    if (got > want) duplicated.push(`${workflowId} +${got - want}`);
    if (got < want) missing.push(`${workflowId} -${want - got}`);
  }
  return { duplicated, missing, applied: total };
}
