/**
 * Deployed functions keep credentials in Secrets Manager, never in plain environment variables:
 * the stack passes secret ARNs, and these are resolved once at cold start (Powertools caches them).
 */
import { EventGatewayError } from '../../contract/errors';
import { CALLBACK_ENV } from '../../contract/callbacks';
import { GATEWAY_ENV, TEMPORAL_ENV } from '../core/env-names';

export type Env = Record<string, string | undefined>;

export class SecretResolutionError extends EventGatewayError {
  override readonly name = 'SecretResolutionError';
}

/** A secret's string value, read through Powertools (cached five minutes). */
export async function secretString(arn: string): Promise<string> {
  try {
    // Loaded only when a secret ARN is configured: local runs and secret-less functions skip the
    // Secrets Manager client's initialisation at cold start.
    const { getSecret } = await import('@aws-lambda-powertools/parameters/secrets');
    const value = await getSecret(arn, { maxAge: 300 });
    if (typeof value !== 'string' || value.length === 0) throw new Error('the secret is empty');
    return value;
  } catch (error) {
    throw new SecretResolutionError(`Could not read secret ${arn}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * The Temporal connection environment with secrets filled in: an API key secret becomes
 * TEMPORAL_API_KEY; an mTLS secret `{ "cert": PEM, "key": PEM }` becomes the TLS cert/key data.
 */
export async function withTemporalSecrets(env: Env): Promise<Env> {
  const resolved: Env = { ...env };
  const apiKeyArn = env[TEMPORAL_ENV.apiKeySecretArn];
  if (apiKeyArn) resolved[TEMPORAL_ENV.apiKey] = await secretString(apiKeyArn);
  const mtlsArn = env[TEMPORAL_ENV.mtlsSecretArn];
  if (mtlsArn) {
    const raw = await secretString(mtlsArn);
    let parsed: { cert?: unknown; key?: unknown };
    try {
      parsed = JSON.parse(raw) as typeof parsed;
    } catch (error) {
      throw new SecretResolutionError(`Secret ${mtlsArn} must be JSON {"cert": PEM, "key": PEM}.`, {
        cause: error,
      });
    }
    if (typeof parsed.cert !== 'string' || typeof parsed.key !== 'string') {
      throw new SecretResolutionError(`Secret ${mtlsArn} must hold string fields "cert" and "key".`);
    }
    resolved[TEMPORAL_ENV.tlsClientCertData] = parsed.cert;
    resolved[TEMPORAL_ENV.tlsClientKeyData] = parsed.key;
  }
  return resolved;
}

/**
 * The auth environment with its secret filled in. The secret behind GATEWAY_AUTH_SECRET_ARN is a
 * plain string in the format of the variable it replaces: comma-separated keys for `api-key` (list
 * old and new keys while rotating), the signing secret for the webhook modes.
 */
export async function withAuthSecrets(env: Env): Promise<Env> {
  const arn = env[GATEWAY_ENV.authSecretArn];
  const mode = env[GATEWAY_ENV.auth]?.trim();
  if (!arn || !mode || mode === 'none') return env;
  const value = await secretString(arn);
  return { ...env, [mode === 'api-key' ? GATEWAY_ENV.apiKeys : GATEWAY_ENV.webhookSecret]: value };
}

/**
 * The callback environment with its signing keys filled in from the secret behind
 * CALLBACK_SIGNING_KEYS_SECRET_ARN (same `keyId:secret,…` format as the variable).
 */
export async function withCallbackSecrets(env: Env): Promise<Env> {
  const arn = env[CALLBACK_ENV.signingKeysSecretArn];
  if (!arn) return env;
  return { ...env, [CALLBACK_ENV.signingKeys]: await secretString(arn) };
}
