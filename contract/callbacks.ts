/**
 * Wire names of callback URLs, shared by the worker (which mints them) and the gateway (which
 * redeems them). Plain data only, importing nothing. Never rename a claim: minted URLs that are
 * still out there carry the old name.
 */

/** The path a callback URL points at: `{base}/v1/callbacks/{token}`; `…/fail` fails an activity. */
export const CALLBACK_PATH = '/v1/callbacks' as const;

/** The one signing algorithm: HMAC-SHA-256 over a JWS (RFC 7515) compact serialization. */
export const CALLBACK_TOKEN_ALGORITHM = 'HS256' as const;

/** Environment variables of the callback feature, read by the worker and the gateway alike. */
export const CALLBACK_ENV = {
  /**
   * The signing keys, `keyId:secret[,keyId:secret…]`. The first key signs new URLs; every listed
   * key verifies, so a rotation lists the new key first and keeps the old one until its URLs have
   * expired. A bare secret without `keyId:` is key `k0`. Locally an environment variable; deployed,
   * a Secrets Manager secret (see `signingKeysSecretArn`).
   */
  signingKeys: 'CALLBACK_SIGNING_KEYS',
  /** ARN of the Secrets Manager secret holding the signing keys, in the format above (Lambda). */
  signingKeysSecretArn: 'CALLBACK_SIGNING_KEYS_SECRET_ARN',
  /** The gateway's public base URL the worker mints URLs under, e.g. `https://api.example.com`. */
  baseUrl: 'CALLBACK_BASE_URL',
} as const;

/** The key id of a bare secret (no `keyId:` prefix). */
export const DEFAULT_CALLBACK_KEY_ID = 'k0';

/** What a callback delivers: a signal or an update to the workflow, or an activity's completion. */
export type CallbackAction =
  | { readonly kind: 'signal'; readonly name: string }
  | { readonly kind: 'update'; readonly name: string }
  | { readonly kind: 'activity'; readonly taskToken: string };

/**
 * The claims of a callback token (JWT claim names where JWT has one). The token is signed, not
 * encrypted: anyone holding the URL can read these, so nothing secret goes in.
 */
export interface CallbackClaims {
  /** Token id: the event id of the delivery, so a second POST of the same URL is applied once. */
  readonly jti: string;
  /** Expiry, seconds since the epoch. */
  readonly exp: number;
  /** Issued at, seconds since the epoch. */
  readonly iat: number;
  /** The workflow the callback belongs to. */
  readonly wid: string;
  /** What the callback delivers. */
  readonly act: CallbackAction;
  /** JSON Schema the POSTed body must satisfy; absent = any JSON value (or none). */
  readonly sch?: Record<string, unknown>;
}

/** The activity that mints a callback URL for a workflow (a wire name: it is in histories). */
export const CALLBACK_ACTIVITY = 'mintCallbackUrl' as const;
