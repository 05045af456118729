/**
 * The cryptography behind each webhook verifier preset (rules in core/webhook-verifiers). Every
 * verifier sees the raw body bytes exactly as received, accepts any of the source's secrets (so a
 * secret is rotated without downtime), compares digests in constant time (node:crypto
 * timingSafeEqual) and refuses a signed timestamp outside its tolerance. Standard Webhooks runs on
 * the reference `standardwebhooks` library.
 */
import { EventGatewayError } from '../../contract/errors';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { problem } from '../core/problems';
import { fail, ok, type Result } from '../core/result';
import {
  isWithinTolerance,
  parseStripeSignature,
  parseUnixSeconds,
  SIGNATURE_TOLERANCE_SECONDS,
  slackSignedContent,
  type VerifierConfig,
} from '../core/webhook-verifiers';

export interface WebhookRequest {
  headers: Headers;
  body: Uint8Array;
}

/** A verifier's verdict: verified (nothing more to say), or the problem that refuses the request. */
export type WebhookVerdict = Result<undefined>;

export interface WebhookVerifier {
  readonly preset: VerifierConfig['preset'];
  verify(request: WebhookRequest): WebhookVerdict;
}

export class WebhookSecretError extends EventGatewayError {
  override readonly name = 'WebhookSecretError';
}

const OK: WebhookVerdict = ok(undefined);

const refuse = (detail: string, header: string): WebhookVerdict =>
  fail(problem('unauthenticated', detail, `header.${header}`));

/** Equal-length buffers compared in constant time; a length mismatch is simply unequal. */
function buffersEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Whether any presented encoding matches any expected digest; every pair is compared (no early exit). */
function anyMatch(expected: readonly Buffer[], presented: readonly Buffer[]): boolean {
  let matched = false;
  for (const digest of expected)
    for (const candidate of presented) matched = buffersEqual(digest, candidate) || matched;
  return matched;
}

const decodeHex = (text: string): Buffer | undefined =>
  /^[0-9a-f]+$/i.test(text) && text.length % 2 === 0 ? Buffer.from(text, 'hex') : undefined;

const decodeBase64 = (text: string): Buffer | undefined =>
  /^[A-Za-z0-9+/]+={0,2}$/.test(text) ? Buffer.from(text, 'base64') : undefined;

const hmac = (algorithm: string, secret: string, ...parts: (string | Uint8Array)[]) => {
  const mac = createHmac(algorithm, secret);
  for (const part of parts) mac.update(part);
  return mac.digest();
};

/** Hex SHA-256 of the body: the event id of providers that sign no id of their own. */
export const bodyDigest = (body: Uint8Array): string => createHash('sha256').update(body).digest('hex');

/**
 * The digest an event id is made of (core/webhook-routing `WebhookDigest`): the body's, or — for a
 * preset whose type header is unsigned — the type's and the body's together.
 */
export const webhookDigest =
  (body: Uint8Array) =>
  (boundType: string | undefined): string =>
    boundType === undefined
      ? bodyDigest(body)
      : createHash('sha256').update(`event-type:${boundType}\n`).update(body).digest('hex');

function stripeVerifier(secrets: readonly string[], tolerance: number, now: () => number): WebhookVerifier {
  const header = 'stripe-signature';
  return {
    preset: 'stripe',
    verify({ headers, body }) {
      const value = headers.get(header);
      if (!value) return refuse('Stripe webhooks need the Stripe-Signature header.', header);
      const parsed = parseStripeSignature(value);
      if (!parsed) return refuse('The Stripe-Signature header must look like t=<seconds>,v1=<hex>.', header);
      if (!isWithinTolerance(parsed.timestamp, now(), tolerance)) {
        return refuse(`The Stripe-Signature timestamp is more than ${tolerance} s away from now.`, header);
      }
      const expected = secrets.map((secret) => hmac('sha256', secret, `${parsed.timestamp}.`, body));
      const presented = parsed.signatures.flatMap((hex) => decodeHex(hex) ?? []);
      return anyMatch(expected, presented)
        ? OK
        : refuse('The Stripe-Signature does not match the body.', header);
    },
  };
}

/** HMAC over the body (optionally `{timestamp}.{body}`), the digest in one header. */
function headerHmacVerifier(
  preset: VerifierConfig['preset'],
  options: {
    header: string;
    algorithm: string;
    encoding: 'hex' | 'base64';
    prefix: string;
    secrets: readonly string[];
    timestamp?: {
      header: string;
      tolerance: number;
      now: () => number;
      signed: (t: string, body: Uint8Array) => (string | Uint8Array)[];
    };
  },
): WebhookVerifier {
  const { header, prefix } = options;
  return {
    preset,
    verify({ headers, body }) {
      const value = headers.get(header)?.trim();
      if (!value) return refuse(`This source needs the ${header} header.`, header);
      let parts: (string | Uint8Array)[] = [body];
      if (options.timestamp) {
        const { header: tsHeader, tolerance, now, signed } = options.timestamp;
        const raw = headers.get(tsHeader) ?? '';
        const seconds = parseUnixSeconds(raw);
        if (seconds === undefined)
          return refuse(`This source needs the ${tsHeader} header (Unix seconds).`, tsHeader);
        if (!isWithinTolerance(seconds, now(), tolerance)) {
          return refuse(`The ${tsHeader} is more than ${tolerance} s away from now.`, tsHeader);
        }
        parts = signed(raw.trim(), body);
      }
      if (!value.startsWith(prefix)) return refuse(`The ${header} must start with "${prefix}".`, header);
      const encoded = value.slice(prefix.length);
      const presented = options.encoding === 'hex' ? decodeHex(encoded) : decodeBase64(encoded);
      const expected = options.secrets.map((secret) => hmac(options.algorithm, secret, ...parts));
      return presented && anyMatch(expected, [presented])
        ? OK
        : refuse(`The ${header} does not match the body.`, header);
    },
  };
}

function standardWebhooksVerifier(secrets: readonly string[]): WebhookVerifier {
  const webhooks = secrets.map((secret) => {
    try {
      return new Webhook(secret);
    } catch (error) {
      throw new WebhookSecretError(
        `not a Standard Webhooks secret (whsec_<base64>): ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  });
  return {
    preset: 'standard-webhooks',
    verify({ headers, body }) {
      const names = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;
      const missing = names.find((name) => !headers.get(name));
      if (missing) return refuse(`Standard Webhooks requests need the ${missing} header.`, missing);
      const signed = Object.fromEntries(names.map((name) => [name, headers.get(name) ?? '']));
      let stale = false;
      for (const webhook of webhooks) {
        try {
          webhook.verify(Buffer.from(body), signed, { jsonParse: false });
          return OK;
        } catch (error) {
          if (!(error instanceof WebhookVerificationError)) throw error;
          stale ||= /timestamp|Invalid Signature Headers/i.test(error.message);
        }
      }
      return stale
        ? refuse(
            'The webhook-timestamp is malformed or more than 5 minutes away from now.',
            'webhook-timestamp',
          )
        : refuse('The webhook-signature does not match the body.', 'webhook-signature');
    },
  };
}

function apiKeyVerifier(header: string, keys: readonly string[]): WebhookVerifier {
  const sha256 = (text: string) => createHash('sha256').update(text).digest();
  // Digests of equal length: comparison time depends neither on the key nor on its length.
  const digests = keys.map(sha256);
  return {
    preset: 'api-key',
    verify({ headers }) {
      const presented = headers.get(header);
      if (!presented) return refuse(`This source needs its key in the ${header} header.`, header);
      return anyMatch(digests, [sha256(presented)]) ? OK : refuse(`The ${header} is not valid.`, header);
    },
  };
}

/**
 * The verifier of one source. `secrets` are every secret currently accepted (at least one, except
 * for `none`); `now` is injectable for tests of the tolerance.
 */
export function createWebhookVerifier(
  config: VerifierConfig,
  secrets: readonly string[],
  now: () => number = Date.now,
): WebhookVerifier {
  if (config.preset !== 'none' && secrets.length === 0)
    throw new WebhookSecretError(`the ${config.preset} verifier needs a secret`);
  switch (config.preset) {
    case 'stripe':
      return stripeVerifier(secrets, config.toleranceSeconds ?? SIGNATURE_TOLERANCE_SECONDS, now);
    case 'github':
      return headerHmacVerifier('github', {
        header: 'x-hub-signature-256',
        algorithm: 'sha256',
        encoding: 'hex',
        prefix: 'sha256=',
        secrets,
      });
    case 'shopify':
      return headerHmacVerifier('shopify', {
        header: 'x-shopify-hmac-sha256',
        algorithm: 'sha256',
        encoding: 'base64',
        prefix: '',
        secrets,
      });
    case 'slack':
      return headerHmacVerifier('slack', {
        header: 'x-slack-signature',
        algorithm: 'sha256',
        encoding: 'hex',
        prefix: 'v0=',
        secrets,
        timestamp: {
          header: 'x-slack-request-timestamp',
          tolerance: config.toleranceSeconds ?? SIGNATURE_TOLERANCE_SECONDS,
          now,
          signed: (t, body) => [slackSignedContent(t, ''), body],
        },
      });
    case 'hmac':
      return headerHmacVerifier('hmac', {
        header: config.header,
        algorithm: config.algorithm,
        encoding: config.encoding,
        prefix: config.prefix,
        secrets,
        ...(config.timestampHeader
          ? {
              timestamp: {
                header: config.timestampHeader,
                tolerance: config.toleranceSeconds ?? SIGNATURE_TOLERANCE_SECONDS,
                now,
                signed: (t: string, body: Uint8Array) => [`${t}.`, body],
              },
            }
          : {}),
      });
    case 'standard-webhooks':
      return standardWebhooksVerifier(secrets);
    case 'api-key':
      return apiKeyVerifier(config.header, secrets);
    case 'none':
      return { preset: 'none', verify: () => OK };
  }
}
