import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../functions/adapters/logger';
import { DEFAULT_GATEWAY_CONFIG } from '../../../functions/core/default-config';
import { parseGatewayConfig } from '../../../functions/core/gateway-config';
import { createHttpApp } from '../../../functions/handlers/http-app';
import { generateOpenApiDocument, OPENAPI_PATH, openApiText } from '../../../scripts/openapi';

const never = () => Promise.reject(new Error('not called'));

describe('the OpenAPI document', () => {
  it('is checked in exactly as the app generates it (run `npm run openapi` after changing the API)', async () => {
    expect(await readFile(OPENAPI_PATH, 'utf8')).toBe(openApiText());
  });

  it('is what GET /openapi.json serves, without credentials even when auth is on', async () => {
    const app = createHttpApp({
      config: parseGatewayConfig(DEFAULT_GATEWAY_CONFIG),
      signaler: { signal: never },
      updater: { update: never },
      reader: { describe: never, query: never, health: never },
      logger: silentLogger,
      authenticator: {
        mode: 'api-key',
        needsBody: false,
        verify: () => ({ ok: false, problem: { code: 'unauthenticated', detail: 'no' } }),
      },
    });
    const response = await app.request('/openapi.json');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(generateOpenApiDocument());
  });

  it('describes every v1 route, the security schemes, and problem+json errors', () => {
    const doc = generateOpenApiDocument();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths ?? {}).sort()).toEqual([
      '/healthz',
      '/v1/callbacks/{token}',
      '/v1/callbacks/{token}/fail',
      '/v1/events',
      '/v1/workflows/{workflowId}',
      '/v1/workflows/{workflowId}/queries/{query}',
      '/v1/workflows/{workflowId}/signals/{signal}',
      '/v1/workflows/{workflowId}/updates/{update}',
    ]);
    expect(Object.keys(doc.components?.securitySchemes ?? {})).toEqual([
      'apiKey',
      'bearerApiKey',
      'standardWebhooks',
      'githubSignature',
      'stripeSignature',
    ]);
    const update = doc.paths?.['/v1/workflows/{workflowId}/updates/{update}']?.post;
    expect(Object.keys(update?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '401', '404', '422', '504']),
    );
    expect(JSON.stringify(update?.responses?.['422'])).toContain('application/problem+json');
    expect(doc.paths?.['/healthz']?.get?.security).toEqual([]);
    // A callback URL carries its own credential: no deployment auth applies to it.
    expect(doc.paths?.['/v1/callbacks/{token}']?.post?.security).toEqual([]);
    expect(Object.keys(doc.paths?.['/v1/callbacks/{token}']?.post?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '202', '401', '410']),
    );
  });
});
