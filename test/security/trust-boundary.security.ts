/**
 * The trust boundary, attacked from the outside against a real local stack (API-key mode, every
 * demo source with a secret; see support/stack.ts): each finding of issue 23 is reproduced and must
 * be refused, the attacks that already held must keep holding, and at the end the stack's whole log
 * output must hold none of the secrets, signature values or callback tokens the run used.
 *
 * Signatures are made with the providers' own libraries (stripe, @octokit/webhooks-methods,
 * standardwebhooks, Shopify's test helper), never with our signing code.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { sign as githubSign } from '@octokit/webhooks-methods';
import { getHmac as shopifyHmac } from '@shopify/shopify-api/test-helpers';
import { SignJWT } from 'jose';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCallbackSigningKeys } from '../../contract/callback-keys';
import { HANDSHAKE, handshakeOutboxFile, type HandshakeOutboxEntry } from '../../contract/demo-handshake';
import { DLQ_ATTRIBUTES } from '../../functions/adapters/sqs-dead-letters';
import { runCli } from '../../local/cli/main';
import { createCallbackMinter } from '../../worker/callbacks/minter';
import { receiveAll } from '../local/support';
import { uniqueName } from '../support/staged-worker';
import { startSecurityStack, type SecurityStack } from './support/stack';

let stack: SecurityStack;
/** Every credential-like value the run sent: the log test looks for each. */
const used = new Set<string>();
const stripe = new Stripe('sk_test_security_suite');

beforeAll(async () => {
  stack = await startSecurityStack();
}, 300_000);

afterAll(async () => {
  await stack?.stop();
});

const apiKey = () => ({ 'x-api-key': stack.secrets.apiKey });

async function post(path: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${stack.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await response.text();
  return { status: response.status, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

/** A request with its path sent byte for byte (fetch would normalise `..`). */
function rawPost(path: string, body: string): Promise<number> {
  const { port, hostname } = new URL(stack.url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: hostname, port, path, method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function stripeSigned(event: object, at = Math.floor(Date.now() / 1000)) {
  const body = JSON.stringify(event);
  const signature = stripe.webhooks.generateTestHeaderString({
    payload: body,
    secret: stack.secrets.sources.stripe,
    timestamp: at,
  });
  used.add(signature);
  return { body, headers: { 'stripe-signature': signature } };
}

const paymentSucceeded = (id: string, workflowKey: string) => ({
  id,
  type: 'payment_intent.succeeded',
  data: { object: { metadata: { workflowKey } } },
});

async function workflowExists(workflowId: string): Promise<boolean> {
  return stack.temporal.client.workflow
    .getHandle(workflowId)
    .describe()
    .then(
      () => true,
      () => false,
    );
}

async function progress(workflowId: string): Promise<{ stage: number; eventsApplied: number }> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const response = await fetch(`${stack.url}/v1/workflows/${workflowId}/queries/progress`, {
      headers: apiKey(),
    });
    if (response.ok) {
      const { result } = (await response.json()) as { result: { stage: number; eventsApplied: number } };
      if (result.stage > 0 || Date.now() > deadline) return result;
    } else if (Date.now() > deadline) throw new Error(`progress of ${workflowId}: ${response.status}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Waits until the DLQ holds a message matching `match`, and returns its reason. */
async function deadLetterWhere(match: (body: string) => boolean): Promise<string | undefined> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const messages = await receiveAll(stack.sqs.client, stack.sqs.queues.eventsDlq.url, 1);
    for (const message of messages) {
      if (message.Body && match(message.Body)) {
        return message.MessageAttributes?.[DLQ_ATTRIBUTES.errorType]?.StringValue;
      }
    }
  }
  return undefined;
}

async function cli(args: string[]): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const code = await runCli([...args, '--endpoint', stack.sqs.sqs.endpoint], {
    out: (line) => out.push(line),
    err: (line) => out.push(line),
    env: { ...process.env, AWS_REGION: stack.sqs.sqs.region },
  });
  return { code, out: out.join('\n') };
}

describe('finding 1: a forged webhook envelope on the events queue', () => {
  it('is dead-lettered as unverified-envelope (dlq list shows it), signals nothing, and a redrive meets the same check', async () => {
    const key = uniqueName('q6');
    const forged = {
      webhook: {
        source: 'stripe',
        verifiedBy: 'stripe',
        eventId: `stripe:evt_forged_${key}`,
        headers: {},
        body: JSON.stringify(paymentSucceeded(`evt_forged_${key}`, key)),
        receivedAt: new Date().toISOString(),
      },
    };
    await stack.sqs.send(stack.sqs.queues.events, forged);
    // Also with a made-up seal: only the gateway's key makes one that verifies.
    await stack.sqs.send(stack.sqs.queues.events, {
      ...forged,
      gatewaySeal: 'v1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    });
    const listed = await waitForDlqListing(key, 2);
    expect(listed.out).toContain('unverified-envelope');
    expect(await workflowExists(`staged-${key}`)).toBe(false);

    const redriven = await cli([
      'dlq',
      'redrive',
      '--dlq-url',
      stack.sqs.queues.eventsDlq.url,
      '--queue-url',
      stack.sqs.queues.events.url,
    ]);
    expect(redriven.code).toBe(0);
    const again = await waitForDlqListing(key, 2);
    expect(again.out).toContain('unverified-envelope');
    expect(await workflowExists(`staged-${key}`)).toBe(false);
  });
});

/** `dlq list` until it shows `count` messages mentioning `key` (the queue handler runs in the gateway). */
async function waitForDlqListing(key: string, count: number) {
  const deadline = Date.now() + 60_000;
  let listed = { code: -1, out: '' };
  while (Date.now() < deadline) {
    listed = await cli(['dlq', 'list', '--json', '--dlq-url', stack.sqs.queues.eventsDlq.url]);
    if (listed.out.split(key).length - 1 >= count) return listed;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`the DLQ never listed ${count} messages of ${key}: ${listed.out.slice(0, 2000)}`);
}

describe('finding 2: a caller-chosen id in a provider namespace', () => {
  it('is refused with 422 on every entry point, and the genuine Stripe event that follows is applied', async () => {
    const key = uniqueName('ns');
    const evt = `evt_${key}`;
    const signal = await post(`/v1/workflows/staged-${key}/signals/advanceStage`, '{"stage":3}', {
      ...apiKey(),
      'idempotency-key': `stripe:${evt}`,
    });
    expect(signal.status).toBe(422);
    expect(signal.json()).toMatchObject({ field: 'header.idempotency-key' });
    expect(signal.json().type).toContain('reserved-event-id');
    const cloudEvent = await post(
      '/v1/events',
      JSON.stringify({
        specversion: '1.0',
        id: `stripe:${evt}`,
        source: '/attacker',
        type: 'com.example.stage.advanced',
        data: { workflowKey: key, stage: 3 },
      }),
      { ...apiKey(), 'content-type': 'application/cloudevents+json' },
    );
    expect(cloudEvent.status).toBe(422);
    expect(cloudEvent.json().type).toContain('reserved-event-id');
    await stack.sqs.send(stack.sqs.queues.events, {
      workflowId: `staged-${key}`,
      signal: 'advanceStage',
      payload: { stage: 3 },
      eventId: `stripe:${evt}`,
    });
    expect(await deadLetterWhere((body) => body.includes(`stripe:${evt}`))).toBe('reserved-event-id');
    expect(await workflowExists(`staged-${key}`)).toBe(false);

    const genuine = stripeSigned(paymentSucceeded(evt, key));
    const delivered = await post('/v1/webhooks/stripe', genuine.body, genuine.headers);
    expect(delivered.status).toBe(202);
    expect(delivered.json()).toMatchObject({ status: 'delivered', eventId: `stripe:${evt}` });
    expect((await progress(`staged-${key}`)).stage).toBe(1);
  });

  it("keeps two callers' equal keys apart and the same caller's retry applied once", async () => {
    const key = uniqueName('retry');
    const send = () =>
      post(`/v1/workflows/staged-${key}/signals/advanceStage`, '{"stage":1}', {
        ...apiKey(),
        'idempotency-key': 'same-key',
      });
    expect((await send()).status).toBe(202);
    const second = await send();
    expect(second.status).toBe(202);
    expect(second.json().eventId).toMatch(/^@http:key-[0-9a-f]{16}:same-key$/);
    expect(second.text).not.toContain(stack.secrets.apiKey);
    await stack.sqs.send(stack.sqs.queues.events, {
      workflowId: `staged-${key}`,
      signal: 'advanceStage',
      payload: { stage: 1 },
      eventId: 'same-key',
    });
    // Both callers' events are applied (a stale stage still counts), the HTTP retry is not.
    const deadline = Date.now() + 60_000;
    let applied = 0;
    while (Date.now() < deadline && applied < 2) {
      applied = (await progress(`staged-${key}`)).eventsApplied;
      if (applied < 2) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(applied).toBe(2);
  });
});

describe('finding 3: event types from unsigned headers', () => {
  it('a signed Shopify orders/create body re-posted as orders/paid does not advance the order', async () => {
    const id = Math.floor(Math.random() * 1e12);
    const body = JSON.stringify({ id, email: 'jon@example.com', financial_status: 'pending' });
    const hmac = shopifyHmac(body, stack.secrets.sources.shopify);
    used.add(hmac);
    const headers = { 'x-shopify-hmac-sha256': hmac, 'x-shopify-webhook-id': crypto.randomUUID() };
    const created = await post('/v1/webhooks/shopify', body, {
      ...headers,
      'x-shopify-topic': 'orders/create',
    });
    expect(created.status).toBe(200);
    const replay = await post('/v1/webhooks/shopify', body, { ...headers, 'x-shopify-topic': 'orders/paid' });
    expect(replay.status).toBe(200);
    expect(replay.json()).toMatchObject({ status: 'ignored' });
    expect(await workflowExists(`staged-shopify-${id}`)).toBe(false);
  });

  it('a signed GitHub body re-posted under another X-GitHub-Event is not delivered as that event', async () => {
    const number = Math.floor(Math.random() * 1e9);
    const body = JSON.stringify({
      action: 'opened',
      number,
      issue: { number },
      repository: { name: 'sec' },
    });
    const signature = await githubSign(stack.secrets.sources.github, body);
    used.add(signature);
    const replay = await post('/v1/webhooks/github', body, {
      'x-hub-signature-256': signature,
      'x-github-event': 'pull_request',
      'x-github-delivery': crypto.randomUUID(),
    });
    expect(replay.status).toBe(200);
    expect(replay.json()).toMatchObject({ status: 'ignored' });
  });

  it('a dead-lettered webhook keeps no provider signature header', async () => {
    const id = Math.floor(Math.random() * 1e12);
    // Paid, but without the field its route needs for the workflow id: acknowledged and dead-lettered.
    const body = JSON.stringify({ email: 'jon@example.com', financial_status: 'paid', marker: `dl-${id}` });
    const hmac = shopifyHmac(body, stack.secrets.sources.shopify);
    used.add(hmac);
    const answer = await post('/v1/webhooks/shopify', body, {
      'x-shopify-hmac-sha256': hmac,
      'x-shopify-topic': 'orders/paid',
    });
    expect(answer.status).toBe(202);
    expect(answer.json()).toMatchObject({ status: 'dead-lettered' });
    const deadline = Date.now() + 30_000;
    let letter: string | undefined;
    while (!letter && Date.now() < deadline) {
      const messages = await receiveAll(stack.sqs.client, stack.sqs.queues.eventsDlq.url, 1);
      letter = messages.find((m) => m.Body?.includes(`dl-${id}`))?.Body;
    }
    expect(letter).toBeDefined();
    expect(letter).not.toContain(hmac);
    expect(letter).not.toContain('x-shopify-hmac-sha256');
    expect(JSON.parse(letter!)).toMatchObject({ webhook: { verifiedBy: 'shopify' } });
  });
});

describe('one input limit on every entry point', () => {
  const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

  it('refuses a 100,000-deep CloudEvent data and a 50,000-deep signed Stripe body like a deep signal', async () => {
    const key = uniqueName('deep');
    const deepEvent = `{"specversion":"1.0","id":"deep-${key}","source":"/x","type":"com.example.stage.advanced","data":{"workflowKey":"${key}","stage":1,"x":${nested(100_000)}}}`;
    const event = await post('/v1/events', deepEvent, {
      ...apiKey(),
      'content-type': 'application/cloudevents+json',
    });
    expect(event.status).toBe(400);
    const signal = await post(`/v1/workflows/staged-${key}/signals/advanceStage`, nested(65), apiKey());
    expect(signal.status).toBe(400);
    const deepStripe = `{"id":"evt_deep_${key}","type":"payment_intent.succeeded","data":{"object":{"metadata":{"workflowKey":"${key}"}},"x":${nested(50_000)}}}`;
    const signature = stripe.webhooks.generateTestHeaderString({
      payload: deepStripe,
      secret: stack.secrets.sources.stripe,
    });
    used.add(signature);
    const webhook = await post('/v1/webhooks/stripe', deepStripe, { 'stripe-signature': signature });
    expect(webhook.status).toBe(400);
    await stack.sqs.send(stack.sqs.queues.events, deepEvent);
    expect(await deadLetterWhere((body) => body.includes(`deep-${key}`))).toBe('invalid-request');
    expect(await workflowExists(`staged-${key}`)).toBe(false);
  });
});

/** A callback URL the stack's worker minted and handed over through the outbox. */
async function mintedCallback(): Promise<{ workflowId: string; entry: HandshakeOutboxEntry }> {
  const workflowId = uniqueName('handshake-sec');
  await stack.temporal.client.workflow.start(HANDSHAKE.workflowType, {
    workflowId,
    taskQueue: stack.taskQueue,
    args: [{ skipWarehouse: true }],
  });
  const file = handshakeOutboxFile(stack.outboxDir, workflowId, 'partner');
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const entry = JSON.parse(readFileSync(file, 'utf8')) as HandshakeOutboxEntry;
      used.add(entry.url.split('/v1/callbacks/')[1]!);
      return { workflowId, entry };
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

const tokenOf = (url: string) => url.split('/v1/callbacks/')[1]!;
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;

describe('callback tokens (held before, kept held)', () => {
  it('refuse alg none, HS512, tampering and a token moved to another workflow; a spent one answers once', async () => {
    const { workflowId, entry } = await mintedCallback();
    const token = tokenOf(entry.url);
    const [header, , signature] = token.split('.');
    const claims = claimsOf(token);
    const [key] = parseCallbackSigningKeys(stack.secrets.callbackKeys);
    const forgeries = {
      none: `${b64({ alg: 'none', kid: key!.id })}.${b64(claims)}.`,
      hs512: await new SignJWT(claims).setProtectedHeader({ alg: 'HS512', kid: key!.id }).sign(key!.secret),
      tampered: `${header}.${b64({ ...claims, act: { kind: 'signal', name: 'advanceStage' } })}.${signature}`,
      otherWorkflow: `${header}.${b64({ ...claims, wid: 'staged-someone-else' })}.${signature}`,
      unknownKid: `${b64({ alg: 'HS256', kid: 'nope' })}.${token.split('.')[1]}.${signature}`,
    };
    for (const [name, forged] of Object.entries(forgeries)) {
      const answer = await post(`/v1/callbacks/${forged}`, '{}');
      // 401 callback-invalid; an unsigned token (empty third part) is not even token-shaped: 400.
      expect([name, answer.status]).toEqual([name, name === 'none' ? 400 : 401]);
    }
    expect(await workflowExists('staged-someone-else')).toBe(false);
    // The genuine URL, posted twice: applied once.
    expect((await post(`/v1/callbacks/${token}`, '{"ok":true}')).status).toBe(202);
    expect((await post(`/v1/callbacks/${token}`, '{"ok":true}')).status).toBeLessThan(500);
    const result = (await stack.temporal.client.workflow.getHandle(workflowId).result()) as {
      acknowledgement: unknown;
    };
    expect(result.acknowledgement).toEqual({ ok: true });
  });

  it('refuse an expired token with 410', async () => {
    const minter = createCallbackMinter({
      baseUrl: stack.url,
      keys: parseCallbackSigningKeys(stack.secrets.callbackKeys),
      now: () => Date.now() - 3_600_000,
    });
    const { url } = await minter.mint({
      workflowId: uniqueName('handshake-old'),
      signal: HANDSHAKE.acknowledgedSignal,
      expiresInSeconds: 60,
    });
    used.add(tokenOf(url));
    expect((await post(new URL(url).pathname, '{}')).status).toBe(410);
  });

  it('never answer a status query with the token', async () => {
    const { workflowId, entry } = await mintedCallback();
    const response = await fetch(`${stack.url}/v1/workflows/${workflowId}/queries/${HANDSHAKE.statusQuery}`, {
      headers: apiKey(),
    });
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(text).toContain(entry.callbackId);
    expect(text).not.toContain(tokenOf(entry.url));
    await post(new URL(entry.url).pathname, '{"ok":true}');
  });
});

describe('webhook signatures and exempt paths (held before, kept held)', () => {
  it('refuse a Stripe-signed body replayed to another source, and a stale Stripe timestamp', async () => {
    const key = uniqueName('xsrc');
    const signed = stripeSigned(paymentSucceeded(`evt_${key}`, key));
    for (const source of ['github', 'partner', 'standard-webhooks', 'shopify', 'slack']) {
      const answer = await post(`/v1/webhooks/${source}`, signed.body, signed.headers);
      expect([source, answer.status]).toEqual([source, 401]);
    }
    const stale = stripeSigned(
      paymentSucceeded(`evt_${key}_stale`, key),
      Math.floor(Date.now() / 1000) - 600,
    );
    expect((await post('/v1/webhooks/stripe', stale.body, stale.headers)).status).toBe(401);
    expect(await workflowExists(`staged-${key}`)).toBe(false);
  });

  it('never reach a workflow endpoint without the API key through /v1/webhooks/ or /v1/callbacks/', async () => {
    const key = uniqueName('path');
    const target = `workflows/staged-${key}/signals/advanceStage`;
    const paths = [
      `/v1/webhooks/../${target}`,
      `/v1/webhooks/..%2F${target.replaceAll('/', '%2F')}`,
      `/v1/webhooks/%2e%2e/${target}`,
      `/v1/callbacks/x/../../${target}`,
      `/v1/callbacks/..%2f..%2f${target.replaceAll('/', '%2f')}`,
      `/v1/webhooks//v1/${target}`,
      `/v1/webhooks/stripe/../../${target}`,
    ];
    for (const path of paths) {
      const status = await rawPost(path, '{"stage":1}');
      expect([path, status >= 400 && status < 500]).toEqual([path, true]);
    }
    expect(await workflowExists(`staged-${key}`)).toBe(false);
  });
});

describe("the stack's whole log", () => {
  it('holds no secret, signature value or callback token after every entry point was used', async () => {
    // The entry points the tests above did not all reach: an update, the remaining providers.
    const key = uniqueName('logs');
    const update = await post(`/v1/workflows/staged-${key}/updates/setStage`, '{"stage":1}', {
      ...apiKey(),
      'idempotency-key': `u-${key}`,
    });
    expect(update.status).toBe(200);
    const standard = new StandardWebhook(stack.secrets.sources['standard-webhooks']);
    const swBody = JSON.stringify({ type: 'stage.advanced', data: { workflowKey: `${key}-sw`, stage: 1 } });
    const swSignature = standard.sign(`msg_${key}`, new Date(), swBody);
    used.add(swSignature);
    const sw = await post('/v1/webhooks/standard-webhooks', swBody, {
      'webhook-id': `msg_${key}`,
      'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
      'webhook-signature': swSignature,
    });
    expect(sw.status).toBe(202);
    const queued = await stack.sqs.send(stack.sqs.queues.events, {
      workflowId: `staged-${key}-sqs`,
      signal: 'advanceStage',
      payload: { stage: 1 },
      eventId: `q-${key}`,
    });
    expect(queued).not.toBe('');
    expect((await progress(`staged-${key}-sqs`)).stage).toBe(1);
    // A bad API key is refused, and must not be logged either.
    const wrongKey = `k_wrong_${key}`;
    used.add(wrongKey);
    const refused = await post(`/v1/workflows/staged-${key}/signals/advanceStage`, '{"stage":1}', {
      'x-api-key': wrongKey,
    });
    expect(refused.status).toBe(401);
    // Let the processes flush what they logged.
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    const logs = stack.logs();
    expect(logs.length).toBeGreaterThan(1_000);
    const secrets = [
      stack.secrets.apiKey,
      ...Object.values(stack.secrets.sources),
      stack.secrets.callbackSecret,
      stack.secrets.envelopeKey,
    ];
    const leaks = [...secrets, ...used].filter((value) => value.length >= 8 && logs.includes(value));
    expect(leaks).toEqual([]);
    // Nor any callback URL: the worker logs a callback's id.
    expect(logs).not.toMatch(/\/v1\/callbacks\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\./);
  });
});
