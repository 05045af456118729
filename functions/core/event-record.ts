/**
 * The event log's record (issue 30): what the gateway keeps of each event it received — for people
 * ("where is my event?"), never for delivery: the guarantee stays Temporal plus the queues.
 *
 * One event leaves one or more records, append-only and never rewritten:
 * - `received` — written once by the function that took the event (the ingest function for
 *   webhooks, HTTP routes and callbacks; the queue function for a producer's SQS message): the body,
 *   the kept headers, the verification verdict, and what became of each route right then;
 * - `queue` — the queue function delivering (or dead-lettering, or retrying) an event the gateway
 *   queued earlier: a further outcome for the same event id;
 * - `replay` — `event-gateway events replay` re-entering it through the trusted path.
 *
 * The reader merges an event's records into one {@link EventView} (event-record-view.ts).
 *
 * Pure: no I/O, no clock, no randomness — the adapters pass times and nonces in.
 */

/** Where the event entered the gateway. */
export type EventEntry =
  /** `POST /v1/webhooks/{source}`: a provider's signed webhook. */
  | { readonly kind: 'webhook'; readonly source: string }
  /** An HTTP route: `POST /v1/events` (CloudEvents) or a direct signal/update/start. */
  | { readonly kind: 'http'; readonly route: string }
  /** `POST /v1/callbacks/{token}`: a partner redeeming a callback URL. */
  | { readonly kind: 'callback' }
  /** A producer's SQS message (the queue function; `queue` names the queue when known). */
  | { readonly kind: 'sqs'; readonly queue?: string };

/** The source name the log is filtered by: the webhook source, else the entry's kind. */
export const entrySourceName = (entry: EventEntry): string =>
  entry.kind === 'webhook' ? entry.source : entry.kind;

/** Which function wrote a record, and why (see the module comment). */
export type EventRecordStage = 'received' | 'queue' | 'replay';

/**
 * What became of one route (or one direct delivery) of an event:
 * - `delivered`     — Temporal took it (a signal, an update answered, a start made);
 * - `duplicate`     — Temporal or the run had already applied this event id (nothing applied twice);
 * - `queued`        — durably queued for a later delivery (Temporal slow or down): a `queue` record follows;
 * - `dead-lettered` — in the DLQ with its `problem`, to be redriven once fixed;
 * - `refused`       — a permanent failure answered to the caller (4xx), nothing queued;
 * - `failed`        — a transient failure answered non-2xx: the sender retries (a later record follows).
 */
export type RouteStatus = 'delivered' | 'duplicate' | 'queued' | 'dead-lettered' | 'refused' | 'failed';

/** The event's status: its routes' (see {@link eventStatusOf}), or `ignored` when no route wanted it. */
export type EventStatus = RouteStatus | 'ignored';

/** Every status, in the order a list filter names them. */
export const EVENT_STATUSES: readonly EventStatus[] = [
  'delivered',
  'duplicate',
  'ignored',
  'queued',
  'dead-lettered',
  'refused',
  'failed',
];

/** A problem as the log keeps it: the catalogue code and the detail (core/problems.ts). */
export interface RecordedProblem {
  readonly code: string;
  readonly detail: string;
  readonly field?: string;
}

/** One route's outcome. */
export interface RouteOutcome {
  /** The route's name; a direct HTTP delivery is named by its entry (`signal`, `update`, `start`). */
  readonly route: string;
  readonly kind: 'signal' | 'update' | 'start' | 'activity';
  readonly workflowId?: string;
  /** The signal or update name (`start` for a start). */
  readonly operation?: string;
  /** The run it reached, when the delivery reports one (a start; a signal-with-start). */
  readonly runId?: string;
  readonly status: RouteStatus;
  /** Why it was not delivered (queued, dead-lettered, refused, failed). */
  readonly problem?: RecordedProblem;
}

/**
 * The event's body as kept: `text` when no payload codec is configured (UTF-8; else `base64`), or
 * a Temporal Payload through the gateway's codecs (proto3 JSON form, as the codec server speaks:
 * metadata values and data base64) — encrypted exactly as workflow histories are, and decoded the
 * same way (the codec server's `/decode`, the CLI's data converter).
 */
export type RecordedBody =
  | { readonly text: string }
  | { readonly base64: string }
  | {
      readonly payload: { readonly metadata: Readonly<Record<string, string>>; readonly data: string };
    };

/** How the sender was authenticated. */
export interface Verification {
  /** `verified` by a webhook preset or a caller credential; `none` when the entry asks none. */
  readonly result: 'verified' | 'none';
  /** The webhook preset (`stripe`, `github`, …) or the caller's method (`api-key`, `iam`, `jwt`, `callback-token`). */
  readonly method?: string;
}

/** One record of the log (one JSON object in the store). */
export interface EventRecord {
  /** The record format's version: readers skip a version they do not know. */
  readonly version: 1;
  readonly eventId: string;
  /** When the gateway first received the event (ISO 8601): it files every record of the event. */
  readonly receivedAt: string;
  /** When this record was written (ISO 8601). */
  readonly recordedAt: string;
  readonly stage: EventRecordStage;
  readonly entry: EventEntry;
  /** The event's type as its source names it (a webhook's type, a CloudEvent's `type`). */
  readonly eventType?: string;
  /** The provider's own id (Stripe's `evt_…`, GitHub's delivery id) where the event id carries one. */
  readonly providerId?: string;
  /** The raw body (`received` records only). */
  readonly body?: RecordedBody;
  /** The allow-listed request headers (`received` records only; see event-record-headers.ts). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly verification?: Verification;
  /** The event's status as this record saw it. */
  readonly status: EventStatus;
  /** Why the event as a whole was not delivered (an unusable route, an unrouted CloudEvent, …). */
  readonly problem?: RecordedProblem;
  readonly routes: readonly RouteOutcome[];
  /** The W3C trace id of the request or queue record (issue 29), when tracing knows one. */
  readonly traceId?: string;
}

/**
 * The event's status from its routes: the least settled one wins — a failed route means the sender
 * retries; a queued one means more is to come; then dead-lettered, refused, duplicate, delivered.
 * No route: `ignored`.
 */
export function eventStatusOf(routes: readonly RouteOutcome[]): EventStatus {
  const order: readonly RouteStatus[] = ['failed', 'queued', 'dead-lettered', 'refused', 'duplicate'];
  for (const status of order) if (routes.some((route) => route.status === status)) return status;
  return routes.length === 0 ? 'ignored' : 'delivered';
}

/**
 * The provider's own id in a webhook event id (`stripe:evt_1` → `evt_1`), as identifyWebhook
 * namespaces it; none when the id is the body's digest (`<source>:sha256-…`) or another entry's.
 */
export function providerIdOf(entry: EventEntry, eventId: string): string | undefined {
  if (entry.kind !== 'webhook') return undefined;
  const prefix = `${entry.source}:`;
  if (!eventId.startsWith(prefix)) return undefined;
  const id = eventId.slice(prefix.length);
  return id.startsWith('sha256-') ? undefined : id;
}

/** The event id a webhook source gives a provider's id (the inverse of {@link providerIdOf}). */
export const webhookEventId = (source: string, providerId: string): string => `${source}:${providerId}`;

/** The store's root prefix (an S3 key prefix; a sub-directory locally). */
export const EVENT_LOG_PREFIX = 'events';

/** `YYYY/MM/DD` of an ISO time (UTC): the day prefix an event's records are filed under. */
export function dayPath(iso: string): string {
  return `${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}`;
}

/**
 * The event id as one path segment: event ids are printable ASCII (core/identifiers.ts) and may hold
 * `/`, `:` or `@`; percent-encoding keeps them one S3 key segment and one file name, reversibly.
 */
export const eventIdSegment = (eventId: string): string =>
  encodeURIComponent(eventId).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export const eventIdFromSegment = (segment: string): string => decodeURIComponent(segment);

/**
 * A record's key: `events/<YYYY/MM/DD of receivedAt>/<event id>/<recordedAt>-<stage>-<nonce>.json`.
 * Every record of one event shares the folder (listing it is the event's story, in order); the
 * nonce (from the adapter) keeps two records of the same millisecond apart.
 */
export function eventRecordKey(record: EventRecord, nonce: string): string {
  const at = record.recordedAt.replace(/[:]/g, '-');
  return `${eventFolder(record.eventId, record.receivedAt)}${at}-${record.stage}-${nonce}.json`;
}

/** The folder (with its trailing `/`) of an event's records, filed under the day it was received. */
export const eventFolder = (eventId: string, receivedAt: string): string =>
  `${EVENT_LOG_PREFIX}/${dayPath(receivedAt)}/${eventIdSegment(eventId)}/`;

/** The day prefixes (`events/YYYY/MM/DD/`) from `since` to `until` inclusive, newest first. */
export function dayPrefixes(since: Date, until: Date): string[] {
  const prefixes: string[] = [];
  const day = Date.UTC(until.getUTCFullYear(), until.getUTCMonth(), until.getUTCDate());
  const first = Date.UTC(since.getUTCFullYear(), since.getUTCMonth(), since.getUTCDate());
  for (let at = day; at >= first; at -= 86_400_000) {
    prefixes.push(`${EVENT_LOG_PREFIX}/${dayPath(new Date(at).toISOString())}/`);
  }
  return prefixes;
}

/** Whether a parsed JSON value is a record of a version this reader knows. */
export function isEventRecord(value: unknown): value is EventRecord {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Partial<EventRecord>;
  return (
    record.version === 1 &&
    typeof record.eventId === 'string' &&
    typeof record.receivedAt === 'string' &&
    typeof record.recordedAt === 'string' &&
    Array.isArray(record.routes)
  );
}
