/**
 * Queue messages that carry a reference, never a large body. The gateway's queues (the fallback
 * queue and the DLQs) take a message of at most the queue handler's input limit, while the HTTP
 * paths take bodies up to Lambda's when large payloads go to S3. A message over that limit goes
 * with its payload stored by the gateway's own data converter — every codec (so encrypted when
 * encryption is on), then the large payload bucket, written as Temporal's external storage
 * reference (payloads/external-storage-reference.ts) — in place of the inline value:
 *
 * - a queued signal: `payloadRef` (the argument) instead of `payload`;
 * - a webhook envelope: `webhook.bodyRef` (the raw body's bytes, `binary/plain`) instead of
 *   `webhook.body`, so the queue handler routes the event again with the configuration in force then.
 *
 * The message is then sealed as any other (adapters/envelope-seal.ts): the seal covers the
 * reference. The queue handler resolves a reference only in a message whose seal verifies
 * (core/sqs-message.ts `storedPayloadOf`), so a producer can never make it read an S3 object.
 * A DLQ holds the message as it was: the reference. docs/large-payloads.md has the format.
 */
import { fail, ok, type Result } from '../core/result';
import {
  STORED_PAYLOAD_FIELDS,
  unresolvedStoredPayloadProblem,
  type StoredPayloadMessage,
} from '../core/sqs-message';
import { problem } from '../core/problems';
import { isReferencePayload } from '../../payloads/external-storage-reference';
import { payloadsFromJson, payloadToJson } from './codec-payload-json';
import type { TemporalDataConverter } from './temporal-data-converter';

/** What stores a payload before it is queued: the gateway's data converter. */
export type PayloadStorer = Pick<TemporalDataConverter, 'offloads' | 'toStoredReference'>;

/** What resolves a queued message's stored payload: the queue handler's data converter. */
export type StoredPayloadResolver = Pick<TemporalDataConverter, 'offloads' | 'fromPayloads'>;

const utf8 = new TextEncoder();

/** A queued signal with its argument stored: `payloadRef` in place of `payload`. */
export async function withStoredSignalPayload(
  message: { workflowId: string; payload: unknown } & Record<string, unknown>,
  storer: PayloadStorer,
): Promise<Record<string, unknown>> {
  const { payload, ...rest } = message;
  const reference = await storer.toStoredReference(payload, message.workflowId);
  return { ...rest, [STORED_PAYLOAD_FIELDS.signal]: payloadToJson(reference) };
}

/** A webhook envelope's fields with the raw body stored: `bodyRef` in place of `body`. */
export async function withStoredWebhookBody(
  webhook: { body: string } & Record<string, unknown>,
  storer: PayloadStorer,
): Promise<Record<string, unknown>> {
  const { body, ...rest } = webhook;
  // Bytes, not a JSON string: the body exactly as signed, and no escaping to grow it.
  const reference = await storer.toStoredReference(utf8.encode(body));
  return { ...rest, [STORED_PAYLOAD_FIELDS.webhookBody]: payloadToJson(reference) };
}

/**
 * The sealed message with its stored payload fetched, decoded and put back in place (`payload`, or
 * `webhook.body` as text). A handler without a store, or a reference that is not one, is the problem
 * that dead-letters the message (a redrive retries it once fixed). A store or codec that fails
 * throws `PayloadCodecError`: transient, the queue delivers the message again.
 */
export async function resolveStoredPayload(
  stored: StoredPayloadMessage,
  resolver: StoredPayloadResolver | undefined,
): Promise<Result<Record<string, unknown>>> {
  if (!resolver?.offloads) return fail(unresolvedStoredPayloadProblem());
  const field =
    stored.field === 'payload'
      ? STORED_PAYLOAD_FIELDS.signal
      : `webhook.${STORED_PAYLOAD_FIELDS.webhookBody}`;
  const payloads = payloadsFromJson({ payloads: [stored.reference] });
  const reference = payloads.ok ? payloads.value[0] : undefined;
  if (!reference || !isReferencePayload(reference)) {
    return fail(
      problem('invalid-request', `body.${field}: not a stored payload reference.`, `body.${field}`),
    );
  }
  const value = await resolver.fromPayloads({ payloads: [reference] }, stored.workflowId);
  if (stored.field === 'payload') {
    const { [STORED_PAYLOAD_FIELDS.signal]: _reference, ...rest } = stored.message;
    return ok({ ...rest, payload: value });
  }
  if (!(value instanceof Uint8Array)) {
    return fail(problem('invalid-request', `body.${field}: the stored body is not bytes.`, `body.${field}`));
  }
  const { [STORED_PAYLOAD_FIELDS.webhookBody]: _reference, ...webhook } = stored.message.webhook as Record<
    string,
    unknown
  >;
  return ok({ ...stored.message, webhook: { ...webhook, body: new TextDecoder().decode(value) } });
}
