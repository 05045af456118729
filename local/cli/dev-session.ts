/**
 * What a running `event-gateway dev` tells the other commands run in the same app directory
 * (`.event-gateway/session.json`): the gateway's URL, its auth mode and the routing it serves, with
 * each source's secret referred to by its local name. `event-gateway send` reads it, so
 * `event-gateway send --source stripe --payload event.json` needs no flags there. It holds no secret.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GATEWAY_ENV } from '../../functions/core/env-names';
import {
  DEV_DIR,
  ensureDevDir,
  localSourceSecretName,
  withAppSecrets,
  type SecretKind,
} from './local-secrets';

const SESSION_FILE = 'session.json';

export interface DevSession {
  readonly gatewayUrl: string;
  readonly auth: string;
  /** The routing as the local gateway reads it (GATEWAY_CONFIG). */
  readonly configJson: string;
}

export function writeDevSession(appDir: string, session: DevSession): void {
  writeFileSync(join(ensureDevDir(appDir), SESSION_FILE), `${JSON.stringify(session, null, 2)}\n`);
}

export function readDevSession(appDir: string): DevSession | undefined {
  const file = join(appDir, DEV_DIR, SESSION_FILE);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as DevSession;
  } catch {
    return undefined;
  }
}

/**
 * The environment a command run in `appDir` works with: its own variables first, then what the dev
 * session says (routing, auth mode, port) and the app's local secrets.
 */
export function devSessionEnv(
  env: Readonly<Record<string, string | undefined>>,
  appDir: string,
): Readonly<Record<string, string | undefined>> {
  const session = readDevSession(appDir);
  if (!session) return env;
  const defaults: Record<string, string> = {
    [GATEWAY_ENV.config]: session.configJson,
    [GATEWAY_ENV.auth]: session.auth,
    [GATEWAY_ENV.port]: new URL(session.gatewayUrl).port,
  };
  const merged = withAppSecrets(env, appDir);
  for (const [name, value] of Object.entries(defaults)) if (!merged[name]) merged[name] = value;
  return merged;
}

interface SourceJson {
  name: string;
  verifier?: { preset?: string };
  secret?: Record<string, unknown>;
}

export interface LocalSourceSecret {
  readonly source: string;
  readonly preset: string;
  readonly name: string;
  readonly kind: SecretKind;
}

const kindOf = (preset: string): SecretKind =>
  preset === 'stripe' ? 'stripe' : preset === 'standard-webhooks' ? 'standard-webhooks' : 'hmac';

/**
 * The synthesized routing with every source's Secrets Manager reference replaced by its local
 * variable, and the variables it now needs. Everything else is the app's configuration unchanged.
 */
export function localRouting(configJson: string): { configJson: string; secrets: LocalSourceSecret[] } {
  const config = JSON.parse(configJson) as { sources?: SourceJson[] };
  const secrets: LocalSourceSecret[] = [];
  for (const source of config.sources ?? []) {
    const preset = source.verifier?.preset ?? 'none';
    if (preset === 'none' || !source.secret) continue;
    if ('secretArn' in source.secret || 'secretArnEnv' in source.secret) {
      source.secret = { env: localSourceSecretName(source.name) };
    }
    if (typeof source.secret.env === 'string') {
      secrets.push({ source: source.name, preset, name: source.secret.env, kind: kindOf(preset) });
    }
  }
  return { configJson: JSON.stringify(config), secrets };
}
