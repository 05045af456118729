/**
 * Event ids a caller chooses live in a namespace of their own, so they can never collide with a
 * provider's. A webhook's id is `<source>:<provider id>` (webhook-routing.ts) and a callback's is
 * its token id; an id a caller supplies — an `Idempotency-Key`, a CloudEvent `id`, an SQS body's
 * `eventId` or the SQS `messageId` — becomes `@<entry>:<caller>:<id>`:
 *
 * - `entry`: `http` (signals and updates), `cloudevent` (`POST /v1/events`), `sqs` (queue messages);
 * - `caller`: who sent it — `key-<fingerprint>` for an API key (a digest, never the key),
 *   `iam-…` / `jwt-…` for the principal API Gateway authorised, `signed-<mode>` for the signature
 *   modes, `anonymous` without authentication, `queue` for the events queue's producers.
 *
 * Source names are lower-case letters, digits, `_` and `-`, so no webhook id starts with `@`. A
 * supplied id that starts with `@` or with a declared source's prefix (`stripe:`) is refused (422):
 * it would only ever be an attempt to pass for someone else's event.
 *
 * The supplied id also travels on its own (`suppliedId`), so the dedupe interceptor can still match
 * histories written before namespacing, when the header held it bare (docs/dedupe.md).
 */
import { validateField } from './field-validation';
import type { GatewayConfig } from './gateway-config-model';
import { eventId as eventIdCheck } from './checks.generated.js';
import { problem } from './problems';
import { fail, ok, type Result } from './result';

/** The entry points whose callers supply ids. Wire values: they are in histories. */
export const EVENT_ID_ENTRIES = {
  http: 'http',
  cloudEvent: 'cloudevent',
  sqs: 'sqs',
} as const;

export type EventIdEntry = (typeof EVENT_ID_ENTRIES)[keyof typeof EVENT_ID_ENTRIES];

/** The caller segment of the events queue's producers (see docs/dedupe.md for why not SenderId). */
export const QUEUE_PRODUCERS_CALLER = 'queue';

/** The caller of an unauthenticated request. */
export const ANONYMOUS_CALLER = 'anonymous';

/** A caller segment: short, printable, no `:` (adapters hash anything else). */
export const CALLER_SEGMENT_PATTERN = /^[A-Za-z0-9._=+-]{1,80}$/;

/** The first character of every namespaced id; no source name can start with it. */
export const NAMESPACE_MARK = '@';

/** A namespaced event id and the id as its caller supplied it. */
export interface SuppliedEventId {
  eventId: string;
  suppliedId: string;
}

/** The prefix no supplied id may start with, when one does; undefined when the id is free. */
export function reservedPrefixOf(config: GatewayConfig, id: string): string | undefined {
  if (id.startsWith(NAMESPACE_MARK)) return NAMESPACE_MARK;
  return config.sources.map((source) => `${source.name}:`).find((prefix) => id.startsWith(prefix));
}

/**
 * The namespaced id of a caller-supplied one, or why it cannot be used: 400 when it is not a
 * usable id, 422 `reserved-event-id` when it starts with a reserved prefix. `field` names where the
 * caller put it (`header.idempotency-key`, `id`, `body.eventId`).
 */
export function namespaceEventId(
  config: GatewayConfig,
  input: { entry: EventIdEntry; caller: string; supplied: string; field: string },
): Result<SuppliedEventId> {
  const valid = validateField(eventIdCheck, input.supplied, input.field);
  if (!valid.ok) return valid;
  const reserved = reservedPrefixOf(config, valid.value);
  if (reserved !== undefined) {
    return fail(
      problem(
        'reserved-event-id',
        `${input.field} "${valid.value.slice(0, 80)}" starts with "${reserved}", which is reserved for ` +
          (reserved === NAMESPACE_MARK
            ? "the gateway's own event-id namespaces"
            : `the webhook source "${reserved.slice(0, -1)}"`) +
          ': a caller-supplied id can never pass for another sender’s event. Choose an id without it.',
        input.field,
      ),
    );
  }
  if (!CALLER_SEGMENT_PATTERN.test(input.caller)) {
    // A bug in the adapter, not the caller's mistake: refuse rather than build an ambiguous id.
    throw new Error(`invalid caller segment for an event id: ${JSON.stringify(input.caller.slice(0, 100))}`);
  }
  return ok({
    eventId: `${NAMESPACE_MARK}${input.entry}:${input.caller}:${valid.value}`,
    suppliedId: valid.value,
  });
}
