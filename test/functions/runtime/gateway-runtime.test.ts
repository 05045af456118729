import { describe, expect, it } from 'vitest';
import { createGatewayRuntime } from '../../../functions/runtime/gateway-runtime';
import { silentLogger } from '../../../functions/adapters/logger';
import { GatewayConfigError } from '../../../functions/core/gateway-config';

async function startupProblems(env: Record<string, string>): Promise<string[]> {
  try {
    const runtime = await createGatewayRuntime(env, silentLogger);
    await runtime.clients.close();
  } catch (error) {
    if (error instanceof GatewayConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('gateway start-up', () => {
  it('reports configuration, deadline and auth problems together, before any request', async () => {
    const problems = await startupProblems({
      GATEWAY_CONFIG: JSON.stringify({ targets: [] }),
      GATEWAY_TEMPORAL_DEADLINE_MS: 'soon',
      GATEWAY_AUTH: 'api-key',
    });
    expect(problems).toEqual([
      expect.stringContaining('targets'),
      expect.stringContaining('GATEWAY_TEMPORAL_DEADLINE_MS'),
      expect.stringContaining('GATEWAY_API_KEYS'),
    ]);
  });

  it.each([
    [{ GATEWAY_AUTH: 'basic' }, 'GATEWAY_AUTH: "basic" is not one of'],
    [{ GATEWAY_AUTH: 'api-key', GATEWAY_API_KEYS: 'short,also-short' }, 'key #1 is shorter than 16'],
    [{ GATEWAY_AUTH: 'standard-webhooks' }, 'GATEWAY_WEBHOOK_SECRET: standard-webhooks mode needs'],
    [{ GATEWAY_AUTH: 'standard-webhooks', GATEWAY_WEBHOOK_SECRET: 'plain' }, 'looks like whsec_'],
    [{ GATEWAY_AUTH: 'github' }, 'GATEWAY_WEBHOOK_SECRET: github mode needs'],
    [{ GATEWAY_AUTH: 'stripe' }, 'GATEWAY_WEBHOOK_SECRET: stripe mode needs'],
  ])('refuses to start with %o', async (env, message) => {
    expect((await startupProblems(env)).join('\n')).toContain(message);
  });

  it('starts with the local defaults: no auth, the staged target and its route', async () => {
    const runtime = await createGatewayRuntime({}, silentLogger);
    try {
      expect(runtime.authenticator.mode).toBe('none');
      expect(runtime.config.routes.map((route) => route.name)).toEqual(['stage-advanced']);
    } finally {
      await runtime.clients.close();
    }
  });
});
