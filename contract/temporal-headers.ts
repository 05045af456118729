/**
 * Temporal header keys the gateway writes on every signal, signal-with-start and update it sends,
 * and the workflow interceptor reads. Each value is one JSON payload (the SDK's default payload
 * converter: `json/plain`), so any Temporal SDK can read it.
 *
 * Wire names: they are recorded in workflow histories, never rename one. Dependency-free on
 * purpose: the gateway, workflow code (inside the sandbox) and users' own code all import it.
 */
export const TEMPORAL_HEADERS = {
  /**
   * The event id (a string): the provider's delivery id, the CloudEvent `id`, the
   * `Idempotency-Key`, the SQS body's `eventId` or the SQS `messageId`. The same event always
   * carries the same id, however often it is retried, redelivered or redriven.
   */
  eventId: 'event-gateway-event-id',
  /**
   * The id as the caller supplied it (a string), sent beside a namespaced `eventId`
   * (`@<entry>:<caller>:<id>`) only. The interceptor reads it for one thing: a history written
   * before ids were namespaced recorded the bare id, and an event retried across that upgrade must
   * still be skipped (docs/dedupe.md). Never used as an event's identity on its own.
   */
  suppliedEventId: 'event-gateway-supplied-event-id',
  /**
   * Where the event came from (a string): the webhook source, the CloudEvent route name, `http`
   * for a direct signal or update, `sqs` for a queue message. Informational, never used to dedupe.
   */
  source: 'event-gateway-source',
  /**
   * Written by the workflow interceptor on continue-as-new (never by the gateway): the event ids
   * the run applied, oldest first, and the kept results of updates, so the next run skips them too.
   */
  appliedEvents: 'event-gateway-applied-events',
} as const;

/** One of the header keys above. */
export type TemporalHeaderKey = (typeof TEMPORAL_HEADERS)[keyof typeof TEMPORAL_HEADERS];

/** Source names the gateway itself uses (webhook sources and route names are the user's own). */
export const EVENT_SOURCES = {
  /** `POST /v1/workflows/{id}/signals/{signal}` and `…/updates/{update}`. */
  http: 'http',
  /** A `{ workflowId, signal, payload, eventId? }` queue message (also fallback and redriven ones). */
  sqs: 'sqs',
} as const;
