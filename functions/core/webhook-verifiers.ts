/**
 * How a webhook source proves who sent a request: one preset per provider, plus a generic HMAC, an
 * API key and an explicit `none`. This module holds the configuration and the rules that need no
 * cryptography (which headers, what is signed, how old a timestamp may be); the HMACs run in
 * `adapters/webhook-verification`.
 */
import type { SecretRef, VerifierConfig } from './webhook-source-schema';

export type { SecretRef, VerifierConfig };

export const VERIFIER_PRESETS = [
  'stripe',
  'github',
  'standard-webhooks',
  'slack',
  'shopify',
  'hmac',
  'api-key',
  'none',
] as const;
export type VerifierPreset = (typeof VERIFIER_PRESETS)[number];

/**
 * A secret's value holds one secret, or a JSON array of them: every listed secret is accepted, so a
 * secret is rotated by listing old and new, switching the provider, then removing the old one.
 */
export function parseSecretValue(
  value: string,
): { ok: true; secrets: string[] } | { ok: false; error: string } {
  const text = value.trim();
  if (text === '') return { ok: false, error: 'is empty' };
  if (!text.startsWith('[')) return { ok: true, secrets: [text] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, error: 'starts with "[" but is not a JSON array of strings' };
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length === 0 ||
    !parsed.every((s) => typeof s === 'string' && s.trim() !== '')
  ) {
    return { ok: false, error: 'must be a non-empty JSON array of non-empty strings' };
  }
  return { ok: true, secrets: parsed.map((s: string) => s.trim()) };
}

export const needsSecret = (verifier: VerifierConfig): boolean => verifier.preset !== 'none';

/** The header each preset reads its signature (or key) from: what a 401 names. */
export function signatureHeader(verifier: VerifierConfig): string | undefined {
  switch (verifier.preset) {
    case 'stripe':
      return 'stripe-signature';
    case 'github':
      return 'x-hub-signature-256';
    case 'standard-webhooks':
      return 'webhook-signature';
    case 'slack':
      return 'x-slack-signature';
    case 'shopify':
      return 'x-shopify-hmac-sha256';
    case 'hmac':
    case 'api-key':
      return verifier.header;
    case 'none':
      return undefined;
  }
}

/** `X-Slack-Signature: v0=<hex>` is computed over this text. */
export const slackSignedContent = (timestamp: string, body: string): string => `v0:${timestamp}:${body}`;

/** A decimal Unix timestamp in seconds, as signing schemes send it; undefined when malformed. */
export function parseUnixSeconds(text: string | null | undefined): number | undefined {
  return text !== null && text !== undefined && /^[0-9]{1,12}$/.test(text.trim())
    ? Number(text.trim())
    : undefined;
}

export { isWithinTolerance, parseStripeSignature, SIGNATURE_TOLERANCE_SECONDS } from './auth-settings';
