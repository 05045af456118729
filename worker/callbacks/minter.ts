/**
 * Mints callback URLs: a partner POSTs to one and the gateway delivers the body to the workflow (as a
 * signal or an update) or completes the activity that minted it — no credentials, no SDK on the
 * partner's side. The URL carries a JWS signed with a key the gateway also holds.
 *
 * The URL is a bearer capability: whoever holds it may deliver its one event until it expires. It
 * is recorded in workflow history when an activity returns it; the signing key never is.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { parseCallbackSigningKeys, type CallbackSigningKey } from '../../contract/callback-keys';
import {
  CALLBACK_ENV,
  CALLBACK_PATH,
  CALLBACK_TOKEN_ALGORITHM,
  type CallbackAction,
} from '../../contract/callbacks';
import { EventGatewayError } from '../../contract/errors';

/** What a callback URL delivers and for how long. */
export interface CallbackRequest {
  /** The workflow the callback belongs to. */
  readonly workflowId: string;
  /** Deliver the body as this signal (exactly one of `signal` and `update`). */
  readonly signal?: string;
  /** Deliver the body as this update; the partner's POST answers with the update's result. */
  readonly update?: string;
  /** How long the URL works, in seconds. @default 604800 (7 days) */
  readonly expiresInSeconds?: number;
  /** JSON Schema the partner's body must satisfy (checked by the gateway: 400 otherwise). */
  readonly schema?: Record<string, unknown>;
}

/** A callback that completes an activity asynchronously (the activity throws `CompleteAsyncError`). */
export interface ActivityCallbackRequest {
  /** The activity's task token, `Context.current().info.taskToken`. */
  readonly taskToken: Uint8Array;
  /** The workflow the activity belongs to, for logs and the confirmation page. */
  readonly workflowId: string;
  /** @default 604800 (7 days); keep it within the activity's start-to-close timeout. */
  readonly expiresInSeconds?: number;
  readonly schema?: Record<string, unknown>;
}

/** A minted callback. */
export interface CallbackUrl {
  /** POST the partner's body here. `GET` shows a confirmation page whose button POSTs. */
  readonly url: string;
  /** For an activity callback: POST `{ "reason": "…" }` here to fail the activity instead. */
  readonly failUrl: string;
  /** The token id, which is the event id of the delivery. */
  readonly id: string;
  /** When the URL stops working (ISO 8601). */
  readonly expiresAt: string;
}

export interface CallbackMinterOptions {
  /** The gateway's public base URL, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com`. */
  readonly baseUrl: string;
  /** The signing keys; the first signs. Same format and order as the gateway's. */
  readonly keys: readonly CallbackSigningKey[];
  /** The clock, for tests. @default Date.now */
  readonly now?: () => number;
}

export interface CallbackMinter {
  /** A URL that delivers a signal or an update to a workflow. */
  mint(request: CallbackRequest): Promise<CallbackUrl>;
  /** A URL that completes (or, via `failUrl`, fails) the activity holding `taskToken`. */
  mintForActivity(request: ActivityCallbackRequest): Promise<CallbackUrl>;
}

export class CallbackMintError extends EventGatewayError {
  override readonly name = 'CallbackMintError';
}

export const DEFAULT_CALLBACK_EXPIRY_SECONDS = 7 * 24 * 3600;
/** A year: a capability that outlives that is a credential, and should be one. */
export const MAX_CALLBACK_EXPIRY_SECONDS = 366 * 24 * 3600;

function base64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

/**
 * Builds a minter.
 *
 * @example
 * const minter = createCallbackMinter({ baseUrl: 'https://gw.example.com', keys: parseCallbackSigningKeys(secret) });
 * const { url } = await minter.mint({ workflowId: 'order-42', signal: 'shipmentDispatched' });
 */
export function createCallbackMinter(options: CallbackMinterOptions): CallbackMinter {
  const signer = options.keys[0];
  if (!signer) throw new CallbackMintError('No callback signing key is configured.');
  let base: URL;
  try {
    base = new URL(options.baseUrl);
  } catch (error) {
    throw new CallbackMintError(`The callback base URL "${options.baseUrl}" is not a URL.`, { cause: error });
  }
  const root = base.href.replace(/\/+$/, '');
  const now = options.now ?? Date.now;

  async function sign(
    workflowId: string,
    act: CallbackAction,
    expiresInSeconds = DEFAULT_CALLBACK_EXPIRY_SECONDS,
    schema?: Record<string, unknown>,
  ): Promise<CallbackUrl> {
    if (
      !Number.isInteger(expiresInSeconds) ||
      expiresInSeconds < 1 ||
      expiresInSeconds > MAX_CALLBACK_EXPIRY_SECONDS
    ) {
      throw new CallbackMintError(
        `expiresInSeconds must be an integer from 1 to ${MAX_CALLBACK_EXPIRY_SECONDS} (got ${expiresInSeconds}).`,
      );
    }
    if (!workflowId) throw new CallbackMintError('workflowId must not be empty.');
    const issuedAt = Math.floor(now() / 1000);
    const id = randomUUID();
    const token = await new SignJWT({ wid: workflowId, act, ...(schema ? { sch: schema } : {}) })
      .setProtectedHeader({ alg: CALLBACK_TOKEN_ALGORITHM, kid: signer!.id })
      .setJti(id)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + expiresInSeconds)
      .sign(signer!.secret);
    const url = `${root}${CALLBACK_PATH}/${token}`;
    return {
      url,
      failUrl: `${url}/fail`,
      id,
      expiresAt: new Date((issuedAt + expiresInSeconds) * 1000).toISOString(),
    };
  }

  return {
    mint(request) {
      const named = [request.signal, request.update].filter((name) => name !== undefined);
      if (named.length !== 1) {
        return Promise.reject(new CallbackMintError('Name exactly one of `signal` and `update`.'));
      }
      const act: CallbackAction = request.signal
        ? { kind: 'signal', name: request.signal }
        : { kind: 'update', name: request.update! };
      return sign(request.workflowId, act, request.expiresInSeconds, request.schema);
    },
    mintForActivity(request) {
      if (request.taskToken.length === 0) {
        return Promise.reject(new CallbackMintError('The task token is empty.'));
      }
      const act: CallbackAction = { kind: 'activity', taskToken: base64Url(request.taskToken) };
      return sign(request.workflowId, act, request.expiresInSeconds, request.schema);
    },
  };
}

/**
 * A minter configured from the environment: `CALLBACK_BASE_URL` and `CALLBACK_SIGNING_KEYS` (in AWS,
 * injected from the gateway's Secrets Manager secret by the worker service). Undefined when either
 * is unset, so a worker without callbacks needs neither.
 */
export function callbackMinterFromEnv(
  env: Record<string, string | undefined> = process.env,
): CallbackMinter | undefined {
  const baseUrl = env[CALLBACK_ENV.baseUrl];
  const keys = env[CALLBACK_ENV.signingKeys];
  if (!baseUrl || !keys) return undefined;
  return createCallbackMinter({ baseUrl, keys: parseCallbackSigningKeys(keys, CALLBACK_ENV.signingKeys) });
}
