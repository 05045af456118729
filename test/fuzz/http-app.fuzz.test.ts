/**
 * Property-based tests of the whole HTTP app, in process, over arbitrary methods, paths, headers and
 * bodies. Temporal is replaced by stand-ins that always succeed: what is under test is the gateway's
 * own handling of input, which must never answer 5xx, never throw, and answer every non-2xx with an
 * RFC 9457 problem document.
 */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDeliverer } from '../../functions/adapters/deliverer';
import { createAuthenticator, type Authenticator } from '../../functions/adapters/http-auth';
import type { GatewayLogger } from '../../functions/adapters/logger';
import { DEFAULT_GATEWAY_CONFIG } from '../../functions/core/default-config';
import { parseGatewayConfig } from '../../functions/core/gateway-config';
import { createHttpApp, type HttpApp } from '../../functions/handlers/http-app';

const NUM_RUNS = 250;
const GITHUB_SECRET = 'fuzz-secret';

/** Fails the property on any `error` log: only a bug reaches the app's error logging. */
const strictLogger: GatewayLogger = {
  info() {},
  warn() {},
  error(message, ...extra) {
    throw new Error(`logged an error: ${message} ${JSON.stringify(extra)}`);
  },
};

function appWith(authenticator: Authenticator): HttpApp {
  return createHttpApp({
    config: parseGatewayConfig(DEFAULT_GATEWAY_CONFIG),
    deliverer: createDeliverer({
      signaler: { signal: () => Promise.resolve({ status: 'delivered', started: false }) },
      updater: {
        update: () => Promise.resolve({ status: 'delivered', result: { ok: true }, started: false }),
      },
      logger: strictLogger,
    }),
    reader: {
      describe: (workflowId) =>
        Promise.resolve({
          ok: true,
          value: {
            workflowId,
            runId: 'r',
            workflowType: 'stagedWorkflow',
            status: 'RUNNING',
            startTime: null,
            closeTime: null,
            taskQueue: null,
            historyLength: 1,
          },
        }),
      query: () => Promise.resolve({ ok: true, value: { stage: 0 } }),
      health: () => Promise.resolve({ ok: true, value: { namespace: 'default' } }),
    },
    logger: strictLogger,
    authenticator,
    maxBodyBytes: 4096,
  });
}

/** Text that may appear in a path segment, including encoded control, unicode and traversal. */
const segment = fc.oneof(
  fc.constantFrom('staged-1', 'advanceStage', 'setStage', 'progress', '..', '%00', '%0A', '%ZZ', ''),
  fc.string({ maxLength: 40 }).map(encodeURIComponent),
  fc.string({ unit: 'grapheme', maxLength: 20 }).map(encodeURIComponent),
  fc.webSegment(),
);

/** Mostly well-formed values, so requests get past validation to the deeper paths often. */
const often = <T>(valid: fc.Arbitrary<T>, other: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 4, arbitrary: valid }, { weight: 1, arbitrary: other });

const businessKey = fc.stringMatching(/^[A-Za-z0-9._:-]{1,24}$/);
const workflowId = often(
  businessKey.map((key) => `staged-${key}`),
  segment,
);
const operation = often(fc.constantFrom('advanceStage', 'setStage', 'progress'), segment);

const path = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .tuple(workflowId, fc.constantFrom('signals', 'updates', 'queries'), operation)
      .map(([id, kind, name]) => `/v1/workflows/${id}/${kind}/${name}`),
  },
  { weight: 1, arbitrary: workflowId.map((id) => `/v1/workflows/${id}`) },
  { weight: 2, arbitrary: fc.constant('/v1/events') },
  {
    weight: 1,
    arbitrary: fc.constantFrom('/healthz', '/openapi.json', '/v1', '/v1/', '//v1/events', '/v1/events/'),
  },
  { weight: 1, arbitrary: fc.webPath() },
);

/** Header values as HTTP allows them (no CR, LF or NUL), some long, some near-valid. */
const headerValue = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 80 }),
  fc.constantFrom(
    '1.0',
    'application/json',
    'application/cloudevents+json',
    'com.example.stage.advanced',
    'Bearer x',
    't=1,v1=00',
  ),
);

const contentType = often(
  fc.constantFrom('application/json', 'application/cloudevents+json', 'application/json; charset=utf-8'),
  headerValue,
);

const headers = fc
  .tuple(
    fc.dictionary(
      fc.constantFrom(
        'idempotency-key',
        'ce-time',
        'ce-myext',
        'ce-BadExt',
        'authorization',
        'x-api-key',
        'webhook-id',
        'webhook-timestamp',
        'webhook-signature',
        'x-hub-signature-256',
        'stripe-signature',
      ),
      headerValue,
      { maxKeys: 4 },
    ),
    fc.record(
      {
        'content-type': contentType,
        'ce-id': often(businessKey, headerValue),
        'ce-source': often(fc.constant('/s'), headerValue),
        'ce-type': often(fc.constant('com.example.stage.advanced'), headerValue),
        'ce-specversion': often(fc.constant('1.0'), headerValue),
      },
      { requiredKeys: ['content-type'] },
    ),
  )
  .map(([extra, common]) => ({ ...extra, ...common }));

const stage = often(fc.integer({ min: 0, max: 3 }), fc.jsonValue());
const eventData = often(
  fc.record({ workflowKey: often(businessKey, fc.jsonValue()), stage }, { requiredKeys: [] }),
  fc.jsonValue(),
);

/** Near-valid CloudEvents: each attribute is usually right, sometimes anything or absent. */
const anything = fc.oneof(fc.constant(undefined), fc.jsonValue());
const cloudEventish = fc
  .tuple(
    fc.record({
      specversion: often(fc.constant('1.0'), anything),
      id: often(businessKey, anything),
      source: often(fc.constant('/s'), anything),
      type: often(fc.constant('com.example.stage.advanced'), fc.string({ maxLength: 30 })),
      time: often(
        fc.constant(undefined),
        fc.oneof(fc.constant('2024-01-01T00:00:00Z'), fc.string({ maxLength: 30 })),
      ),
      data: eventData,
    }),
    fc.option(
      fc.record(
        { data_base64: fc.base64String({ maxLength: 20 }), myext: fc.jsonValue(), __proto__: fc.jsonValue() },
        { requiredKeys: [] },
      ),
      { freq: 5 },
    ),
  )
  .map(([event, extra]) => ({ ...event, ...extra }));

const body = fc.oneof(
  { weight: 3, arbitrary: fc.record({ stage }, { requiredKeys: [] }).map((value) => JSON.stringify(value)) },
  { weight: 3, arbitrary: cloudEventish.map((event) => JSON.stringify(event)) },
  { weight: 1, arbitrary: fc.jsonValue().map((value) => JSON.stringify(value) ?? '') },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

const method = often(
  fc.constantFrom('POST', 'GET'),
  fc.constantFrom('PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'),
);

async function checkResponse(app: HttpApp, request: Request) {
  const response = await app.request(request);
  expect(response.status).toBeLessThan(500);
  if (response.status >= 200 && response.status < 300) return response;
  expect(response.headers.get('content-type')).toContain('application/problem+json');
  if (request.method === 'HEAD') return response;
  const doc = (await response.json()) as Record<string, unknown>;
  expect(doc.status).toBe(response.status);
  expect(typeof doc.type).toBe('string');
  expect(typeof doc.title).toBe('string');
  expect(typeof doc.detail).toBe('string');
  return response;
}

/** A request the platform can build, or undefined: fast-check input that no client could send. */
function buildRequest(
  verb: string,
  target: string,
  head: Record<string, string>,
  payload: string | Uint8Array | undefined,
): Request | undefined {
  try {
    const withBody = verb !== 'GET' && verb !== 'HEAD' && payload !== undefined;
    return new Request(`http://gateway.test${target.startsWith('/') ? target : `/${target}`}`, {
      method: verb,
      headers: head,
      ...(withBody ? { body: payload } : {}),
    });
  } catch {
    return undefined;
  }
}

describe('the HTTP app under arbitrary input', () => {
  const open = appWith(createAuthenticator({ mode: 'none' }));

  it('never answers 5xx and answers every non-2xx with a problem document (no auth)', async () => {
    await fc.assert(
      fc.asyncProperty(method, path, headers, body, async (verb, target, head, payload) => {
        const request = buildRequest(verb, target, head, payload);
        fc.pre(request !== undefined);
        await checkResponse(open, request);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('holds for POST /v1/events with any CloudEvent-shaped body in either mode', async () => {
    await fc.assert(
      fc.asyncProperty(headers, cloudEventish, fc.boolean(), async (head, event, structured) => {
        const request = buildRequest(
          'POST',
          '/v1/events',
          structured ? { ...head, 'content-type': 'application/cloudevents+json' } : head,
          JSON.stringify(structured ? event : event.data),
        );
        fc.pre(request !== undefined);
        await checkResponse(open, request);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it.each([
    ['api-key', createAuthenticator({ mode: 'api-key', apiKeys: ['fuzz-key-0123456789abcdef'] })],
    [
      'standard-webhooks',
      createAuthenticator({
        mode: 'standard-webhooks',
        secret: `whsec_${Buffer.from('fuzz').toString('base64')}`,
      }),
    ],
    ['github', createAuthenticator({ mode: 'github', secret: GITHUB_SECRET })],
    ['stripe', createAuthenticator({ mode: 'stripe', secret: GITHUB_SECRET })],
  ])('never answers 5xx to arbitrary credentials in %s mode', async (_mode, authenticator) => {
    const app = appWith(authenticator);
    await fc.assert(
      fc.asyncProperty(method, path, headers, body, async (verb, target, head, payload) => {
        const request = buildRequest(verb, target, head, payload);
        fc.pre(request !== undefined);
        const response = await checkResponse(app, request);
        // Without valid credentials nothing under /v1 gets through.
        if (new URL(request.url).pathname.startsWith('/v1/')) expect(response.status).not.toBe(202);
      }),
      { numRuns: Math.round(NUM_RUNS / 2) },
    );
  });

  it('never answers 5xx to correctly signed arbitrary bodies (github mode)', async () => {
    const app = appWith(createAuthenticator({ mode: 'github', secret: GITHUB_SECRET }));
    await fc.assert(
      fc.asyncProperty(path, headers, body, async (target, head, payload) => {
        const bytes =
          typeof payload === 'string' ? new TextEncoder().encode(payload) : (payload ?? new Uint8Array());
        const signature = `sha256=${createHmac('sha256', GITHUB_SECRET).update(bytes).digest('hex')}`;
        const request = buildRequest('POST', target, { ...head, 'x-hub-signature-256': signature }, bytes);
        fc.pre(request !== undefined);
        await checkResponse(app, request);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
