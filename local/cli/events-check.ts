/**
 * `events show`'s checks against the systems that hold the truth (issue 30): the log says what the
 * gateway saw; Temporal and SQS say what is. For each route: is the event id in a run's history (the
 * event-id header every start, signal and update carries — functions/adapters/event-header.ts, read
 * with the Temporal client) and in which run; for a queued or dead-lettered event: is it on the
 * gateway's queue or its DLQ now.
 */
import { Connection, WorkflowClient } from '@temporalio/client';
import { TEMPORAL_ENV } from '../../contract/env-names';
import type { EventView } from '../../functions/core/event-record-view';
import { eventApplies } from '../../functions/adapters/temporal-history';
import { GATEWAY_QUEUE_NAMES } from '../sqs-queues';
import { readDeadLetter, receiveDeadLetters, releaseMessages } from './dead-letters';
import type { CliIo } from './io';
import { connectSqs, resolveQueueUrl, type SqsConnection } from './sqs-connection';

/** Runs of one workflow searched for the event, newest first (continue-as-new, resets). */
const MAX_RUNS = 10;
/** Messages looked at per queue; a queue holding more is reported as not fully searched. */
const MAX_QUEUE_MESSAGES = 100;

/** What Temporal says of one route. */
export interface HistoryCheck {
  /** The run whose history holds the event id (else the latest run, when there is one). */
  readonly runId: string | null;
  /** true/false when read; null when Temporal could not be asked (the reason in `error`). */
  readonly inHistory: boolean | null;
  readonly error?: string;
}

/** What SQS says of the event. */
export interface QueueCheck {
  readonly checked: boolean;
  /** The queue it is on now, or null when on none of those searched. */
  readonly queue: string | null;
  readonly error?: string;
}

export interface TemporalCheckOptions {
  readonly address?: string | undefined;
  readonly namespace?: string | undefined;
}

/** A Temporal client for the checks; `close` ends its connection. */
export async function connectTemporal(io: CliIo, options: TemporalCheckOptions) {
  const address = options.address ?? io.env[TEMPORAL_ENV.address] ?? '127.0.0.1:7233';
  const namespace = options.namespace ?? io.env[TEMPORAL_ENV.namespace] ?? 'default';
  const connection = await Connection.connect({ address, connectTimeout: 5_000 });
  return { client: new WorkflowClient({ connection, namespace }), close: () => connection.close() };
}

type Client = Awaited<ReturnType<typeof connectTemporal>>['client'];

async function runHolds(client: Client, workflowId: string, runId: string, eventId: string) {
  const history = await client.getHandle(workflowId, runId).fetchHistory();
  // The SDK's proto objects have the lean client's field names and payload shape.
  return (history.events ?? []).some((event) => eventApplies(event, eventId));
}

/** Finds the run of `workflowId` whose history holds `eventId`: the recorded run, else the newest runs. */
export async function checkHistory(
  client: Client,
  route: { workflowId?: string | undefined; runId?: string | undefined },
  eventId: string,
): Promise<HistoryCheck> {
  const { workflowId } = route;
  if (workflowId === undefined) return { runId: null, inHistory: null, error: 'no workflow id' };
  try {
    if (route.runId && (await runHolds(client, workflowId, route.runId, eventId)))
      return { runId: route.runId, inHistory: true };
    const runs: string[] = [];
    for await (const run of client.list({ query: `WorkflowId = '${workflowId.replace(/'/g, "\\'")}'` })) {
      runs.push(run.runId);
      if (runs.length >= MAX_RUNS) break;
    }
    if (runs.length === 0) {
      // Visibility may lag a new run: the latest run by id.
      const latest = await client.getHandle(workflowId).describe();
      runs.push(latest.runId);
    }
    for (const runId of runs) {
      if (runId !== route.runId && (await runHolds(client, workflowId, runId, eventId)))
        return { runId, inHistory: true };
    }
    return { runId: route.runId ?? runs[0] ?? null, inHistory: false };
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    if (name === 'WorkflowNotFoundError')
      return { runId: null, inHistory: false, error: 'workflow not found' };
    return {
      runId: route.runId ?? null,
      inHistory: null,
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

/** The gateway's queues an event of this status may be on: the fallback queue or the DLQ. */
function queuesFor(view: EventView): string[] {
  if (view.status === 'queued') return [GATEWAY_QUEUE_NAMES.events, GATEWAY_QUEUE_NAMES.eventsFifo];
  if (view.status === 'dead-lettered')
    return [GATEWAY_QUEUE_NAMES.eventsDlq, GATEWAY_QUEUE_NAMES.eventsDlqFifo];
  return [];
}

async function findOn(
  connection: SqsConnection,
  name: string,
  eventId: string,
): Promise<boolean | undefined> {
  let url: string;
  try {
    url = await resolveQueueUrl(connection, { given: undefined, name, flag: 'queue-url' });
  } catch {
    return undefined; // no such queue here (FIFO queues are optional)
  }
  const held = [];
  try {
    while (held.length < MAX_QUEUE_MESSAGES) {
      const batch = await receiveDeadLetters(connection, url, { max: 10, visibilitySeconds: 30 });
      if (batch.length === 0) break;
      held.push(...batch);
      if (batch.some((message) => readDeadLetter(message).eventId === eventId)) return true;
    }
    return false;
  } finally {
    await releaseMessages(connection, url, held);
  }
}

/**
 * Whether a queued or dead-lettered event is on the gateway's queue or DLQ. Messages are received
 * and released at once, as `dlq list` does (each look adds one to a message's receive count).
 */
export async function checkQueues(
  view: EventView,
  io: CliIo,
  endpoint: string | undefined,
): Promise<QueueCheck> {
  const names = queuesFor(view);
  if (names.length === 0) return { checked: false, queue: null };
  const connection = connectSqs(io, { endpoint });
  try {
    for (const name of names) {
      if (await findOn(connection, name, view.eventId)) return { checked: true, queue: name };
    }
    return { checked: true, queue: null };
  } catch (error) {
    return { checked: false, queue: null, error: error instanceof Error ? error.message : String(error) };
  } finally {
    connection.close();
  }
}
