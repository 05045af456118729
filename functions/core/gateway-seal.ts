/**
 * What a gateway seal covers (the MAC itself is computed in adapters/envelope-seal.ts). A queue
 * message the gateway made carries `gatewaySeal` beside its fields; the seal covers the canonical
 * JSON text of every other field, so changing any of them (the source, the event id, a header, the
 * body, the preset that verified it) breaks it.
 *
 * Canonical = `JSON.stringify` of the parsed message with its keys in their order. The gateway
 * writes its messages with `JSON.stringify`, and parsing then stringifying such text gives it back
 * unchanged, so the queue handler recomputes the exact sealed text from what it parsed.
 */

/** The field of a queue message that holds the gateway's seal. Wire name: never rename it. */
export const GATEWAY_SEAL_FIELD = 'gatewaySeal';

/** The text a seal covers: the message without its seal field. */
export const sealedContent = (messageWithoutSeal: Record<string, unknown>): string =>
  JSON.stringify(messageWithoutSeal);

/** Whether a parsed queue body claims to be gateway-made (and so must prove it). */
export function claimsGatewayOrigin(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.hasOwn(value, GATEWAY_SEAL_FIELD) || Object.hasOwn(value, 'webhook');
}
