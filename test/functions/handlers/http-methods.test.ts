import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../functions/adapters/logger';
import { DEFAULT_GATEWAY_CONFIG } from '../../../functions/core/default-config';
import { parseGatewayConfig } from '../../../functions/core/gateway-config';
import { createHttpApp } from '../../../functions/handlers/http-app';
import { allowedMethods } from '../../../functions/handlers/http-methods';

const never = () => Promise.reject(new Error('not called'));

/** The app with nothing behind it: a wrong method must be answered before anything is called. */
const app = createHttpApp({
  config: parseGatewayConfig(DEFAULT_GATEWAY_CONFIG),
  deliverer: { deliver: never },
  reader: { describe: never, query: never, health: never },
  logger: silentLogger,
});

describe('unsupported methods', () => {
  it.each([
    ['GET', '/v1/workflows/staged-a/signals/advanceStage', 'POST'],
    ['PUT', '/v1/events', 'POST'],
    ['DELETE', '/v1/workflows/staged-a', 'GET, HEAD, POST'],
    ['PUT', '/v1/workflows/staged-a/queries/progress', 'GET, HEAD, POST'],
    ['PATCH', '/v1/workflows/staged-a/updates/setStage', 'POST'],
    ['POST', '/healthz', 'GET, HEAD'],
    ['DELETE', '/openapi.json', 'GET, HEAD'],
  ])('%s %s is 405 problem+json with Allow: %s', async (method, path, allow) => {
    const body = method === 'GET' || method === 'DELETE' ? undefined : '{}';
    const response = await app.request(path, {
      method,
      body,
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe(allow);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(await response.json()).toMatchObject({
      status: 405,
      type: expect.stringContaining('method-not-allowed') as string,
    });
  });

  it('leaves paths no endpoint has at 404', async () => {
    const response = await app.request('/v1/nothing/here', { method: 'DELETE' });
    expect(response.status).toBe(404);
    expect(response.headers.get('allow')).toBeNull();
  });

  it('matches path parameters one segment each', () => {
    const routes = [
      { method: 'ALL', path: '/v1/*' },
      { method: 'GET', path: '/v1/workflows/:workflowId' },
      { method: 'POST', path: '/v1/workflows/:workflowId/signals/:signal' },
    ];
    expect(allowedMethods(routes, '/v1/workflows/a')).toEqual(['GET', 'HEAD']);
    expect(allowedMethods(routes, '/v1/workflows/a/b')).toEqual([]);
    expect(allowedMethods(routes, '/v1/workflows/a/signals/s')).toEqual(['POST']);
  });
});
