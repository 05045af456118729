import { readFile } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../functions/adapters/logger';
import { DEFAULT_GATEWAY_CONFIG } from '../../../functions/core/default-config';
import { parseGatewayConfig } from '../../../functions/core/gateway-config';
import { WORKFLOW_ID_PATTERN } from '../../../functions/core/identifiers';
import { createHttpApp } from '../../../functions/handlers/http-app';
import { DOCUMENTED_WORKFLOW_ID_PATTERN } from '../../../functions/handlers/openapi/schemas';
import type { EventLog } from '../../../functions/adapters/ports';
import { generateOpenApiDocument, OPENAPI_FILES, OPENAPI_PATH, openApiText } from '../../../scripts/openapi';

const never = () => Promise.reject(new Error('not called'));

const DOC_ID = 'https://gateway.test/openapi.json';

/** Every schema in the document beside the example written next to it, with a JSON pointer to it. */
function schemasWithExamples(node: unknown, pointer = ''): { pointer: string; example?: unknown }[] {
  if (typeof node !== 'object' || node === null) return [];
  const found: { pointer: string; example?: unknown }[] = [];
  const record = node as Record<string, unknown>;
  const escape = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');
  for (const [key, value] of Object.entries(record)) {
    const at = `${pointer}/${escape(key)}`;
    if (key === 'schema' && typeof value === 'object' && value !== null) {
      const example = (value as { example?: unknown }).example ?? record.example;
      found.push({ pointer: at, ...(example === undefined ? {} : { example }) });
    }
    if (key !== 'example') found.push(...schemasWithExamples(value, at));
  }
  return found;
}

/** A validating client's view of the document: Ajv with the 2020-12 dialect OpenAPI 3.1 uses. */
function validatingClient(doc: object) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ ...doc, $id: DOC_ID });
  return ajv;
}

describe('the OpenAPI document', () => {
  it('is usable by a validating client: every pattern compiles and every example validates (served document)', async () => {
    const app = createHttpApp({
      config: parseGatewayConfig(DEFAULT_GATEWAY_CONFIG),
      deliverer: { deliver: never },
      reader: { describe: never, query: never, health: never },
      logger: silentLogger,
    });
    const doc = (await (await app.request('/openapi.json')).json()) as object;
    const ajv = validatingClient(doc);
    const schemas = schemasWithExamples(doc);
    expect(schemas.filter((s) => s.example !== undefined).length).toBeGreaterThanOrEqual(8);
    for (const { pointer, example } of schemas) {
      const validate = ajv.compile({ $ref: `${DOC_ID}#${pointer}` });
      if (example === undefined) continue;
      expect({ pointer, valid: validate(example), errors: validate.errors ?? null }).toEqual({
        pointer,
        valid: true,
        errors: null,
      });
    }
    const workflowId = ajv.compile({
      $ref: `${DOC_ID}#/paths/~1v1~1workflows~1{workflowId}/get/parameters/0/schema`,
    });
    expect(workflowId('staged-order-42')).toBe(true);
    expect(workflowId('staged-\u0007bell')).toBe(false);
  });

  it('states the workflow-ID pattern without Unicode property escapes (Python validators and schemathesis compile it), agreeing with the core on every BMP character', () => {
    expect(DOCUMENTED_WORKFLOW_ID_PATTERN).not.toMatch(/\\[pP]\{/);
    const documentedPattern = new RegExp(DOCUMENTED_WORKFLOW_ID_PATTERN, 'u');
    const disagreeing: string[] = [];
    for (let code = 0; code <= 0xffff; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue; // lone surrogates are not characters
      const id = `a${String.fromCharCode(code)}b`;
      if (documentedPattern.test(id) !== WORKFLOW_ID_PATTERN.test(id)) disagreeing.push(code.toString(16));
    }
    expect(disagreeing).toEqual([]);
  });

  it('documents the status a gateway without callback signing keys answers a callback with (404), and the HTTP server 431', async () => {
    const app = createHttpApp({
      config: parseGatewayConfig(DEFAULT_GATEWAY_CONFIG),
      deliverer: { deliver: never },
      reader: { describe: never, query: never, health: never },
      logger: silentLogger,
    });
    const doc = (await (await app.request('/openapi.json')).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    const callbackOperations = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/v1/callbacks/'))
      .flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));
    expect(callbackOperations).toHaveLength(3);
    for (const { path, method, op } of callbackOperations) {
      const concrete = path.replace('{token}', 'eyJhbGciOiJIUzI1NiJ9.e30.sig');
      const response = await app.request(concrete, {
        method: method.toUpperCase(),
        ...(method === 'post' ? { headers: { 'content-type': 'application/json' }, body: '{}' } : {}),
      });
      expect({ path, method, status: response.status }).toEqual({ path, method, status: 404 });
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['404', '431']));
    }
  });

  it('is checked in exactly as the app generates it (run `npm run openapi` after changing the API)', async () => {
    expect(await readFile(OPENAPI_PATH, 'utf8')).toBe(openApiText());
  });

  it('is what GET /openapi.json serves, without credentials even when auth is on', async () => {
    const app = createHttpApp({
      config: parseGatewayConfig(DEFAULT_GATEWAY_CONFIG),
      deliverer: { deliver: never },
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

  it('is served with the replay route by a gateway with an event log: that document too is checked in as generated', async () => {
    for (const { path, eventLog } of OPENAPI_FILES) {
      expect({ path, text: await readFile(path, 'utf8') }).toEqual({
        path,
        text: openApiText(generateOpenApiDocument({ eventLog })),
      });
    }
    const app = createHttpApp({
      config: parseGatewayConfig(DEFAULT_GATEWAY_CONFIG),
      deliverer: { deliver: never },
      reader: { describe: never, query: never, health: never },
      logger: silentLogger,
      eventLog: { get: never, list: never, write: never } as unknown as EventLog,
    });
    const doc = (await (await app.request('/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(doc).toEqual(generateOpenApiDocument({ eventLog: true }));
    expect(Object.keys(doc.paths)).toContain('/v1/event-log/replay');
    expect(Object.keys(generateOpenApiDocument().paths ?? {})).not.toContain('/v1/event-log/replay');
  });

  it('describes every v1 route, the security schemes, and problem+json errors', () => {
    const doc = generateOpenApiDocument();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths ?? {}).sort()).toEqual([
      '/healthz',
      '/v1/callbacks/{token}',
      '/v1/callbacks/{token}/fail',
      '/v1/codec/decode',
      '/v1/codec/download',
      '/v1/codec/encode',
      '/v1/events',
      '/v1/webhooks/{source}',
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
      'codecAccessToken',
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
    // A signature does not cover the path: path-addressed endpoints list caller authentication only.
    expect(doc.paths?.['/v1/workflows/{workflowId}/signals/{signal}']?.post?.security).toEqual([
      {},
      { apiKey: [] },
      { bearerApiKey: [] },
    ]);
    const webhook = doc.paths?.['/v1/webhooks/{source}']?.post;
    expect(webhook?.security).toEqual([]);
    expect(Object.keys(webhook?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '202', '401', '404', '503']),
    );
    expect(JSON.stringify(webhook?.responses?.['202'])).toContain('dead-lettered');
    // The codec server hands out plaintext: never open (no empty requirement).
    expect(doc.paths?.['/v1/codec/decode']?.post?.security).toEqual([
      { apiKey: [] },
      { bearerApiKey: [] },
      { codecAccessToken: [] },
    ]);
  });
});
