/**
 * Proof that a queue message was made by the gateway. Anything that crosses a queue claiming
 * "already verified" — a webhook envelope (the provider's signature was checked on arrival) or a
 * signal the HTTP path queued under its own namespaced event id — carries a seal: an HMAC-SHA256,
 * with a key only the gateway's functions hold, over the message's canonical JSON text. The queue
 * handler trusts such a message only when the seal verifies; without it the message is a
 * producer's, and a producer cannot make one (it does not hold the key).
 *
 * The key comes from Secrets Manager in AWS (`GATEWAY_ENVELOPE_KEY_SECRET_ARN`, a secret the
 * construct generates and only the gateway's functions may read) or `GATEWAY_ENVELOPE_KEY` locally
 * (`npm run dev` keeps one in `.dev-data/`). Several comma-separated keys rotate: the first seals,
 * any verifies.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { GATEWAY_ENV } from '../core/env-names';
import { GATEWAY_SEAL_FIELD, sealedContent } from '../core/gateway-seal';
import type { Env } from './secrets';

/** Seals and checks gateway-made queue messages. */
export interface EnvelopeSealer {
  /** The message as JSON text with its seal field added. */
  seal(message: Record<string, unknown>): string;
  /** Whether `message` (parsed) carries a seal one of the keys made over the rest of it. */
  verify(message: Record<string, unknown>): boolean;
}

const SEAL_VERSION = 'v1';

function mac(key: Buffer, content: string): Buffer {
  return createHmac('sha256', key).update(`event-gateway-seal.${SEAL_VERSION}\n`).update(content).digest();
}

/** A sealer over the given keys (the first seals). */
export function createEnvelopeSealer(keys: readonly string[]): EnvelopeSealer {
  if (keys.length === 0) throw new Error('an envelope sealer needs at least one key');
  const buffers = keys.map((key) => Buffer.from(key, 'utf8'));
  return {
    seal(message) {
      const { [GATEWAY_SEAL_FIELD]: _old, ...rest } = message;
      const tag = mac(buffers[0]!, sealedContent(rest)).toString('base64url');
      return JSON.stringify({ ...rest, [GATEWAY_SEAL_FIELD]: `${SEAL_VERSION}.${tag}` });
    },
    verify(message) {
      const claimed = message[GATEWAY_SEAL_FIELD];
      if (typeof claimed !== 'string' || !claimed.startsWith(`${SEAL_VERSION}.`)) return false;
      const presented = Buffer.from(claimed.slice(SEAL_VERSION.length + 1), 'base64url');
      const { [GATEWAY_SEAL_FIELD]: _seal, ...rest } = message;
      const content = sealedContent(rest);
      // Every key is tried (no early exit): timing does not tell which one matched.
      return buffers.reduce((found, key) => {
        const expected = mac(key, content);
        return (presented.length === expected.length && timingSafeEqual(presented, expected)) || found;
      }, false);
    },
  };
}

/** A key for a process that was given none: its seals verify only within that process. */
let processKey: string | undefined;

/**
 * The sealer from the environment: the keys in the secret or the variable. Without either, a
 * random key of this process — seals then verify only in this process (tests, a local server that
 * consumes its own queue); a deployed queue function would dead-letter every envelope as unverified,
 * which fails closed. The construct always sets the secret.
 */
export async function envelopeSealerFromEnv(
  env: Env,
  readSecret: (arn: string) => Promise<string>,
): Promise<{ sealer: EnvelopeSealer; configured: boolean }> {
  const arn = env[GATEWAY_ENV.envelopeKeySecretArn];
  const raw = arn ? await readSecret(arn) : env[GATEWAY_ENV.envelopeKey];
  const keys = (raw ?? '')
    .split(',')
    .map((key) => key.trim())
    .filter((key) => key.length > 0);
  if (keys.length > 0) return { sealer: createEnvelopeSealer(keys), configured: true };
  processKey ??= randomBytes(32).toString('base64url');
  return { sealer: createEnvelopeSealer([processKey]), configured: false };
}
