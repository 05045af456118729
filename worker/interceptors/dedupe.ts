/**
 * The workflow side of exactly-once: a workflow interceptor module that skips a signal or update
 * whose event id (the gateway's `event-gateway-event-id` header) this workflow already applied.
 *
 * Temporal's request-id dedupe covers one run and ends at a reset; this covers what it cannot:
 * - **continue-as-new**: the applied ids (and the kept update results) go into the new run's
 *   start headers through the outbound `continueAsNew` interceptor, and come back in `execute`;
 * - **reset**: the state is derived only from history (start headers, then every signal and
 *   update in order), so replaying the kept part of the history rebuilds it exactly, and a
 *   signal the reset reapplies carries its header again.
 *
 * Sandbox-safe: imports only `@temporalio/workflow` and the dependency-free contract.
 *
 * Register the module with the worker (`runWorker` does by default), or build your own with
 * another limit:
 *
 * @example
 * ```ts
 * // my-dedupe.ts, passed as a workflow interceptor module
 * import { createDedupeInterceptors } from 'temporal-event-gateway/workflow';
 * export const interceptors = createDedupeInterceptors({ limit: 5_000 });
 * ```
 */
import {
  ApplicationFailure,
  defaultPayloadConverter,
  log,
  metricMeter,
  type ContinueAsNewInput,
  type Headers,
  type Next,
  type SignalInput,
  type UpdateInput,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptors,
  type WorkflowInterceptorsFactory,
  type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import { TEMPORAL_HEADERS } from '../../contract/temporal-headers';
import { AppliedEventIds, DEFAULT_APPLIED_EVENTS_LIMIT } from '../workflows/applied-events';
import { EventLogContext } from './event-log-context';

/**
 * Longest JSON text of an update result kept so that a duplicate update can answer like the
 * first; longer results are not kept (the duplicate then fails with `DuplicateEvent`).
 */
export const DEFAULT_MAX_KEPT_RESULT_LENGTH = 1_024;

/** The counter of skipped duplicates (tags: `kind` = signal | update, `name`). */
export const DUPLICATE_EVENTS_METRIC = 'event_gateway_duplicate_events_skipped';

/** `ApplicationFailure` type of a duplicate update whose first result is no longer known. */
export const DEDUPE_FAILURE_TYPES = {
  duplicateEvent: 'DuplicateEvent',
} as const;

export interface DedupeOptions {
  /**
   * How many applied event ids a workflow remembers (oldest evicted first), in this run and
   * carried across continue-as-new. An event redelivered after more than `limit` newer events is
   * applied again, so size it above the number of events a workflow receives within your longest
   * redelivery window (SQS retention, DLQ redrive delay, resets you would do).
   * @default 1000
   */
  readonly limit?: number;
  /**
   * Longest JSON text of an update result kept for duplicates (in this run and the next).
   * @default 1024
   */
  readonly maxKeptResultLength?: number;
}

/** What the continue-as-new header carries, versioned so an older or newer run can read it. */
interface CarriedState {
  v: 1;
  ids: string[];
  results: [string, unknown][];
}

type KeptResult = { settled: false; promise: Promise<unknown> } | { settled: true; value: unknown };

function readString(headers: Headers, key: string): string | undefined {
  const payload = headers[key];
  if (!payload) return undefined;
  try {
    const value: unknown = defaultPayloadConverter.fromPayload(payload);
    return typeof value === 'string' && value.length > 0 ? value : undefined;
  } catch {
    // A header someone else wrote with another encoding is not ours to fail on.
    return undefined;
  }
}

function readCarried(headers: Headers): CarriedState | undefined {
  const payload = headers[TEMPORAL_HEADERS.appliedEvents];
  if (!payload) return undefined;
  try {
    const value = defaultPayloadConverter.fromPayload<Partial<CarriedState>>(payload);
    const ids = Array.isArray(value.ids) ? value.ids.filter((id) => typeof id === 'string') : [];
    const results = Array.isArray(value.results)
      ? value.results.filter(
          (entry): entry is [string, unknown] => Array.isArray(entry) && typeof entry[0] === 'string',
        )
      : [];
    return { v: 1, ids, results };
  } catch {
    return undefined;
  }
}

function fitsLength(value: unknown, max: number): boolean {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? value === undefined : text.length <= max;
  } catch {
    return false;
  }
}

/**
 * The dedupe state of one workflow execution. The interceptors factory creates one per workflow,
 * so it lives exactly as long as the workflow's sandbox context.
 */
class DedupeState {
  readonly applied: AppliedEventIds;
  // Insertion order follows `applied`, so pruning from the front keeps the two in step.
  readonly results = new Map<string, KeptResult>();
  readonly maxKeptResultLength: number;

  constructor(options: DedupeOptions) {
    this.applied = new AppliedEventIds([], options.limit ?? DEFAULT_APPLIED_EVENTS_LIMIT);
    this.maxKeptResultLength = options.maxKeptResultLength ?? DEFAULT_MAX_KEPT_RESULT_LENGTH;
  }

  restore(carried: CarriedState): void {
    for (const id of carried.ids) this.applied.record(id);
    for (const [id, value] of carried.results) {
      if (this.applied.has(id)) this.results.set(id, { settled: true, value });
    }
  }

  record(id: string): void {
    this.applied.record(id);
    for (const kept of this.results.keys()) {
      if (this.applied.has(kept)) break;
      this.results.delete(kept);
    }
  }

  /** An update that failed applied nothing: a retry of it must run. */
  forget(id: string): void {
    this.applied.forget(id);
    this.results.delete(id);
  }

  carry(): CarriedState {
    const results: [string, unknown][] = [];
    for (const [id, kept] of this.results) {
      if (kept.settled) results.push([id, kept.value]);
    }
    return { v: 1, ids: this.applied.toArray(), results };
  }
}

function skipped(kind: 'signal' | 'update', name: string, eventId: string, headers: Headers): void {
  log.info(`${kind} ${name} skipped: event already applied`, {
    eventId,
    source: readString(headers, TEMPORAL_HEADERS.source),
  });
  metricMeter
    .createCounter(DUPLICATE_EVENTS_METRIC, 'events', 'Duplicate events the workflow skipped')
    .add(1, { kind, name });
}

/**
 * The id under which this event was already applied, if it was: its full (namespaced) event id, or
 * — for a history written before caller-supplied ids were namespaced, which recorded them bare —
 * the id as the caller supplied it. A supplied id can never start with `@` or a webhook source's
 * prefix (the gateway refuses those), so a bare entry it matches was recorded before the upgrade by
 * the same kind of caller, never by a provider's event.
 */
function appliedAs(state: DedupeState, eventId: string, headers: Headers): string | undefined {
  if (state.applied.has(eventId)) return eventId;
  const supplied = readString(headers, TEMPORAL_HEADERS.suppliedEventId);
  return supplied !== undefined && supplied !== eventId && state.applied.has(supplied) ? supplied : undefined;
}

class DedupeInbound implements WorkflowInboundCallsInterceptor {
  constructor(private readonly state: DedupeState) {}

  async execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>) {
    // Runs before the workflow function registers handlers, so before any signal is dispatched.
    const carried = readCarried(input.headers);
    if (carried) this.state.restore(carried);
    return next(input);
  }

  async handleSignal(input: SignalInput, next: Next<WorkflowInboundCallsInterceptor, 'handleSignal'>) {
    const eventId = readString(input.headers, TEMPORAL_HEADERS.eventId);
    if (eventId === undefined) return next(input);
    if (appliedAs(this.state, eventId, input.headers) !== undefined) {
      skipped('signal', input.signalName, eventId, input.headers);
      return;
    }
    this.state.record(eventId);
    return next(input);
  }

  validateUpdate(input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'validateUpdate'>): void {
    const eventId = readString(input.headers, TEMPORAL_HEADERS.eventId);
    // A duplicate is answered from the first, not judged again: the validator would often reject
    // it because the first already changed the state it checks (e.g. "stage not above current").
    if (eventId !== undefined && appliedAs(this.state, eventId, input.headers) !== undefined) return;
    next(input);
  }

  async handleUpdate(input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'handleUpdate'>) {
    const eventId = readString(input.headers, TEMPORAL_HEADERS.eventId);
    if (eventId === undefined) return next(input);
    const { state } = this;
    const firstId = appliedAs(state, eventId, input.headers);
    if (firstId !== undefined) {
      skipped('update', input.name, eventId, input.headers);
      const kept = state.results.get(firstId);
      if (kept) return kept.settled ? kept.value : kept.promise;
      throw ApplicationFailure.create({
        type: DEDUPE_FAILURE_TYPES.duplicateEvent,
        message: `update ${input.name}: event ${eventId} was already applied; its result is no longer kept`,
        nonRetryable: true,
      });
    }
    state.record(eventId);
    const promise = next(input);
    state.results.set(eventId, { settled: false, promise });
    try {
      const value = await promise;
      if (state.results.has(eventId)) {
        if (fitsLength(value, state.maxKeptResultLength)) {
          state.results.set(eventId, { settled: true, value });
        } else {
          state.results.delete(eventId);
        }
      }
      return value;
    } catch (error) {
      state.forget(eventId);
      throw error;
    }
  }
}

class DedupeOutbound implements WorkflowOutboundCallsInterceptor {
  constructor(private readonly state: DedupeState) {}

  async continueAsNew(
    input: ContinueAsNewInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'continueAsNew'>,
  ): Promise<never> {
    return next({
      ...input,
      headers: {
        ...input.headers,
        [TEMPORAL_HEADERS.appliedEvents]: defaultPayloadConverter.toPayload(this.state.carry()),
      },
    });
  }
}

/**
 * A workflow interceptors factory with the given options: export it as `interceptors` from a
 * module and register that module with the worker.
 */
export function createDedupeInterceptors(options: DedupeOptions = {}): WorkflowInterceptorsFactory {
  // Fail at worker start (bundle load), not in the first workflow task.
  new AppliedEventIds([], options.limit ?? DEFAULT_APPLIED_EVENTS_LIMIT);
  return (): WorkflowInterceptors => {
    const state = new DedupeState(options);
    // Outermost: a duplicate's "skipped" line carries its event id and trace id too (issue 29).
    const logContext = new EventLogContext();
    return {
      inbound: [logContext.inbound, new DedupeInbound(state)],
      outbound: [logContext.outbound, new DedupeOutbound(state)],
    };
  };
}

/** The module's own factory, with the defaults: what `runWorker` registers. */
export const interceptors: WorkflowInterceptorsFactory = createDedupeInterceptors();
