/**
 * The callback signing keys, parsed from the `CALLBACK_SIGNING_KEYS` format shared by the worker
 * (which signs) and the gateway (which verifies): `keyId:secret[,keyId:secret…]`, the first one
 * signing. Pure and dependency-free, so both sides parse it the same way.
 */
import { DEFAULT_CALLBACK_KEY_ID } from './callbacks';
import { EventGatewayError } from './errors';

/** One HMAC key and the id a token names it by (the JWS `kid` header). */
export interface CallbackSigningKey {
  readonly id: string;
  readonly secret: Uint8Array;
}

export class CallbackKeyError extends EventGatewayError {
  override readonly name = 'CallbackKeyError';
}

/** Shorter HMAC keys than the hash's block are weak; 32 bytes is the SHA-256 output size. */
export const MIN_CALLBACK_SECRET_BYTES = 32;

const KEY_ID = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Parses a key list. Every problem is reported at once, without ever echoing a secret.
 *
 * @example
 * parseCallbackSigningKeys('k2:new-secret-…,k1:old-secret-…') // k2 signs, both verify
 */
export function parseCallbackSigningKeys(
  raw: string,
  source = 'CALLBACK_SIGNING_KEYS',
): CallbackSigningKey[] {
  const problems: string[] = [];
  const keys: CallbackSigningKey[] = [];
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  if (entries.length === 0) problems.push(`${source} lists no key.`);
  entries.forEach((entry, index) => {
    const colon = entry.indexOf(':');
    const id = colon === -1 ? DEFAULT_CALLBACK_KEY_ID : entry.slice(0, colon);
    const secret = colon === -1 ? entry : entry.slice(colon + 1);
    if (!KEY_ID.test(id)) problems.push(`${source} key ${index + 1}: the key id must match ${KEY_ID}.`);
    const bytes = new TextEncoder().encode(secret);
    if (bytes.length < MIN_CALLBACK_SECRET_BYTES) {
      problems.push(
        `${source} key ${index + 1} ("${id}"): the secret must be at least ${MIN_CALLBACK_SECRET_BYTES} bytes.`,
      );
    }
    if (keys.some((key) => key.id === id)) problems.push(`${source}: key id "${id}" is listed twice.`);
    keys.push({ id, secret: bytes });
  });
  if (problems.length > 0) throw new CallbackKeyError(problems.join(' '));
  return keys;
}
