/**
 * The codec server's own API keys (the construct's `codecServer.apiKeySecret`): read at cold start
 * from Secrets Manager (GATEWAY_CODEC_API_KEYS_SECRET_ARN) or, locally, GATEWAY_CODEC_API_KEYS.
 * Keys of their own let an operator give the CLI plaintext access without handing out a sender's
 * key, and give a gateway whose senders sign webhooks (no API keys) a key for the CLI.
 */
import { GATEWAY_ENV } from '../core/env-names';
import { parseAuthSettings } from '../core/auth-settings';
import { createAuthenticator, type Authenticator } from '../adapters/http-auth';
import { secretString, type Env } from '../adapters/secrets';

/** The codec server's API key authenticator, or none when neither variable is set; every problem named. */
export async function loadCodecApiKeys(
  env: Env,
): Promise<{ authenticator?: Authenticator; problems: readonly string[] }> {
  const arn = env[GATEWAY_ENV.codecApiKeysSecretArn]?.trim();
  const keys = arn ? await secretString(arn) : env[GATEWAY_ENV.codecApiKeys];
  if (keys === undefined || (!arn && keys.trim() === '')) return { problems: [] };
  const parsed = parseAuthSettings({ mode: 'api-key', apiKeys: keys });
  if (!parsed.ok) {
    const source = arn ? `${GATEWAY_ENV.codecApiKeysSecretArn} (${arn})` : GATEWAY_ENV.codecApiKeys;
    return { problems: parsed.problems.map((line) => line.replace(`${GATEWAY_ENV.apiKeys}:`, `${source}:`)) };
  }
  return { authenticator: createAuthenticator(parsed.settings), problems: [] };
}
