/**
 * Verifies callback tokens (JWS, HS256) with the keys the worker signs with. Every listed key
 * verifies — the token's `kid` picks it — so a rotated-out key keeps working until it is removed.
 */
import type * as Jose from 'jose';
import type { JWTHeaderParameters } from 'jose';
import { parseCallbackSigningKeys, type CallbackSigningKey } from '../../contract/callback-keys';
import { CALLBACK_ENV, CALLBACK_TOKEN_ALGORITHM, type CallbackClaims } from '../../contract/callbacks';
import { readCallbackClaims, type VerifiedCallbackClaims } from '../core/callbacks';
import { problem } from '../core/problems';
import { fail, ok, type Result } from '../core/result';
import type { Env } from './secrets';

export interface CallbackVerifier {
  /** The token's claims when its signature and expiry hold; else 401 (forged) or 410 (expired). */
  verify(token: string): Promise<Result<VerifiedCallbackClaims>>;
}

let jose: Promise<typeof Jose> | undefined;
/** Loaded at the first callback, not at every cold start (code splitting, infra/lambda-handlers.ts). */
const loadJose = () => (jose ??= import('jose'));

/**
 * The claims with their body schema's check, when they carry one: zod builds it (core/zod-checks.ts,
 * loaded at the first token with a schema, like jose), since each token brings its own schema.
 */
async function withBodyCheck(claims: CallbackClaims): Promise<VerifiedCallbackClaims> {
  if (!claims.sch) return claims;
  const { jsonSchemaCheck } = await import('../core/zod-checks');
  try {
    return { ...claims, bodyCheck: jsonSchemaCheck(claims.sch) };
  } catch {
    return { ...claims, bodyCheck: 'unusable' };
  }
}

/** Clock skew between the worker that signed and the gateway that verifies. */
const CLOCK_TOLERANCE_SECONDS = 5;

const invalid = () =>
  fail(
    problem(
      'callback-invalid',
      'The callback token is not valid: it was altered, truncated or never issued.',
      'path.token',
    ),
  );

export function createCallbackVerifier(
  keys: readonly CallbackSigningKey[],
  now: () => number = Date.now,
): CallbackVerifier {
  const byId = new Map(keys.map((key) => [key.id, key.secret]));
  return {
    async verify(token) {
      const { errors, jwtVerify } = await loadJose();
      try {
        const { payload } = await jwtVerify(
          token,
          (header: JWTHeaderParameters) => {
            const secret = header.kid === undefined ? undefined : byId.get(header.kid);
            // An unknown key id is a forged or retired token; jose turns the throw into a failure.
            if (!secret) throw new errors.JWSSignatureVerificationFailed();
            return secret;
          },
          {
            algorithms: [CALLBACK_TOKEN_ALGORITHM],
            requiredClaims: ['jti', 'exp', 'iat'],
            clockTolerance: CLOCK_TOLERANCE_SECONDS,
            currentDate: new Date(now()),
          },
        );
        const claims = readCallbackClaims(payload);
        return claims.ok ? ok(await withBodyCheck(claims.value)) : claims;
      } catch (error) {
        if (error instanceof errors.JWTExpired) {
          return fail(problem('callback-expired', 'The callback URL has expired.', 'path.token'));
        }
        if (error instanceof errors.JOSEError) return invalid();
        throw error;
      }
    },
  };
}

/** The verifier configured by `CALLBACK_SIGNING_KEYS`; undefined when callbacks are off. */
export function callbackVerifierFromEnv(env: Env): CallbackVerifier | undefined {
  const raw = env[CALLBACK_ENV.signingKeys];
  if (!raw) return undefined;
  return createCallbackVerifier(parseCallbackSigningKeys(raw, CALLBACK_ENV.signingKeys));
}
