/**
 * The codec server's props (`/v1/codec`, docs/codec-server.md): which browsers may call it and how
 * the Temporal UI and the CLI prove who they are. Validated with the very rules the function applies
 * to its environment at cold start (functions/core/codec-settings.ts), named by prop.
 */
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { parseCodecSettings, TEMPORAL_CLOUD_JWKS_URL } from '../../functions/core/codec-settings';
import { GATEWAY_ENV } from '../../functions/core/env-names';

/** The access tokens the Temporal UI forwards (`Authorization: Bearer <JWT>`, "Pass the user access token"). */
export interface CodecJwtProps {
  /**
   * Where the signing keys are (https).
   * @default 'https://login.tmprl.cloud/.well-known/jwks.json' (Temporal Cloud's)
   */
  readonly jwksUrl?: string;
  /**
   * The `aud` this deployment's tokens carry. Required: a shared JWKS such as Temporal Cloud's signs
   * tokens for every account it serves, and any of their users' tokens would open the codec server.
   */
  readonly audience: string;
  /** The `iss` the tokens must carry. @default - any issuer of the JWKS */
  readonly issuer?: string;
}

/** Who may use the codec server (never open: without API keys, JWTs or an API authorizer, every call is 401). */
export interface CodecServerProps {
  /**
   * Browser origins (`scheme://host[:port]`) answered with CORS headers, e.g. a self-hosted UI's;
   * `[]`: no browser. Never `*`.
   * @default ['https://cloud.temporal.io', 'http://localhost:8233'] (Temporal Cloud's UI and the dev server's)
   */
  readonly allowedOrigins?: readonly string[];
  /** Accept the UI's forwarded access token, verified against a JWKS. @default - no JWT accepted */
  readonly jwt?: CodecJwtProps;
  /**
   * API keys of the codec server alone (comma-separated in the secret's string, 16 characters or
   * more), e.g. for the CLI's `--codec-auth "Bearer <key>"`; read from Secrets Manager at cold
   * start, never put in the environment. They replace the gateway's own keys on `/v1/codec`, so a
   * sender's key never reads payloads.
   * @default - the gateway's API keys (`gatewayAuthSecret`) when `gatewayAuth` is `api-key`, else none
   */
  readonly apiKeySecret?: secretsmanager.ISecret;
}

/** What the codec server's settings look like as the function's environment (no secrets in it). */
export function codecServerEnvironment(props: CodecServerProps): Record<string, string> {
  const origins = props.allowedOrigins;
  const jwt = props.jwt;
  return {
    ...(origins
      ? { [GATEWAY_ENV.codecAllowedOrigins]: origins.length > 0 ? origins.join(',') : 'none' }
      : {}),
    ...(jwt
      ? {
          [GATEWAY_ENV.codecJwksUrl]: jwt.jwksUrl ?? TEMPORAL_CLOUD_JWKS_URL,
          [GATEWAY_ENV.codecJwtAudience]: jwt.audience,
          ...(jwt.issuer ? { [GATEWAY_ENV.codecJwtIssuer]: jwt.issuer } : {}),
        }
      : {}),
  };
}

const PROP_OF_VARIABLE: Readonly<Record<string, string>> = {
  [GATEWAY_ENV.codecAllowedOrigins]: 'codecServer.allowedOrigins',
  [GATEWAY_ENV.codecJwksUrl]: 'codecServer.jwt.jwksUrl',
  [GATEWAY_ENV.codecJwtAudience]: 'codecServer.jwt.audience',
  [GATEWAY_ENV.codecJwtIssuer]: 'codecServer.jwt.issuer',
};

/** Every problem of `codecServer`, as `codecServer.<prop>: <message>` lines (none: valid). */
export function codecServerProblems(props: CodecServerProps | undefined, ingestMode: string): string[] {
  if (props === undefined) return [];
  const problems: string[] = [];
  if (ingestMode !== 'sync') {
    problems.push(
      'codecServer: the codec server runs in the ingest function, which queue ingest does not have',
    );
  }
  const origins = props.allowedOrigins ?? [];
  if (origins.some((origin) => origin.includes(','))) {
    problems.push('codecServer.allowedOrigins: one origin per entry (no commas)');
  }
  if (props.jwt && !props.jwt.audience?.trim()) {
    problems.push(`${PROP_OF_VARIABLE[GATEWAY_ENV.codecJwtAudience]}: must not be blank`);
  }
  const parsed = parseCodecSettings(codecServerEnvironment(props));
  if (!parsed.ok) {
    for (const line of parsed.problems) {
      const [variable = '', ...rest] = line.split(': ');
      const prop = PROP_OF_VARIABLE[variable];
      // The audience's blank case is reported above, by prop.
      if (prop && variable !== GATEWAY_ENV.codecJwtAudience) problems.push(`${prop}: ${rest.join(': ')}`);
    }
  }
  return problems;
}
