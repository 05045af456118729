/**
 * The gRPC `request_id` of a delivery: a name-based UUID (version 5, RFC 9562 §5.5) of the
 * workflow, the operation and the event, computed with `node:crypto`'s SHA-1 — the same bytes the
 * `uuid` package's `v5` gives (its test holds them to that), without re-parsing the namespace and
 * converting the name in JavaScript on every call: an adapter, because the core takes no `node:*`.
 */
import { createHash } from 'node:crypto';

/**
 * Namespace of the gateway's request ids (a fixed random UUID). Changing it would make every
 * in-flight redelivery look new to Temporal: never change it.
 */
const GATEWAY_NAMESPACE = 'a3c1f0d6-5b7e-4c29-9f64-2d8e3b1a7c55';

/** SHA-1 already fed the namespace's 16 bytes: each id copies it and adds only its name. */
const namespaced = createHash('sha1').update(Buffer.from(GATEWAY_NAMESPACE.replaceAll('-', ''), 'hex'));

/** UUID v5 of `name` (its UTF-8 bytes) in the gateway's namespace. */
function uuidV5(name: string): string {
  const digest = namespaced.copy().update(name, 'utf8').digest();
  digest[6] = (digest[6]! & 0x0f) | 0x50; // version 5
  digest[8] = (digest[8]! & 0x3f) | 0x80; // variant 10xx
  const hex = digest.toString('hex', 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The gRPC `request_id` of a delivery: the same (workflow, operation, event) always yields the same
 * id, so Temporal records a redelivered event once per run.
 */
export function deliveryRequestId(workflowId: string, operation: string, eventId: string): string {
  // JSON array encoding keeps ("a-b","c") and ("a","b-c") apart; it escapes lone surrogates, so
  // every name is well-formed UTF-16 and its UTF-8 bytes are the ones `uuid` hashes.
  return uuidV5(JSON.stringify([workflowId, operation, eventId]));
}
