/**
 * The codec server's own API keys (`codecServer.apiKeySecret` → GATEWAY_CODEC_API_KEYS_SECRET_ARN,
 * locally GATEWAY_CODEC_API_KEYS): they open /v1/codec on a gateway whose senders sign webhooks,
 * replace the senders' API keys there, and a bad key stops the start-up with the variable named.
 */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../functions/adapters/logger';
import { GATEWAY_ENV } from '../../../functions/core/env-names';
import { GatewayConfigError } from '../../../functions/core/gateway-config';
import { createGatewayRuntime } from '../../../functions/runtime/gateway-runtime';

const CODEC_KEY = 'codec-key-0123456789abcdef';
const SENDER_KEY = 'sender-key-0123456789abcdef';

async function codecVerdicts(env: Record<string, string>, keys: readonly string[]) {
  const runtime = await createGatewayRuntime(env, silentLogger);
  try {
    return await Promise.all(
      keys.map(async (key) => {
        const verdict = await runtime.codec.authenticator.verify(
          new Headers({ authorization: `Bearer ${key}` }),
          undefined,
        );
        return verdict.ok;
      }),
    );
  } finally {
    await runtime.clients.close();
  }
}

describe("the codec server's own API keys", () => {
  it('open /v1/codec on a gateway whose senders sign webhooks (no API keys of its own)', async () => {
    const env = { [GATEWAY_ENV.auth]: 'github', [GATEWAY_ENV.webhookSecret]: 'github-webhook-secret' };
    expect(await codecVerdicts(env, [CODEC_KEY])).toEqual([false]);
    expect(await codecVerdicts({ ...env, [GATEWAY_ENV.codecApiKeys]: CODEC_KEY }, [CODEC_KEY])).toEqual([
      true,
    ]);
  });

  it("replace the senders' API keys there", async () => {
    const env = { [GATEWAY_ENV.auth]: 'api-key', [GATEWAY_ENV.apiKeys]: SENDER_KEY };
    expect(await codecVerdicts(env, [SENDER_KEY, CODEC_KEY])).toEqual([true, false]);
    expect(
      await codecVerdicts({ ...env, [GATEWAY_ENV.codecApiKeys]: CODEC_KEY }, [SENDER_KEY, CODEC_KEY]),
    ).toEqual([false, true]);
  });

  it('refuse to start with a key too short, naming the variable', async () => {
    const starting = createGatewayRuntime({ [GATEWAY_ENV.codecApiKeys]: 'short' }, silentLogger);
    await expect(starting).rejects.toThrow(GatewayConfigError);
    await expect(starting).rejects.toMatchObject({
      problems: [expect.stringMatching(/^GATEWAY_CODEC_API_KEYS: key #1 is shorter than 16/)],
    });
  });
});
