/**
 * The schema of a webhook source as configured (core/webhook-sources.ts compiles it): its verifier
 * and secret (core/webhook-verifiers.ts holds what they mean), where its event id and type come from,
 * its routes. zod, so loaded only where a configuration is validated in full, never by a function
 * running a sealed configuration.
 */
import * as z from 'zod';
import { SIGNATURE_TOLERANCE_SECONDS } from './auth-settings';
import { WebhookRouteSchema } from './route-schemas';

/** Longest a provider may wait for an answer before it counts the delivery as failed (Slack: 3 s). */
export const DEFAULT_ANSWER_WITHIN_MS = 2_500;

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

const idSourceSchema = () =>
  z.union([
    z.strictObject({
      header: z
        .string()
        .min(1)
        .transform((name) => name.toLowerCase()),
    }),
    z.strictObject({ field: z.string().min(1) }),
  ]);

/** A header or body field overriding a preset's event id or type, as configured. */
export type IdSourceConfig = z.output<ReturnType<typeof idSourceSchema>>;

// Built at the first validation (z.lazy): a cold start compiling a validated configuration never builds it.
export const SourceSchema = z.lazy(() =>
  z.strictObject({
    /** The `{source}` of `POST /v1/webhooks/{source}`. */
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be 1-64 lower-case letters, digits, _ -'),
    verifier: VerifierSchema,
    /** Required unless the verifier is `none`. */
    secret: SecretRefSchema.optional(),
    /** Overrides the preset's event id: a header or a body field. Default: the preset's, else a digest of the body. */
    eventId: idSourceSchema().optional(),
    /** Overrides the preset's event type: a header or a body field. */
    eventType: idSourceSchema().optional(),
    routes: z.array(WebhookRouteSchema).default([]),
    /**
     * Milliseconds to answer within: a delivery Temporal has not taken by then goes to the fallback
     * queue and the provider gets its 2xx in time.
     */
    answerWithinMs: z.number().int().min(100).max(25_000).default(DEFAULT_ANSWER_WITHIN_MS),
  }),
);

export type SourceConfig = z.output<typeof SourceSchema>;
export type SourceConfigInput = z.input<typeof SourceSchema>;
