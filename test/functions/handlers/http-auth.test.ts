import { createHmac } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../functions/adapters/logger';
import { startGatewayServer, type GatewayServer } from '../../../local/gateway-server';
import { countSignals, startStagedWorker, uniqueName } from '../../support/staged-worker';
import { sharedTemporal, stopSharedTemporal } from '../../support/temporal';

const API_KEYS = ['key-current-0123456789abcdef', 'key-next-0123456789abcdef'];
const ROTATED_OUT_KEY = 'key-previous-0123456789abcdef';
const WEBHOOK_SECRET = `whsec_${Buffer.from('standard-webhooks-test-secret-32b').toString('base64')}`;
const OTHER_WEBHOOK_SECRET = `whsec_${Buffer.from('some-other-secret-of-32-bytes!!!').toString('base64')}`;
const GITHUB_SECRET = 'github-test-secret';
const STRIPE_SECRET = 'whsec_stripe_test_secret';
const TEN_MINUTES_S = 600;

let env: TestWorkflowEnvironment;
let worker: Awaited<ReturnType<typeof startStagedWorker>>;
const servers: Record<string, GatewayServer> = {};

beforeAll(async () => {
  env = await sharedTemporal();
  const taskQueue = uniqueName('auth');
  worker = await startStagedWorker(env, taskQueue);
  const base = { TEMPORAL_ADDRESS: env.address, TEMPORAL_TASK_QUEUE: taskQueue };
  const modes: Record<string, Record<string, string>> = {
    apiKey: { GATEWAY_AUTH: 'api-key', GATEWAY_API_KEYS: API_KEYS.join(', ') },
    standardWebhooks: { GATEWAY_AUTH: 'standard-webhooks', GATEWAY_WEBHOOK_SECRET: WEBHOOK_SECRET },
    github: { GATEWAY_AUTH: 'github', GATEWAY_WEBHOOK_SECRET: GITHUB_SECRET },
    stripe: { GATEWAY_AUTH: 'stripe', GATEWAY_WEBHOOK_SECRET: STRIPE_SECRET },
  };
  for (const [name, auth] of Object.entries(modes)) {
    servers[name] = await startGatewayServer({ logger: silentLogger, env: { ...base, ...auth } });
  }
});

afterAll(async () => {
  await Promise.all(Object.values(servers).map((server) => server.close()));
  await worker?.stop();
  await stopSharedTemporal();
});

const signalPath = (workflowId: string) => `/v1/workflows/${workflowId}/signals/advanceStage`;

function post(server: GatewayServer, path: string, body: string, headers: Record<string, string>) {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
}

async function expectUnauthenticated(response: Response, field: string) {
  expect(response.status).toBe(401);
  expect(response.headers.get('content-type')).toContain('application/problem+json');
  const doc = (await response.json()) as { type: string; field?: string };
  expect(doc.type).toContain('/problems/unauthenticated');
  expect(doc.field).toBe(field);
  return response;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const hmacHex = (secret: string, data: string) => createHmac('sha256', secret).update(data).digest('hex');

describe('api-key mode', () => {
  const server = () => servers.apiKey!;

  it('accepts any configured key in x-api-key or as a bearer token', async () => {
    const id = uniqueName('staged-apikey');
    const viaHeader = await post(server(), signalPath(id), '{"stage":1}', { 'x-api-key': API_KEYS[0]! });
    const viaBearer = await post(server(), signalPath(id), '{"stage":2}', {
      authorization: `Bearer ${API_KEYS[1]!}`,
    });
    expect([viaHeader.status, viaBearer.status]).toEqual([202, 202]);
    const described = await fetch(`${server().url}/v1/workflows/${id}`, {
      headers: { 'x-api-key': API_KEYS[0]! },
    });
    expect(described.status).toBe(200);
  });

  it('answers 401 with a Bearer challenge when the key is missing', async () => {
    const response = await post(server(), signalPath('staged-k'), '{"stage":1}', {});
    await expectUnauthenticated(response, 'header.x-api-key');
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm=/);
    await expectUnauthenticated(await fetch(`${server().url}/v1/workflows/staged-k`), 'header.x-api-key');
  });

  it('answers 401 for a wrong key, a forged near-miss and a key rotated out of the list', async () => {
    for (const key of ['wrong', `${API_KEYS[0]!}x`, API_KEYS[0]!.slice(0, -1), ROTATED_OUT_KEY]) {
      await expectUnauthenticated(
        await post(server(), signalPath('staged-k'), '{"stage":1}', { 'x-api-key': key }),
        'header.x-api-key',
      );
    }
    const badBearer = await post(server(), signalPath('staged-k'), '{"stage":1}', {
      authorization: 'Bearer wrong',
    });
    await expectUnauthenticated(badBearer, 'header.authorization');
    expect(badBearer.headers.get('www-authenticate')).toContain('invalid_token');
  });

  it('applies a replayed request with the same Idempotency-Key once', async () => {
    const id = uniqueName('staged-apikey-replay');
    for (let i = 0; i < 2; i++) {
      const response = await post(server(), signalPath(id), '{"stage":1}', {
        'x-api-key': API_KEYS[0]!,
        'idempotency-key': 'replay-1',
      });
      expect(response.status).toBe(202);
    }
    expect(await countSignals(env, id, 'advanceStage')).toBe(1);
  });

  it('needs no credentials for /healthz and /openapi.json', async () => {
    expect((await fetch(`${server().url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server().url}/openapi.json`)).status).toBe(200);
  });
});

const EVENTS = '/v1/events';
const CE_HEADERS = { 'content-type': 'application/cloudevents+json' };

/** A CloudEvent the local default routes to `staged-{key}` as advanceStage {stage}. */
function cloudEvent(key: string, stage: number, extra = ''): string {
  return `{"specversion":"1.0","id":"${uniqueName('ce')}","source":"/tests","type":"com.example.stage.advanced",${extra}"data":{"workflowKey":"${key}","stage":${stage}}}`;
}

const postEvent = (server: GatewayServer, body: string, headers: Record<string, string>) =>
  post(server, EVENTS, body, { ...CE_HEADERS, ...headers });

const workflowExists = (id: string) =>
  env.client.workflow
    .getHandle(id)
    .describe()
    .then(
      () => true,
      () => false,
    );

describe('standard-webhooks mode', () => {
  const server = () => servers.standardWebhooks!;
  const signed = (body: string, options: { id?: string; at?: number; secret?: string } = {}) => {
    const id = options.id ?? `msg_${uniqueName('wh')}`;
    const at = options.at ?? nowSeconds();
    const signature = new Webhook(options.secret ?? WEBHOOK_SECRET).sign(id, new Date(at * 1000), body);
    return { 'webhook-id': id, 'webhook-timestamp': String(at), 'webhook-signature': signature };
  };

  it('accepts a correctly signed CloudEvent and uses the webhook-id as the event id', async () => {
    const body = cloudEvent(uniqueName('wh'), 1);
    const headers = signed(body);
    const response = await postEvent(server(), body, headers);
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({
      status: 'delivered',
      eventId: `@cloudevent:signed-standard-webhooks:${headers['webhook-id']}`,
    });
  });

  it('verifies the raw bytes, so a body with unusual spacing and unicode still verifies', async () => {
    const key = uniqueName('wh-raw');
    const body = cloudEvent(key, 1, '\n  "note" : "caf\u00e9 \u2603" , ');
    expect((await postEvent(server(), body, signed(body))).status).toBe(202);
    expect(await countSignals(env, `staged-${key}`, 'advanceStage')).toBe(1);
  });

  it('answers 401 when a header is missing', async () => {
    const body = cloudEvent('w', 1);
    const headers: Record<string, string> = signed(body);
    delete headers['webhook-signature'];
    await expectUnauthenticated(await postEvent(server(), body, headers), 'header.webhook-signature');
    await expectUnauthenticated(await postEvent(server(), body, {}), 'header.webhook-id');
  });

  it('answers 401 for a signature made with the wrong secret or over a forged body', async () => {
    const body = cloudEvent('w', 1);
    await expectUnauthenticated(
      await postEvent(server(), body, signed(body, { secret: OTHER_WEBHOOK_SECRET })),
      'header.webhook-signature',
    );
    await expectUnauthenticated(
      await postEvent(server(), cloudEvent('w', 3), signed(body)),
      'header.webhook-signature',
    );
  });

  it('answers 401 for a timestamp outside the 5-minute tolerance, past or future', async () => {
    const body = cloudEvent('w', 1);
    for (const at of [nowSeconds() - TEN_MINUTES_S, nowSeconds() + TEN_MINUTES_S]) {
      await expectUnauthenticated(
        await postEvent(server(), body, signed(body, { at })),
        'header.webhook-timestamp',
      );
    }
  });

  it('records a replayed request once, even when the replay changes the Idempotency-Key', async () => {
    const key = uniqueName('wh-replay');
    const body = cloudEvent(key, 1);
    const headers = signed(body);
    for (const idempotencyKey of ['a', 'b', 'c']) {
      const response = await postEvent(server(), body, { ...headers, 'idempotency-key': idempotencyKey });
      expect(response.status).toBe(202);
    }
    expect(await countSignals(env, `staged-${key}`, 'advanceStage')).toBe(1);
  });
});

describe('github mode', () => {
  const server = () => servers.github!;
  const sign = (body: string, secret = GITHUB_SECRET) => ({
    'x-hub-signature-256': `sha256=${hmacHex(secret, body)}`,
  });

  it('accepts a CloudEvent signed with the shared secret; the signed body is the event id', async () => {
    const body = cloudEvent(uniqueName('gh'), 1);
    const response = await postEvent(server(), body, sign(body));
    expect(response.status).toBe(202);
    expect(((await response.json()) as { eventId: string }).eventId).toMatch(
      /^@cloudevent:signed-github:sha256-[0-9a-f]{64}$/,
    );
  });

  it('answers 401 for a missing, wrong-secret, forged or malformed signature', async () => {
    const body = cloudEvent('g', 1);
    const field = 'header.x-hub-signature-256';
    await expectUnauthenticated(await postEvent(server(), body, {}), field);
    await expectUnauthenticated(await postEvent(server(), body, sign(body, 'other')), field);
    await expectUnauthenticated(await postEvent(server(), cloudEvent('g', 2), sign(body)), field);
    const sha1 = { 'x-hub-signature-256': `sha1=${hmacHex(GITHUB_SECRET, body)}` };
    await expectUnauthenticated(await postEvent(server(), body, sha1), field);
  });

  it('records a replayed delivery once: GitHub signs no timestamp, so the signed body is the event id', async () => {
    const key = uniqueName('gh-replay');
    const body = cloudEvent(key, 1);
    for (const idempotencyKey of ['a', 'b']) {
      const headers = { ...sign(body), 'idempotency-key': idempotencyKey };
      expect((await postEvent(server(), body, headers)).status).toBe(202);
    }
    expect(await countSignals(env, `staged-${key}`, 'advanceStage')).toBe(1);
  });
});

describe('stripe mode', () => {
  const server = () => servers.stripe!;
  const sign = (body: string, options: { at?: number; secret?: string } = {}) => {
    const at = options.at ?? nowSeconds();
    return { 'stripe-signature': `t=${at},v1=${hmacHex(options.secret ?? STRIPE_SECRET, `${at}.${body}`)}` };
  };
  const field = 'header.stripe-signature';

  it('accepts a fresh signature, also when it is one of several v1 values during a secret roll', async () => {
    const at = nowSeconds();
    const first = cloudEvent(uniqueName('stripe'), 1);
    const second = cloudEvent(uniqueName('stripe'), 1);
    const rolled = `t=${at},v1=${hmacHex('old-secret', `${at}.${second}`)},v1=${hmacHex(STRIPE_SECRET, `${at}.${second}`)}`;
    expect((await postEvent(server(), first, sign(first))).status).toBe(202);
    expect((await postEvent(server(), second, { 'stripe-signature': rolled })).status).toBe(202);
  });

  it('answers 401 for a missing, malformed, wrong-secret or forged signature', async () => {
    const body = cloudEvent('s', 1);
    await expectUnauthenticated(await postEvent(server(), body, {}), field);
    await expectUnauthenticated(await postEvent(server(), body, { 'stripe-signature': 'v1=abc' }), field);
    await expectUnauthenticated(await postEvent(server(), body, sign(body, { secret: 'x' })), field);
    await expectUnauthenticated(await postEvent(server(), cloudEvent('s', 2), sign(body)), field);
  });

  it('answers 401 for a signature older than 5 minutes, even when it is otherwise valid', async () => {
    const body = cloudEvent('s', 1);
    const stale = sign(body, { at: nowSeconds() - TEN_MINUTES_S });
    await expectUnauthenticated(await postEvent(server(), body, stale), field);
  });

  it('records a request replayed within the tolerance once', async () => {
    const key = uniqueName('stripe-replay');
    const body = cloudEvent(key, 1);
    const headers = sign(body);
    for (let i = 0; i < 3; i++) expect((await postEvent(server(), body, headers)).status).toBe(202);
    expect(await countSignals(env, `staged-${key}`, 'advanceStage')).toBe(1);
  });
});

/**
 * The defect this guards against: a webhook signature covers the body (and a timestamp), never the
 * URL. A request signed for one purpose, replayed to `/v1/workflows/<any id>/…`, verified and
 * signalled — with start-if-missing, started — a workflow of the attacker's choosing.
 */
describe('signature modes never reach a path-addressed endpoint (replay to another path)', () => {
  const SIGNERS: Record<string, (body: string) => Record<string, string>> = {
    standardWebhooks: (body) => {
      const id = `msg_${uniqueName('replay')}`;
      const at = nowSeconds();
      return {
        'webhook-id': id,
        'webhook-timestamp': String(at),
        'webhook-signature': new Webhook(WEBHOOK_SECRET).sign(id, new Date(at * 1000), body),
      };
    },
    github: (body) => ({ 'x-hub-signature-256': `sha256=${hmacHex(GITHUB_SECRET, body)}` }),
    stripe: (body) => {
      const at = nowSeconds();
      return { 'stripe-signature': `t=${at},v1=${hmacHex(STRIPE_SECRET, `${at}.${body}`)}` };
    },
  };

  it.each(Object.keys(SIGNERS))(
    '%s: a validly signed request replayed to /v1/workflows/… is 401 and delivers nothing',
    async (mode) => {
      const target = uniqueName('staged-victim');
      // The original attack: a body that is itself a valid signal argument.
      const argument = '{"stage":1}';
      const headers = SIGNERS[mode]!(argument);
      for (const path of [signalPath(target), `/v1/workflows/${target}/updates/setStage`]) {
        const response = await post(servers[mode]!, path, argument, headers);
        expect(response.status).toBe(401);
        expect(((await response.json()) as { detail: string }).detail).toContain('/v1/webhooks/{source}');
      }
      expect((await fetch(`${servers[mode]!.url}/v1/workflows/${target}`, { headers })).status).toBe(401);
      // A CloudEvent accepted on /v1/events (its target is in the signed body) cannot be redirected either.
      const key = uniqueName('routed');
      const body = cloudEvent(key, 1);
      const signed = SIGNERS[mode]!(body);
      expect((await postEvent(servers[mode]!, body, signed)).status).toBe(202);
      expect((await post(servers[mode]!, signalPath(target), body, signed)).status).toBe(401);
      expect(await workflowExists(target)).toBe(false);
      expect(await countSignals(env, `staged-${key}`, 'advanceStage')).toBe(1);
    },
  );
});
