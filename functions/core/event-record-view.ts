/**
 * The reader's side of the event log: an event's append-only records merged into one view, and the
 * filters `event-gateway events list` and the local events page apply. Pure.
 */
import {
  entrySourceName,
  eventStatusOf,
  type EventRecord,
  type EventRecordStage,
  type EventStatus,
  type RecordedProblem,
  type RouteOutcome,
} from './event-record';

/**
 * One event as its records tell it, the latest outcome of each route winning: the received record's
 * fields (body, headers, verification), with `status` the merged routes' (eventStatusOf), else the
 * latest record's, and `problem` the latest record's.
 */
export type EventView = Omit<EventRecord, 'version' | 'recordedAt' | 'stage'> & {
  /** The webhook source's name, else the entry's kind (`http`, `callback`, `sqs`). */
  readonly source: string;
  /** Every record, oldest first: the event's story. */
  readonly history: readonly {
    readonly stage: EventRecordStage;
    readonly recordedAt: string;
    readonly status: EventStatus;
    readonly problem?: RecordedProblem;
  }[];
};

/** What `list` selects; every field optional. */
export interface EventQuery {
  /** Received at or after (ISO 8601). */
  readonly since?: string;
  /** Received before (ISO 8601). */
  readonly until?: string;
  /** The webhook source's name, or `http`, `callback`, `sqs`. */
  readonly source?: string;
  readonly status?: EventStatus;
  /** At most this many, newest first. */
  readonly limit?: number;
}

const routeKey = (route: RouteOutcome): string =>
  JSON.stringify([route.route, route.kind, route.workflowId ?? '', route.operation ?? '']);

/**
 * Merges one event's records (any order) into its view; undefined for none. The first `received`
 * record gives what only it holds (body, headers, verification); later records add outcomes: a
 * route's latest outcome replaces its earlier one, keeping a run id the later one does not know.
 */
export function mergeEventRecords(records: readonly EventRecord[]): EventView | undefined {
  if (records.length === 0) return undefined;
  const ordered = [...records].sort((a, b) => a.recordedAt.localeCompare(b.recordedAt));
  const first = ordered.find((record) => record.stage === 'received') ?? ordered[0]!;
  const latest = ordered[ordered.length - 1]!;
  const routes = new Map<string, RouteOutcome>();
  for (const record of ordered) {
    for (const route of record.routes) {
      const before = routes.get(routeKey(route));
      const runId = route.runId ?? before?.runId;
      routes.set(routeKey(route), runId === undefined ? route : { ...route, runId });
    }
  }
  const merged = [...routes.values()];
  const described = ordered.find((record) => record.eventType !== undefined);
  const traced = ordered.find((record) => record.traceId !== undefined);
  return {
    eventId: first.eventId,
    receivedAt: first.receivedAt,
    entry: first.entry,
    source: entrySourceName(first.entry),
    ...(described ? { eventType: described.eventType! } : {}),
    ...(first.providerId !== undefined ? { providerId: first.providerId } : {}),
    ...(first.body !== undefined ? { body: first.body } : {}),
    ...(first.headers !== undefined ? { headers: first.headers } : {}),
    ...(first.verification !== undefined ? { verification: first.verification } : {}),
    status: merged.length > 0 ? eventStatusOf(merged) : latest.status,
    ...(latest.problem !== undefined ? { problem: latest.problem } : {}),
    routes: merged,
    ...(traced ? { traceId: traced.traceId! } : {}),
    history: ordered.map((record) => ({
      stage: record.stage,
      recordedAt: record.recordedAt,
      status: record.status,
      ...(record.problem !== undefined ? { problem: record.problem } : {}),
    })),
  };
}

/** Groups records by event id and merges each group (the order of first appearance). */
export function mergeByEvent(records: readonly EventRecord[]): EventView[] {
  const groups = new Map<string, EventRecord[]>();
  for (const record of records) {
    const group = groups.get(record.eventId);
    if (group) group.push(record);
    else groups.set(record.eventId, [record]);
  }
  return [...groups.values()].flatMap((group) => mergeEventRecords(group) ?? []);
}

/** The views a query selects, newest first, at most `limit`. */
export function selectEvents(views: readonly EventView[], query: EventQuery): EventView[] {
  const selected = views
    .filter(
      (view) =>
        (query.since === undefined || view.receivedAt >= query.since) &&
        (query.until === undefined || view.receivedAt < query.until) &&
        (query.source === undefined || view.source === query.source) &&
        (query.status === undefined || view.status === query.status),
    )
    .sort((a, b) => b.receivedAt.localeCompare(a.receivedAt));
  return query.limit === undefined ? selected : selected.slice(0, query.limit);
}
