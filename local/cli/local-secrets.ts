/**
 * Local secrets of `event-gateway dev`, by name: each webhook source's signing secret in
 * `GATEWAY_SOURCE_<NAME>_SECRET` (the deployed function gets the secret's ARN in
 * `GATEWAY_SOURCE_<NAME>_SECRET_ARN`), the caller API keys in `GATEWAY_API_KEYS`, a signing gateway's
 * secret in `GATEWAY_WEBHOOK_SECRET`. A value comes from the environment, else the app's `.env`, else
 * `.event-gateway/secrets.env` — where `event-gateway dev` keeps what it generated, so
 * `event-gateway send` run in the app signs with the same secret. Values are never logged by this
 * module; the dev command prints a generated one once, as `stripe listen` prints its `whsec_`.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';

/** The project-local directory of `event-gateway dev` (state, secrets, the synthesized assembly). */
export const DEV_DIR = '.event-gateway';
const SECRETS_FILE = 'secrets.env';

/** The local variable of a webhook source's secret: `stripe` → `GATEWAY_SOURCE_STRIPE_SECRET`. */
export const localSourceSecretName = (source: string): string =>
  `GATEWAY_SOURCE_${source.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_SECRET`;

export type SecretOrigin = 'environment' | '.env' | 'generated earlier' | 'generated now';

export interface LocalSecret {
  readonly name: string;
  readonly value: string;
  readonly origin: SecretOrigin;
}

function readEnvFile(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  const parsed = parseEnv(readFileSync(file, 'utf8'));
  return Object.fromEntries(
    Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

/** What the app's `.env` and the persisted secrets hold, the `.env` winning. */
export function appSecretFiles(appDir: string): {
  dotEnv: Record<string, string>;
  persisted: Record<string, string>;
} {
  return {
    dotEnv: readEnvFile(join(appDir, '.env')),
    persisted: readEnvFile(join(appDir, DEV_DIR, SECRETS_FILE)),
  };
}

/** `env` with the app's local secrets filled in where it has none (the environment wins). */
export function withAppSecrets(
  env: Readonly<Record<string, string | undefined>>,
  appDir: string,
): Record<string, string | undefined> {
  const { dotEnv, persisted } = appSecretFiles(appDir);
  const merged: Record<string, string | undefined> = { ...persisted, ...dotEnv };
  for (const [name, value] of Object.entries(env))
    if (value !== undefined && value !== '') merged[name] = value;
  return merged;
}

/** Creates the project-local directory, ignored by git whatever the app's .gitignore says. */
export function ensureDevDir(appDir: string): string {
  const dir = join(appDir, DEV_DIR);
  mkdirSync(dir, { recursive: true });
  const ignore = join(dir, '.gitignore');
  if (!existsSync(ignore)) writeFileSync(ignore, '# event-gateway dev: local state and secrets\n*\n');
  return dir;
}

/** What kind of value to generate: what the verifier that reads it accepts. */
export type SecretKind = 'stripe' | 'standard-webhooks' | 'api-key' | 'hmac';

export function generateSecret(kind: SecretKind): string {
  switch (kind) {
    case 'stripe':
      return `whsec_${randomBytes(24).toString('hex')}`;
    case 'standard-webhooks':
      // Standard Webhooks: whsec_ then the base64 of 24 to 64 random bytes.
      return `whsec_${randomBytes(32).toString('base64')}`;
    case 'api-key':
      return `k_local_${randomBytes(16).toString('hex')}`;
    case 'hmac':
      return randomBytes(32).toString('hex');
  }
}

/**
 * Each named secret from the environment, the app's `.env` or the persisted file, else generated
 * and persisted (mode 600) for the next run and for `event-gateway send`.
 */
export function resolveLocalSecrets(
  appDir: string,
  env: Readonly<Record<string, string | undefined>>,
  wanted: ReadonlyArray<{ name: string; kind: SecretKind }>,
): LocalSecret[] {
  const { dotEnv, persisted } = appSecretFiles(appDir);
  const generated: Record<string, string> = {};
  const secrets = wanted.map(({ name, kind }): LocalSecret => {
    const fromEnv = env[name]?.trim();
    if (fromEnv) return { name, value: fromEnv, origin: 'environment' };
    if (dotEnv[name]?.trim()) return { name, value: dotEnv[name].trim(), origin: '.env' };
    if (persisted[name]?.trim()) return { name, value: persisted[name].trim(), origin: 'generated earlier' };
    generated[name] = generateSecret(kind);
    return { name, value: generated[name], origin: 'generated now' };
  });
  if (Object.keys(generated).length > 0) {
    const all = { ...persisted, ...generated };
    const lines = Object.entries(all).map(([name, value]) => `${name}=${value}`);
    writeFileSync(join(ensureDevDir(appDir), SECRETS_FILE), `${lines.join('\n')}\n`, { mode: 0o600 });
  }
  return secrets;
}
