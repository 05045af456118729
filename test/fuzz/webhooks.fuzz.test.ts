/**
 * Property-based tests of `POST /v1/webhooks/{source}` in process: arbitrary source names, headers
 * and bodies, unsigned and correctly signed. Temporal and SQS are stand-ins (this is about the
 * gateway's own handling of input): never a 5xx, never an error log, every non-2xx a problem
 * document, and nothing unsigned ever reaches a workflow.
 */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import type { GatewayLogger } from '../../functions/adapters/logger';
import { loadSourceRuntimes } from '../../functions/adapters/webhook-secrets';
import { DEFAULT_GATEWAY_CONFIG } from '../../functions/core/default-config';
import { DEMO_SOURCE_SECRET_ENV } from '../../functions/core/env-names';
import { parseGatewayConfig } from '../../functions/core/gateway-config';
import { createDeliverer } from '../../functions/adapters/deliverer';
import type { Delivery } from '../../functions/core/outcomes';
import { problem } from '../../functions/core/problems';
import { createHttpApp, type HttpApp } from '../../functions/handlers/http-app';

const NUM_RUNS = 200;
const SECRET = 'fuzz-webhook-secret-0123456789';
const SW_SECRET = `whsec_${Buffer.from('fuzz-standard-webhooks-secret!!').toString('base64')}`;

const strictLogger: GatewayLogger = {
  info() {},
  warn() {},
  error(message, ...extra) {
    throw new Error(`logged an error: ${message} ${JSON.stringify(extra)}`);
  },
};

const config = parseGatewayConfig(DEFAULT_GATEWAY_CONFIG);

async function fuzzApp(): Promise<{ app: HttpApp; delivered: string[] }> {
  const env = Object.fromEntries(
    Object.entries(DEMO_SOURCE_SECRET_ENV).map(([name, variable]) => [
      variable,
      name === 'standard-webhooks' ? SW_SECRET : SECRET,
    ]),
  );
  const loaded = await loadSourceRuntimes(config.sources, { env });
  if (!loaded.ok) throw new Error(loaded.problems.join('; '));
  const delivered: string[] = [];
  // Deliveries succeed, fail permanently or fail transiently, so every branch of the answer runs.
  const outcomes = ['delivered', 'permanent', 'transient'] as const;
  let turn = 0;
  const signal = (command: { workflowId: string; eventId: string }): Promise<Delivery> => {
    const outcome = outcomes[turn++ % outcomes.length];
    if (outcome === 'delivered') {
      delivered.push(command.eventId);
      return Promise.resolve({ status: 'delivered', started: false });
    }
    return Promise.resolve({
      status: 'failed',
      transient: outcome === 'transient',
      problem:
        outcome === 'transient'
          ? problem('temporal-unavailable', 'down')
          : problem('workflow-closed', 'closed', 'workflowId'),
    });
  };
  const app = createHttpApp({
    config,
    deliverer: createDeliverer({
      signaler: { signal },
      updater: { update: () => Promise.reject(new Error('no update routes in the demo sources')) },
      logger: strictLogger,
    }),
    reader: {
      describe: () => Promise.reject(new Error('unused')),
      query: () => Promise.reject(new Error('unused')),
      health: () => Promise.reject(new Error('unused')),
    },
    logger: strictLogger,
    sources: loaded.sources,
    webhookQueues: { enqueue: () => Promise.resolve(), deadLetter: () => Promise.resolve() },
    maxBodyBytes: 4096,
  });
  return { app, delivered };
}

const often = <T>(valid: fc.Arbitrary<T>, other: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 4, arbitrary: valid }, { weight: 1, arbitrary: other });

const sourceName = often(
  fc.constantFrom(...config.sources.map((source) => source.name)),
  fc.oneof(
    fc.constantFrom('', '..', '%00', 'STRIPE', 'stripe%2F..'),
    fc.string({ maxLength: 30 }).map(encodeURIComponent),
  ),
);

const headerValue = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 80 }),
  fc.constantFrom(
    't=1,v1=00',
    'sha256=00',
    'v0=00',
    'v1,AAAA',
    '1700000000',
    'pull_request',
    'ping',
    'orders/paid',
  ),
);

const headers = fc
  .tuple(
    fc.dictionary(
      fc.constantFrom(
        'stripe-signature',
        'x-hub-signature-256',
        'x-github-event',
        'x-github-delivery',
        'webhook-id',
        'webhook-timestamp',
        'webhook-signature',
        'x-slack-signature',
        'x-slack-request-timestamp',
        'x-shopify-hmac-sha256',
        'x-shopify-topic',
        'x-partner-signature',
        'x-partner-timestamp',
      ),
      headerValue,
      { maxKeys: 5 },
    ),
    often(fc.constantFrom('application/json', 'application/json; charset=utf-8'), headerValue),
  )
  .map(([extra, contentType]) => ({ ...extra, 'content-type': contentType }));

const key = fc.oneof(fc.stringMatching(/^[A-Za-z0-9._:-]{1,24}$/), fc.jsonValue());
/** Near-valid provider events: the fields the demo routes read are usually there. */
const providerish = fc.oneof(
  fc.record(
    {
      id: often(fc.stringMatching(/^evt_[A-Za-z0-9]{1,20}$/), fc.jsonValue()),
      type: fc.constantFrom('payment_intent.succeeded', 'stage.advanced', 'shipment.updated', 'x'),
      data: fc.record(
        {
          object: fc.record({ metadata: fc.record({ workflowKey: key }, { requiredKeys: [] }) }),
          workflowKey: key,
          stage: fc.jsonValue(),
        },
        { requiredKeys: [] },
      ),
      shipment: fc.record(
        { orderKey: key, status: fc.constantFrom('shipped', 'lost') },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: [] },
  ),
  fc.record(
    {
      action: fc.constantFrom('opened', 'closed'),
      number: fc.integer(),
      pull_request: fc.record({ number: fc.oneof(fc.integer(), fc.jsonValue()), merged: fc.boolean() }),
      repository: fc.record({ name: key }),
    },
    { requiredKeys: [] },
  ),
  fc.record(
    {
      type: fc.constantFrom('event_callback', 'url_verification'),
      challenge: fc.jsonValue(),
      event_id: fc.jsonValue(),
      event: fc.record({ type: fc.constant('app_mention'), channel: key }, { requiredKeys: [] }),
    },
    { requiredKeys: [] },
  ),
);

const body = fc.oneof(
  { weight: 4, arbitrary: providerish.map((value) => JSON.stringify(value)) },
  { weight: 1, arbitrary: fc.jsonValue().map((value) => JSON.stringify(value) ?? '') },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((bytes) => new TextDecoder().decode(bytes)) },
);

/** What each preset's signature over `body` looks like, as its provider makes it. */
function signFor(source: string, body: string, head: Record<string, string>): Record<string, string> {
  const now = Math.floor(Date.now() / 1000);
  const hmac = (data: string, encoding: 'hex' | 'base64' = 'hex') =>
    createHmac('sha256', SECRET).update(data).digest(encoding);
  switch (source) {
    case 'stripe':
      return {
        'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload: body, secret: SECRET }),
      };
    case 'github':
      return {
        'x-github-event': head['x-github-event'] ?? 'pull_request',
        'x-hub-signature-256': `sha256=${hmac(body)}`,
      };
    case 'slack':
      return {
        'x-slack-request-timestamp': String(now),
        'x-slack-signature': `v0=${hmac(`v0:${now}:${body}`)}`,
      };
    case 'shopify':
      return {
        'x-shopify-topic': head['x-shopify-topic'] ?? 'orders/paid',
        'x-shopify-hmac-sha256': hmac(body, 'base64'),
      };
    case 'partner':
      return {
        'x-partner-timestamp': String(now),
        'x-partner-signature': `sha256=${hmac(`${now}.${body}`)}`,
      };
    default:
      return {};
  }
}

async function check(app: HttpApp, request: Request): Promise<Response> {
  const response = await app.request(request);
  // The stand-in queues always take an event, so not even a transient Temporal failure is a 503.
  expect(response.status, await response.clone().text()).toBeLessThan(500);
  if (response.status >= 200 && response.status < 300) return response;
  expect(response.headers.get('content-type')).toContain('application/problem+json');
  const doc = (await response.json()) as Record<string, unknown>;
  expect(doc.status).toBe(response.status);
  expect(typeof doc.detail).toBe('string');
  return response;
}

describe('POST /v1/webhooks/{source} under fuzzing', () => {
  it('never answers 5xx to arbitrary names, headers and bodies, and delivers nothing unsigned', async () => {
    const { app, delivered } = await fuzzApp();
    await fc.assert(
      fc.asyncProperty(sourceName, headers, body, async (source, head, payload) => {
        const response = await check(
          app,
          new Request(`http://gateway/v1/webhooks/${source}`, {
            method: 'POST',
            headers: head,
            body: payload,
          }),
        );
        expect([200, 202]).not.toContain(response.status);
      }),
      { numRuns: NUM_RUNS },
    );
    expect(delivered).toEqual([]);
  });

  it('never answers 5xx to correctly signed arbitrary bodies', async () => {
    const { app } = await fuzzApp();
    const signed = fc.constantFrom('stripe', 'github', 'slack', 'shopify', 'partner');
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(signed, headers, body, async (source, head, payload) => {
        const request = new Request(`http://gateway/v1/webhooks/${source}`, {
          method: 'POST',
          headers: { ...head, 'content-type': 'application/json', ...signFor(source, payload, head) },
          body: payload,
        });
        const response = await check(app, request);
        // Signed and JSON: acknowledged (or refused as a malformed body), never unauthenticated.
        expect(response.status).not.toBe(401);
        statuses.add(response.status);
      }),
      { numRuns: NUM_RUNS },
    );
    // The runs reached the deeper paths: ignored (200) and delivered, queued or dead-lettered (202).
    expect([...statuses]).toEqual(expect.arrayContaining([200, 202]));
  });
});
