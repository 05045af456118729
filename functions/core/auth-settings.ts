/**
 * How a deployment authenticates senders, chosen with GATEWAY_AUTH and checked at start-up together
 * with the rest of the configuration. The verifiers themselves (hashes, HMACs) live in an adapter;
 * this module holds the rules that need no cryptography.
 */
import { GATEWAY_ENV } from './env-names';

export const AUTH_MODES = ['none', 'api-key', 'standard-webhooks', 'github', 'stripe'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

/**
 * Modes that authenticate the caller rather than a signed body. Only these may reach the
 * path-addressed endpoints (`/v1/workflows/…`): a body signature does not cover the path, so a
 * signed request replayed to another workflow's URL would verify. IAM and JWT are checked by API
 * Gateway in front of a gateway running with `none`.
 */
export const CALLER_AUTH_MODES = ['none', 'api-key'] as const satisfies readonly AuthMode[];

export const isCallerAuthMode = (mode: AuthMode): boolean =>
  (CALLER_AUTH_MODES as readonly string[]).includes(mode);

/** How far a signed timestamp may lie from now (Standard Webhooks and Stripe both use 5 minutes). */
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

/** Short keys are guessable; 16 characters is the floor, generated keys should be far longer. */
export const MIN_API_KEY_LENGTH = 16;

export type AuthSettings =
  | { mode: 'none' }
  | { mode: 'api-key'; apiKeys: readonly string[] }
  | { mode: 'standard-webhooks' | 'github' | 'stripe'; secret: string };

export interface AuthSettingsInput {
  mode?: string | undefined;
  /** Comma-separated keys; several at once allow rotation without downtime. */
  apiKeys?: string | undefined;
  webhookSecret?: string | undefined;
}

const isAuthMode = (value: string): value is AuthMode => (AUTH_MODES as readonly string[]).includes(value);

/** The settings, or every problem with them (named by the environment variable to fix). */
export function parseAuthSettings(
  input: AuthSettingsInput,
): { ok: true; settings: AuthSettings } | { ok: false; problems: string[] } {
  const mode = input.mode?.trim() || 'none';
  if (!isAuthMode(mode)) {
    return { ok: false, problems: [`${GATEWAY_ENV.auth}: "${mode}" is not one of ${AUTH_MODES.join(', ')}`] };
  }
  if (mode === 'none') return { ok: true, settings: { mode } };
  if (mode === 'api-key') {
    const keys = (input.apiKeys ?? '')
      .split(',')
      .map((key) => key.trim())
      .filter((key) => key.length > 0);
    const problems: string[] = [];
    if (keys.length === 0) {
      problems.push(`${GATEWAY_ENV.apiKeys}: api-key mode needs at least one key (comma-separated)`);
    }
    keys.forEach((key, index) => {
      if (key.length < MIN_API_KEY_LENGTH) {
        problems.push(
          `${GATEWAY_ENV.apiKeys}: key #${index + 1} is shorter than ${MIN_API_KEY_LENGTH} characters`,
        );
      }
    });
    return problems.length > 0 ? { ok: false, problems } : { ok: true, settings: { mode, apiKeys: keys } };
  }
  const secret = input.webhookSecret?.trim() ?? '';
  if (secret === '') {
    return { ok: false, problems: [`${GATEWAY_ENV.webhookSecret}: ${mode} mode needs the signing secret`] };
  }
  if (mode === 'standard-webhooks' && !/^whsec_[A-Za-z0-9+/]+={0,2}$/.test(secret)) {
    return {
      ok: false,
      problems: [`${GATEWAY_ENV.webhookSecret}: a Standard Webhooks secret looks like whsec_<base64>`],
    };
  }
  return { ok: true, settings: { mode, secret } };
}

/** `Stripe-Signature: t=1700000000,v1=<hex>,v1=<hex>` → its timestamp and v1 signatures. */
export function parseStripeSignature(
  header: string,
): { timestamp: number; signatures: string[] } | undefined {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const item of header.split(',')) {
    const separator = item.indexOf('=');
    if (separator < 0) continue;
    const key = item.slice(0, separator).trim();
    const value = item.slice(separator + 1).trim();
    if (key === 't' && /^[0-9]{1,12}$/.test(value)) timestamp = Number(value);
    if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) signatures.push(value.toLowerCase());
  }
  return timestamp === undefined || signatures.length === 0 ? undefined : { timestamp, signatures };
}

export function isWithinTolerance(
  timestampSeconds: number,
  nowMs: number,
  toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS,
): boolean {
  return Math.abs(nowMs / 1000 - timestampSeconds) <= toleranceSeconds;
}
