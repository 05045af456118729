/**
 * The local stack's envelope key (functions/adapters/envelope-seal.ts): generated once and kept in
 * `.dev-data/`, so envelopes queued or dead-lettered by one run of `npm run dev` still verify after
 * a restart (the queues persist too). `GATEWAY_ENVELOPE_KEY` in the environment wins.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { GATEWAY_ENV } from '../functions/core/env-names';

export function localEnvelopeKey(
  file: string,
  env: Record<string, string | undefined> = process.env,
): string {
  const configured = env[GATEWAY_ENV.envelopeKey];
  if (configured) return configured;
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const key = randomBytes(32).toString('base64url');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}
