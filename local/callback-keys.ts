/**
 * The local stack's callback signing key: generated once and kept in `.dev-data/`, so URLs minted
 * by waiting workflows keep working across restarts of `npm run dev` (which keeps the workflows
 * too). `CALLBACK_SIGNING_KEYS` in the environment wins.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CALLBACK_ENV } from '../contract/callbacks';

export function localCallbackSigningKeys(
  file: string,
  env: Record<string, string | undefined> = process.env,
): string {
  const configured = env[CALLBACK_ENV.signingKeys];
  if (configured) return configured;
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const keys = `dev1:${randomBytes(32).toString('base64url')}`;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${keys}\n`, { mode: 0o600 });
  return keys;
}
