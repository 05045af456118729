/**
 * Who may use the codec server. It hands out plaintext, so it is never open, whatever GATEWAY_AUTH
 * says: a caller proves itself with the deployment's API key (the CLI's `--codec-auth "Bearer <key>"`),
 * with an access token signed by the configured JWKS (the Temporal UI forwards the user's token as
 * `Authorization: Bearer`; Temporal Cloud signs with https://login.tmprl.cloud/.well-known/jwks.json),
 * or through API Gateway's IAM or JWT authorizer in front of the function (its request context names
 * the principal). A deployment with none of these answers 401 to every codec request.
 */
import type * as Jose from 'jose';
import type { CodecJwtSettings } from '../core/codec-settings';
import { GATEWAY_ENV } from '../core/env-names';
import { ANONYMOUS_CALLER } from '../core/event-ids';
import { problem } from '../core/problems';
import { callerOf, callerSegment } from './caller-identity';
import type { Authenticator, AuthVerdict } from './http-auth';
import type { TemporalDataConverter } from './temporal-data-converter';

export interface CodecAuthenticator {
  /** Whether any way of authenticating is configured in-process (API key or JWKS). */
  readonly configured: boolean;
  /** The verdict on a request: its headers, and the Lambda event (API Gateway's authorizer context). */
  verify(headers: Headers, lambdaEnv: unknown): Promise<AuthVerdict>;
}

/** What the codec server (handlers/http-codec-routes.ts) is built from, by the gateway runtime. */
export interface CodecServerDeps {
  /** The clients' data converter: the same codecs and large payload store as every other path. */
  dataConverter: Pick<TemporalDataConverter, 'encodePayloads' | 'decodePayloads' | 'offloads'>;
  authenticator: CodecAuthenticator;
  /** Browser origins answered with CORS headers (core/codec-settings.ts). */
  allowedOrigins: readonly string[];
}

let jose: Promise<typeof Jose> | undefined;
/** Loaded at the first token, not at every cold start. */
const loadJose = () => (jose ??= import('jose'));

/** Clock skew between the token's issuer and the gateway. */
const CLOCK_TOLERANCE_SECONDS = 30;

const CHALLENGE = 'Bearer realm="event-gateway-codec"';
const NO_BODY = new Uint8Array(0);

const bearerToken = (headers: Headers) =>
  /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(headers.get('authorization') ?? '')?.[1];

const looksLikeJwt = (token: string) => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token);

const refuse = (detail: string): AuthVerdict => ({
  ok: false,
  problem: problem('unauthenticated', detail, 'header.authorization'),
  challenge: CHALLENGE,
});

/** A verifier of JWTs signed by the keys at `settings.jwksUrl` (fetched on first use, cached by jose). */
function jwtVerifier(settings: CodecJwtSettings) {
  let keys: ReturnType<typeof Jose.createRemoteJWKSet> | undefined;
  return async (token: string): Promise<string | undefined> => {
    const { createRemoteJWKSet, errors, jwtVerify } = await loadJose();
    keys ??= createRemoteJWKSet(new URL(settings.jwksUrl));
    try {
      const { payload } = await jwtVerify(token, keys, {
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp'],
        ...(settings.issuer ? { issuer: settings.issuer } : {}),
        audience: settings.audience,
      });
      const subject = payload.sub ?? payload.email;
      return callerSegment('jwt', typeof subject === 'string' && subject ? subject : 'token');
    } catch (error) {
      // A bad signature, an expired or foreign token, or unreachable keys: refused, never open.
      if (error instanceof errors.JOSEError) return undefined;
      throw error;
    }
  };
}

/**
 * The codec server's authenticator: the deployment's API keys when GATEWAY_AUTH=api-key, JWTs when
 * `jwt` is set, and API Gateway's authorizer always.
 */
export function createCodecAuthenticator(options: {
  authenticator: Authenticator;
  jwt?: CodecJwtSettings | undefined;
}): CodecAuthenticator {
  const apiKeys = options.authenticator.mode === 'api-key' ? options.authenticator : undefined;
  const verifyJwt = options.jwt ? jwtVerifier(options.jwt) : undefined;
  return {
    configured: apiKeys !== undefined || verifyJwt !== undefined,
    async verify(headers, lambdaEnv) {
      const authorized = callerOf(lambdaEnv, undefined);
      if (authorized !== ANONYMOUS_CALLER) return { ok: true, caller: authorized };
      if (!apiKeys && !verifyJwt) {
        return refuse(
          `The codec server answers authenticated callers only, and this deployment configures no way to authenticate them: set ${GATEWAY_ENV.auth}=api-key, ${GATEWAY_ENV.codecJwksUrl}, or an IAM/JWT authorizer at API Gateway.`,
        );
      }
      const keyVerdict = apiKeys?.verify({ headers, body: NO_BODY });
      if (keyVerdict?.ok) return keyVerdict;
      const token = bearerToken(headers);
      if (verifyJwt && token && looksLikeJwt(token)) {
        const caller = await verifyJwt(token);
        if (caller) return { ok: true, caller };
        return refuse('The access token is not valid: a bad signature, expired, or not for this server.');
      }
      if (keyVerdict && (headers.has('x-api-key') || !verifyJwt)) return keyVerdict;
      return refuse(
        [
          apiKeys ? 'an API key (x-api-key or Authorization: Bearer <key>)' : undefined,
          verifyJwt ? 'an access token (Authorization: Bearer <JWT>)' : undefined,
        ]
          .filter(Boolean)
          .join(' or ')
          .replace(/^/, 'Send ') + '.',
      );
    },
  };
}
