/**
 * Sender authentication for the HTTP API, one verifier per GATEWAY_AUTH mode. Verifiers see the raw
 * body bytes exactly as received — the same bytes the JSON parser reads afterwards — because a
 * signature over a re-serialised body would not match.
 *
 * Replays: a webhook signature stays valid when copied, so each verified request also yields an
 * authenticated event id. Temporal dedupes by that id (the request id of every delivery derives from
 * it), so a replayed request is recorded once; timestamped schemes also refuse anything outside
 * their tolerance. Ids from unsigned headers (Idempotency-Key, ce-id) do not override it.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import {
  isWithinTolerance,
  parseAuthSettings,
  parseStripeSignature,
  type AuthMode,
  type AuthSettings,
} from '../core/auth-settings';
import { GATEWAY_ENV } from '../core/env-names';
import { problem, type Problem } from '../core/problems';
import { apiKeyCaller } from './caller-identity';
import type { Env } from './secrets';

export interface AuthRequest {
  headers: Headers;
  /** The raw body; empty for requests without one. */
  body: Uint8Array;
}

export type AuthVerdict =
  | {
      ok: true;
      eventId?: string;
      /** Who the request is from, as an event-id caller segment (core/event-ids.ts); never a secret. */
      caller?: string;
    }
  | {
      ok: false;
      problem: Problem;
      /** Value of `WWW-Authenticate`, where a standard scheme applies. */ challenge?: string;
    };

export interface Authenticator {
  readonly mode: AuthMode;
  /** Whether `verify` needs the body; the API-key check runs before the body is read. */
  readonly needsBody: boolean;
  verify(request: AuthRequest): AuthVerdict;
}

const BEARER_CHALLENGE = 'Bearer realm="event-gateway"';

const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();

const refuse = (detail: string, field: string, challenge?: string): AuthVerdict => ({
  ok: false,
  problem: problem('unauthenticated', detail, field),
  ...(challenge ? { challenge } : {}),
});

/** Equal-length digests compared in constant time: neither the key nor its length leaks. */
function digestsEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function hexEqual(expected: Buffer, hex: string): boolean {
  return (
    /^[0-9a-f]+$/i.test(hex) &&
    hex.length === expected.length * 2 &&
    digestsEqual(expected, Buffer.from(hex, 'hex'))
  );
}

/** The signed body's digest: the event id of providers that sign no id of their own. */
const bodyEventId = (body: Uint8Array) => `sha256-${sha256(body).toString('hex')}`;

function apiKeyAuthenticator(keys: readonly string[]): Authenticator {
  // Only digests are kept and compared, so comparison time does not depend on where keys differ.
  const digests = keys.map((key) => sha256(key));
  const callers = keys.map(apiKeyCaller);
  return {
    mode: 'api-key',
    needsBody: false,
    verify({ headers }) {
      const bearer = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(headers.get('authorization') ?? '')?.[1];
      const presented = headers.get('x-api-key') ?? bearer;
      if (!presented) {
        return refuse(
          'Send an API key in the x-api-key header or as Authorization: Bearer <key>.',
          'header.x-api-key',
          BEARER_CHALLENGE,
        );
      }
      const digest = sha256(presented);
      // Every key is compared (no early exit), so timing does not reveal which key matched.
      const matched = digests.reduce<number>(
        (found, candidate, index) => (digestsEqual(candidate, digest) ? index : found),
        -1,
      );
      return matched >= 0
        ? { ok: true, caller: callers[matched]! }
        : refuse(
            'The API key is not valid.',
            headers.has('x-api-key') ? 'header.x-api-key' : 'header.authorization',
            `${BEARER_CHALLENGE}, error="invalid_token"`,
          );
    },
  };
}

function standardWebhooksAuthenticator(secret: string): Authenticator {
  const webhook = new Webhook(secret);
  return {
    mode: 'standard-webhooks',
    needsBody: true,
    verify({ headers, body }) {
      const id = headers.get('webhook-id');
      const timestamp = headers.get('webhook-timestamp');
      const signature = headers.get('webhook-signature');
      if (!id || !timestamp || !signature) {
        const missing = !id ? 'webhook-id' : !timestamp ? 'webhook-timestamp' : 'webhook-signature';
        return refuse(`Standard Webhooks requests need the ${missing} header.`, `header.${missing}`);
      }
      try {
        webhook.verify(
          Buffer.from(body),
          { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature },
          { jsonParse: false },
        );
      } catch (error) {
        if (!(error instanceof WebhookVerificationError)) throw error;
        const stale = /timestamp|Invalid Signature Headers/i.test(error.message);
        return stale
          ? refuse(
              'The webhook-timestamp is missing, malformed or more than 5 minutes away from now.',
              'header.webhook-timestamp',
            )
          : refuse('The webhook-signature does not match the body.', 'header.webhook-signature');
      }
      return { ok: true, eventId: id, caller: 'signed-standard-webhooks' };
    },
  };
}

function githubAuthenticator(secret: string): Authenticator {
  return {
    mode: 'github',
    needsBody: true,
    verify({ headers, body }) {
      const header = headers.get('x-hub-signature-256');
      if (!header)
        return refuse('GitHub webhooks need the X-Hub-Signature-256 header.', 'header.x-hub-signature-256');
      const expected = createHmac('sha256', secret).update(body).digest();
      const hex = header.startsWith('sha256=') ? header.slice('sha256='.length) : '';
      return hexEqual(expected, hex)
        ? { ok: true, eventId: bodyEventId(body), caller: 'signed-github' }
        : refuse('The X-Hub-Signature-256 does not match the body.', 'header.x-hub-signature-256');
    },
  };
}

function stripeAuthenticator(secret: string, now: () => number): Authenticator {
  return {
    mode: 'stripe',
    needsBody: true,
    verify({ headers, body }) {
      const header = headers.get('stripe-signature');
      if (!header)
        return refuse('Stripe webhooks need the Stripe-Signature header.', 'header.stripe-signature');
      const parsed = parseStripeSignature(header);
      if (!parsed)
        return refuse(
          'The Stripe-Signature header must look like t=<seconds>,v1=<hex>.',
          'header.stripe-signature',
        );
      if (!isWithinTolerance(parsed.timestamp, now())) {
        return refuse(
          'The Stripe-Signature timestamp is more than 5 minutes away from now.',
          'header.stripe-signature',
        );
      }
      const expected = createHmac('sha256', secret).update(`${parsed.timestamp}.`).update(body).digest();
      // Stripe sends several v1 signatures while a secret is being rolled: any one may match.
      const matched = parsed.signatures.reduce((found, hex) => hexEqual(expected, hex) || found, false);
      return matched
        ? { ok: true, eventId: bodyEventId(body), caller: 'signed-stripe' }
        : refuse('The Stripe-Signature does not match the body.', 'header.stripe-signature');
    },
  };
}

const open: Authenticator = { mode: 'none', needsBody: false, verify: () => ({ ok: true }) };

export function createAuthenticator(settings: AuthSettings, now: () => number = Date.now): Authenticator {
  switch (settings.mode) {
    case 'none':
      return open;
    case 'api-key':
      return apiKeyAuthenticator(settings.apiKeys);
    case 'standard-webhooks':
      return standardWebhooksAuthenticator(settings.secret);
    case 'github':
      return githubAuthenticator(settings.secret);
    case 'stripe':
      return stripeAuthenticator(settings.secret, now);
  }
}

/** The auth settings from the environment, or every problem with them. */
export function authSettingsFromEnv(
  env: Env,
): { ok: true; settings: AuthSettings } | { ok: false; problems: string[] } {
  const parsed = parseAuthSettings({
    mode: env[GATEWAY_ENV.auth],
    apiKeys: env[GATEWAY_ENV.apiKeys],
    webhookSecret: env[GATEWAY_ENV.webhookSecret],
  });
  if (!parsed.ok || parsed.settings.mode !== 'standard-webhooks') return parsed;
  try {
    new Webhook(parsed.settings.secret);
    return parsed;
  } catch (error) {
    return {
      ok: false,
      problems: [`${GATEWAY_ENV.webhookSecret}: not a usable secret (${(error as Error).message})`],
    };
  }
}
