/**
 * How a webhook source proves who sent a request: one preset per provider, plus a generic HMAC, an
 * API key and an explicit `none`. This module holds the configuration and the rules that need no
 * cryptography (which headers, what is signed, how old a timestamp may be); the HMACs run in
 * `adapters/webhook-verification`.
 */
import * as z from 'zod';
import { SIGNATURE_TOLERANCE_SECONDS } from './auth-settings';

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

const toleranceSeconds = () =>
  z
    .number()
    .int()
    .min(1)
    .max(24 * 3600)
    .optional()
    .describe(`How far a signed timestamp may lie from now; default ${SIGNATURE_TOLERANCE_SECONDS} s.`);

const headerName = () =>
  z
    .string()
    .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/, 'must be an HTTP header name')
    .transform((name) => name.toLowerCase());

// Built at the first validation (z.lazy): a cold start compiling a validated configuration never builds it.
export const VerifierSchema = z.lazy(() =>
  z.discriminatedUnion('preset', [
    /** `Stripe-Signature: t=…,v1=…`, HMAC-SHA256 over `{t}.{body}`. */
    z.strictObject({ preset: z.literal('stripe'), toleranceSeconds: toleranceSeconds() }),
    /**
     * `X-Hub-Signature-256: sha256=…`, HMAC-SHA256 over the body. GitHub signs no timestamp, and
     * not the `X-GitHub-Event` header the event type comes from (nor `X-GitHub-Delivery`): a captured
     * body can be re-sent as another event type. Routes should also match signed body fields
     * (`action`, the object the event is about); the event id binds the type to the body's digest.
     */
    z.strictObject({ preset: z.literal('github') }),
    /** `webhook-id`, `webhook-timestamp`, `webhook-signature` (Svix, Clerk, Resend, …). */
    z.strictObject({ preset: z.literal('standard-webhooks') }),
    /** `X-Slack-Signature: v0=…` over `v0:{X-Slack-Request-Timestamp}:{body}`. */
    z.strictObject({ preset: z.literal('slack'), toleranceSeconds: toleranceSeconds() }),
    /**
     * `X-Shopify-Hmac-Sha256`: base64 HMAC-SHA256 over the body only. Shopify signs no timestamp and
     * not `X-Shopify-Topic` (the event type), `X-Shopify-Webhook-Id` or `X-Shopify-Event-Id`: a
     * captured `orders/create` body can be re-sent as `orders/paid`. Routes should also match signed
     * body fields (`financial_status: paid`); the event id binds the topic to the body's digest.
     */
    z.strictObject({ preset: z.literal('shopify') }),
    /** Any other HMAC scheme: which header, which hash, how it is encoded, whether a timestamp is signed. */
    z.strictObject({
      preset: z.literal('hmac'),
      header: headerName(),
      algorithm: z.enum(['sha256', 'sha512', 'sha1']).default('sha256'),
      encoding: z.enum(['hex', 'base64']).default('hex'),
      /** Text before the digest in the header, e.g. `sha256=`. */
      prefix: z.string().max(40).default(''),
      /** With a timestamp header, the signed content is `{timestamp}.{body}` and its age is checked. */
      timestampHeader: headerName().optional(),
      toleranceSeconds: toleranceSeconds(),
    }),
    /** A shared key in a header (constant-time compared). It proves the sender, not the body. */
    z.strictObject({ preset: z.literal('api-key'), header: headerName().default('x-api-key') }),
    /** No verification at all: only for sources that are authenticated elsewhere. Explicit opt-in. */
    z.strictObject({ preset: z.literal('none') }),
  ]),
);

export type VerifierConfig = z.output<typeof VerifierSchema>;

/** Where a source's secret (or several, while rotating) is read from at start-up. */
// Built at the first validation (z.lazy), like the verifier.
export const SecretRefSchema = z.lazy(() =>
  z.union([
    /** An environment variable (local runs). */
    z.strictObject({
      env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/),
      optional: z.boolean().optional(),
    }),
    /** A local file (local runs); its content is the value. */
    z.strictObject({ file: z.string().min(1), optional: z.boolean().optional() }),
    /** A Secrets Manager secret (deployed): read at cold start, cached. */
    z.strictObject({
      secretArn: z.string().regex(/^arn:[^:]+:secretsmanager:/, 'must be a Secrets Manager ARN'),
    }),
    /**
     * A Secrets Manager secret whose ARN is in this environment variable: what the CDK construct
     * passes, since the configuration file is built before the secret's ARN is known.
     */
    z.strictObject({ secretArnEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/) }),
  ]),
);

export type SecretRef = z.output<typeof SecretRefSchema>;

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
