/**
 * The codec server's settings (`/v1/codec`, Temporal's codec server protocol): which browser origins
 * may call it (the Temporal UI runs in the user's browser and calls the codec server from there) and
 * which JWTs it accepts. Pure rules; the verifiers live in adapters/codec-auth.ts.
 */
import { GATEWAY_ENV } from './env-names';

/** Temporal Cloud's UI and the dev server's UI (`temporal server start-dev`, port 8233). */
export const DEFAULT_CODEC_ORIGINS = ['https://cloud.temporal.io', 'http://localhost:8233'] as const;

/** Temporal Cloud's signing keys, for a deployment that accepts the Cloud UI's forwarded access token. */
export const TEMPORAL_CLOUD_JWKS_URL = 'https://login.tmprl.cloud/.well-known/jwks.json';

export interface CodecJwtSettings {
  jwksUrl: string;
  issuer?: string;
  /** Required: a shared JWKS signs tokens meant for other deployments too. */
  audience: string;
}

export interface CodecSettings {
  /** Exact origins (scheme://host[:port]) answered with CORS headers; any other gets none. */
  allowedOrigins: readonly string[];
  /** Verifies `Authorization: Bearer <JWT>` against these keys; absent = no JWT accepted. */
  jwt?: CodecJwtSettings;
}

/** An origin as browsers send it: scheme, host and an optional port, nothing else. */
const ORIGIN_PATTERN = /^https?:\/\/[a-z0-9.-]+(?::\d{1,5})?$/i;

/** The settings, or every problem with them (named by the environment variable to fix). */
export function parseCodecSettings(
  env: Record<string, string | undefined>,
): { ok: true; settings: CodecSettings } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const rawOrigins = env[GATEWAY_ENV.codecAllowedOrigins]?.trim();
  const allowedOrigins =
    rawOrigins === undefined || rawOrigins === ''
      ? [...DEFAULT_CODEC_ORIGINS]
      : rawOrigins === 'none'
        ? []
        : rawOrigins
            .split(',')
            .map((origin) => origin.trim().replace(/\/$/, ''))
            .filter((origin) => origin.length > 0);
  for (const origin of allowedOrigins) {
    if (!ORIGIN_PATTERN.test(origin)) {
      problems.push(
        `${GATEWAY_ENV.codecAllowedOrigins}: "${origin}" is not an origin (scheme://host[:port], no path; "*" is never allowed)`,
      );
    }
  }
  const jwksUrl = env[GATEWAY_ENV.codecJwksUrl]?.trim();
  if (jwksUrl && !/^https:\/\/|^http:\/\/(?:127\.0\.0\.1|localhost)[:/]/.test(jwksUrl)) {
    problems.push(`${GATEWAY_ENV.codecJwksUrl}: must be an https URL (http only on the loopback address)`);
  }
  const issuer = env[GATEWAY_ENV.codecJwtIssuer]?.trim();
  const audience = env[GATEWAY_ENV.codecJwtAudience]?.trim();
  // A JWKS such as Temporal Cloud's signs tokens for every account it serves: without an audience
  // of this deployment's own, any of their users' tokens would open this codec server.
  if (jwksUrl && !audience) {
    problems.push(
      `${GATEWAY_ENV.codecJwtAudience}: required with ${GATEWAY_ENV.codecJwksUrl} (the audience this deployment's tokens carry)`,
    );
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    settings: {
      allowedOrigins,
      ...(jwksUrl ? { jwt: { jwksUrl, audience: audience ?? '', ...(issuer ? { issuer } : {}) } } : {}),
    },
  };
}
