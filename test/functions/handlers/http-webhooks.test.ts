/**
 * `POST /v1/webhooks/{source}` on the real gateway app against a real Temporal dev server and a
 * real ElasticMQ, with the local default's demo sources. Every signature is made by the provider's
 * own library (stripe, @octokit/webhooks-methods, svix, @shopify/shopify-api's test helper) or, for
 * Slack, by its documented algorithm checked first by @slack/bolt's verifier.
 */
import { createHmac } from 'node:crypto';
import { PurgeQueueCommand } from '@aws-sdk/client-sqs';
import { sign as githubSign } from '@octokit/webhooks-methods';
import githubExamples from '@octokit/webhooks-examples/api.github.com/index.json' with { type: 'json' };
import { getHmac as shopifyHmac } from '@shopify/shopify-api/test-helpers';
import { verifySlackRequest } from '@slack/bolt';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import Stripe from 'stripe';
import { Webhook as SvixWebhook } from 'svix';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGatewayRuntime, type GatewayRuntime } from '../../../functions/runtime/gateway-runtime';
import { silentLogger } from '../../../functions/adapters/logger';
import { createDeadLetters } from '../../../functions/adapters/sqs-dead-letters';
import { WEBHOOK_DLQ_ATTRIBUTES } from '../../../functions/adapters/webhook-queues';
import { DEFAULT_GATEWAY_CONFIG } from '../../../functions/core/default-config';
import { DEMO_SOURCE_SECRET_ENV } from '../../../functions/core/env-names';
import { createSqsBatchHandler } from '../../../functions/handlers/sqs-batch';
import { startGatewayServer, type GatewayServer } from '../../../local/gateway-server';
import { toSqsEvent } from '../../../local/sqs-event';
import { receiveAll } from '../../local/support';
import { startSqsStack, type SqsStack } from '../../support/sqs-stack';
import { signalPayloads, startStagedWorker, uniqueName } from '../../support/staged-worker';
import { sharedTemporal, stopSharedTemporal } from '../../support/temporal';
import { cli } from '../../cli/support';

/** Test secrets: a current and a previous one per source, both accepted (rotation). */
const SECRETS = {
  stripe: ['whsec_test_stripe_current_5f1d', 'whsec_test_stripe_previous_9a2c'],
  github: ['github-test-secret-current', 'github-test-secret-previous'],
  'standard-webhooks': [
    `whsec_${Buffer.from('standard-webhooks-current-secret').toString('base64')}`,
    `whsec_${Buffer.from('standard-webhooks-previous-secr').toString('base64')}`,
  ],
  slack: ['8f742231b10e8888abcd99yyyzzz85a5', '0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d'],
  shopify: ['shpss_test_current_0011', 'shpss_test_previous_2233'],
  partner: ['partner-secret-current-0123', 'partner-secret-previous-4567'],
} as const;
type SourceName = keyof typeof SECRETS;
const WRONG_SECRET: Record<SourceName, string> = {
  stripe: 'whsec_not_the_secret',
  github: 'not-the-secret',
  'standard-webhooks': `whsec_${Buffer.from('not-the-standard-webhooks-secret').toString('base64')}`,
  slack: 'ffffffffffffffffffffffffffffffff',
  shopify: 'shpss_not_the_secret',
  partner: 'not-the-partner-secret',
};
const STALE_S = 10 * 60;
const nowS = () => Math.floor(Date.now() / 1000);

let env: TestWorkflowEnvironment;
let stack: SqsStack;
let worker: Awaited<ReturnType<typeof startStagedWorker>>;
let server: GatewayServer;
let taskQueue: string;
const counted: string[] = [];

beforeAll(async () => {
  [env, stack] = await Promise.all([sharedTemporal(), startSqsStack()]);
  taskQueue = uniqueName('webhooks');
  worker = await startStagedWorker(env, taskQueue);
  server = await startGatewayServer({
    logger: silentLogger,
    env: gatewayEnv(),
    metrics: { count: (outcome, source) => counted.push(`${source}:${outcome}`) },
  });
});

afterAll(async () => {
  await server?.close();
  await worker?.stop();
  await stack?.stop();
  await stopSharedTemporal();
});

beforeEach(async () => {
  for (const queue of [stack.queues.events, stack.queues.eventsDlq]) {
    await stack.client.send(new PurgeQueueCommand({ QueueUrl: queue.url }));
  }
});

function gatewayEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    SQS_ENDPOINT: stack.sqs.endpoint,
    GATEWAY_QUEUE_URL: stack.queues.events.url,
    GATEWAY_DLQ_URL: stack.queues.eventsDlq.url,
    ...Object.fromEntries(
      Object.entries(SECRETS).map(([name, secrets]) => [
        DEMO_SOURCE_SECRET_ENV[name as SourceName],
        JSON.stringify(secrets),
      ]),
    ),
    ...extra,
  };
}

interface Signed {
  body: string;
  headers: Record<string, string>;
}

interface Provider {
  /** An event the demo route sends to `staged-{key}`-like IDs; `type` overrides the event type. */
  event(
    key: string,
    options?: { type?: string; dropKey?: boolean },
  ): { body: string; workflowId: string; headers?: Record<string, string> };
  sign(
    body: string,
    secret: string,
    options?: { at?: number; headers?: Record<string, string> },
  ): Promise<Signed> | Signed;
  /** Whether the scheme signs a timestamp (and so refuses stale ones). */
  timestamped: boolean;
  stage: number;
}

const numericKey = () => Number(`${Date.now() % 1e9}${Math.floor(Math.random() * 1000)}`);

const githubPullRequest = (action: string) => {
  const group = (githubExamples as { name: string; examples: Record<string, unknown>[] }[]).find(
    (entry) => entry.name === 'pull_request',
  )!;
  return structuredClone(group.examples.find((example) => example.action === action)!) as {
    action: string;
    number: number;
    pull_request: { number: number; merged: boolean };
    repository: { name: string };
  };
};

const PROVIDERS: Record<SourceName, Provider> = {
  stripe: {
    timestamped: true,
    stage: 1,
    event(key, options = {}) {
      // The shape of Stripe's published payment_intent.succeeded event.
      const event = {
        id: `evt_${uniqueName('3Pq').replace(/-/g, '')}`,
        object: 'event',
        api_version: '2024-06-20',
        created: nowS(),
        type: options.type ?? 'payment_intent.succeeded',
        livemode: false,
        pending_webhooks: 1,
        request: { id: null, idempotency_key: null },
        data: {
          object: {
            id: 'pi_3MtwBwLkdIwHu7ix28a3tqPa',
            object: 'payment_intent',
            amount: 2000,
            currency: 'usd',
            status: 'succeeded',
            metadata: options.dropKey ? {} : { workflowKey: key },
          },
        },
      };
      return { body: JSON.stringify(event), workflowId: `staged-${key}` };
    },
    sign(body, secret, options = {}) {
      const header = Stripe.webhooks.generateTestHeaderString({
        payload: body,
        secret,
        ...(options.at ? { timestamp: options.at } : {}),
      });
      return { body, headers: { 'stripe-signature': header } };
    },
  },
  github: {
    timestamped: false,
    stage: 1,
    event(_key, options = {}) {
      const event = githubPullRequest('opened');
      const number = numericKey();
      event.number = number;
      event.pull_request.number = number;
      if (options.dropKey) delete (event as Partial<typeof event>).repository;
      const type = options.type ?? 'pull_request';
      return {
        body: JSON.stringify(event),
        workflowId: `staged-${githubPullRequest('opened').repository.name}-pr-${number}`,
        headers: { 'x-github-event': type, 'x-github-delivery': crypto.randomUUID() },
      };
    },
    async sign(body, secret) {
      return { body, headers: { 'x-hub-signature-256': await githubSign(secret, body) } };
    },
  },
  'standard-webhooks': {
    timestamped: true,
    stage: 2,
    event(key, options = {}) {
      const data = options.dropKey ? { stage: 2 } : { workflowKey: key, stage: 2 };
      return {
        body: JSON.stringify({ type: options.type ?? 'stage.advanced', data }),
        workflowId: `staged-${key}`,
      };
    },
    sign(body, secret, options = {}) {
      const id = options.headers?.['webhook-id'] ?? `msg_${uniqueName('svix')}`;
      const at = new Date((options.at ?? nowS()) * 1000);
      const signature = new SvixWebhook(secret).sign(id, at, body);
      return {
        body,
        headers: {
          'webhook-id': id,
          'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
          'webhook-signature': signature,
        },
      };
    },
  },
  slack: {
    timestamped: true,
    stage: 1,
    event(key, options = {}) {
      const event = {
        token: 'verification-token-unused',
        team_id: 'T061EG9R6',
        api_app_id: 'A0PNCHHK2',
        type: 'event_callback',
        event_id: `Ev${uniqueName('slack').replace(/-/g, '')}`,
        event_time: nowS(),
        event: {
          type: options.type ?? 'app_mention',
          user: 'U061F7AUR',
          text: '<@U0LAN0Z89> ship it',
          ts: '1515449522.000016',
          ...(options.dropKey ? {} : { channel: key }),
        },
      };
      return { body: JSON.stringify(event), workflowId: `staged-slack-${key}` };
    },
    sign(body, secret, options = {}) {
      // Slack's documented algorithm: v0=HMAC-SHA256(secret, "v0:{timestamp}:{body}") in hex.
      const timestamp = options.at ?? nowS();
      const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
      const headers = { 'x-slack-signature': signature, 'x-slack-request-timestamp': String(timestamp) };
      if (options.at === undefined) {
        // The oracle: Slack's own verifier accepts what we send (it throws otherwise).
        verifySlackRequest({
          signingSecret: secret,
          body,
          headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp },
        });
      }
      return { body, headers };
    },
  },
  shopify: {
    timestamped: false,
    stage: 1,
    event(_key, options = {}) {
      const id = numericKey();
      const order = options.dropKey
        ? { email: 'jon@example.com', financial_status: 'paid' }
        : { id, email: 'jon@example.com', financial_status: 'paid' };
      return {
        body: JSON.stringify(order),
        workflowId: `staged-shopify-${id}`,
        headers: {
          'x-shopify-topic': options.type ?? 'orders/paid',
          'x-shopify-webhook-id': crypto.randomUUID(),
          'x-shopify-shop-domain': 'example.myshopify.com',
        },
      };
    },
    sign(body, secret) {
      return { body, headers: { 'x-shopify-hmac-sha256': shopifyHmac(body, secret) } };
    },
  },
  partner: {
    timestamped: true,
    stage: 3,
    event(key, options = {}) {
      const shipment = options.dropKey ? { status: 'shipped' } : { orderKey: key, status: 'shipped' };
      return {
        body: JSON.stringify({ id: uniqueName('shp'), type: options.type ?? 'shipment.updated', shipment }),
        workflowId: `staged-${key}`,
      };
    },
    sign(body, secret, options = {}) {
      // The partner's documented scheme (our generic hmac preset): there is no library to ask.
      const at = String(options.at ?? nowS());
      const digest = createHmac('sha256', secret).update(`${at}.${body}`).digest('hex');
      return { body, headers: { 'x-partner-signature': `sha256=${digest}`, 'x-partner-timestamp': at } };
    },
  },
};

async function post(source: string, signed: Signed, extra: Record<string, string> = {}, target = server) {
  return fetch(`${target.url}/v1/webhooks/${source}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...extra, ...signed.headers },
    body: signed.body,
  });
}

async function signedEvent(
  name: SourceName,
  options: Parameters<Provider['event']>[1] & { secret?: string; at?: number } = {},
) {
  const provider = PROVIDERS[name];
  const event = provider.event(uniqueName('k'), options);
  const signed = await provider.sign(
    event.body,
    options.secret ?? SECRETS[name][0],
    options.at ? { at: options.at } : {},
  );
  return { ...event, signed, extra: event.headers ?? {} };
}

async function stages(workflowId: string): Promise<unknown[]> {
  return signalPayloads(env, workflowId, 'advanceStage');
}

const exists = async (workflowId: string) =>
  env.client.workflow
    .getHandle(workflowId)
    .describe()
    .then(
      () => true,
      () => false,
    );

describe.each(Object.keys(PROVIDERS) as SourceName[])('source %s', (name) => {
  const provider = PROVIDERS[name];

  it('delivers a correctly signed event to the workflow its route names', async () => {
    const { signed, extra, workflowId } = await signedEvent(name);
    const response = await post(name, signed, extra);
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({
      status: 'delivered',
      source: name,
      deliveries: [{ workflowId, signal: 'advanceStage' }],
    });
    expect(await stages(workflowId)).toEqual([{ stage: provider.stage }]);
  });

  it('accepts the previous secret while it is rotated out', async () => {
    const { signed, extra, workflowId } = await signedEvent(name, { secret: SECRETS[name][1] });
    expect((await post(name, signed, extra)).status).toBe(202);
    expect(await stages(workflowId)).toHaveLength(1);
  });

  it('answers 401 for a wrong secret or a tampered body, and delivers nothing', async () => {
    const wrong = await signedEvent(name, { secret: WRONG_SECRET[name] });
    const response = await post(name, wrong.signed, wrong.extra);
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const good = await signedEvent(name);
    const tampered = { ...good.signed, body: good.signed.body.replace('"', '"x_tampered":1,"') };
    expect((await post(name, tampered, good.extra)).status).toBe(401);
    expect(await exists(wrong.workflowId)).toBe(false);
    expect(await exists(good.workflowId)).toBe(false);
  });

  it('applies the same delivery three times once', async () => {
    const { signed, extra, workflowId } = await signedEvent(name);
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push((await post(name, signed, extra)).status);
    expect(answers).toEqual([202, 202, 202]);
    expect(await stages(workflowId)).toHaveLength(1);
  });

  it('answers 200 ignored for an event type no route wants', async () => {
    const { signed, extra, workflowId } = await signedEvent(name, { type: 'something.nobody.routes' });
    const response = await post(name, signed, extra);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: 'ignored',
      source: name,
      eventType: expect.stringContaining('something') as string,
    });
    expect(await exists(workflowId)).toBe(false);
    expect(counted).toContain(`${name}:ignored`);
  });

  it('acknowledges a routed event without its workflow key as 202 dead-lettered, raw event in the DLQ', async () => {
    const { signed, extra } = await signedEvent(name, { dropKey: true });
    const response = await post(name, signed, extra);
    expect(response.status).toBe(202);
    const answer = (await response.json()) as { status: string; eventId: string; reason: { type: string } };
    expect(answer).toMatchObject({ status: 'dead-lettered', source: name });
    expect(answer.reason.type).toContain('event-field-missing');
    const [letter] = await receiveAll(stack.client, stack.queues.eventsDlq.url, 1);
    expect(letter?.MessageAttributes?.[WEBHOOK_DLQ_ATTRIBUTES.source]?.StringValue).toBe(name);
    expect(letter?.MessageAttributes?.[WEBHOOK_DLQ_ATTRIBUTES.errorType]?.StringValue).toBe(
      'event-field-missing',
    );
    const envelope = JSON.parse(letter!.Body!) as {
      webhook: { body: string; eventId: string; verifiedBy: string; headers: Record<string, string> };
    };
    expect(envelope.webhook.body).toBe(signed.body);
    expect(envelope.webhook.eventId).toBe(answer.eventId);
    // No replayable credential beside the body: the signature headers are gone, the verdict stays.
    expect(envelope.webhook.verifiedBy).toBe(
      DEFAULT_GATEWAY_CONFIG.sources.find((s) => s.name === name)?.verifier.preset,
    );
    // (A timestamp or webhook-id may stay: without the signature they replay nothing.)
    const signatures = Object.entries(signed.headers ?? {}).filter(([header]) =>
      /signature|hmac/i.test(header),
    );
    expect(signatures.length).toBeGreaterThan(0);
    for (const [header, value] of signatures) {
      expect(envelope.webhook.headers).not.toHaveProperty(header.toLowerCase());
      expect(letter!.Body).not.toContain(value);
    }
  });
});

const TIMESTAMPED = (Object.keys(PROVIDERS) as SourceName[]).filter((name) => PROVIDERS[name].timestamped);

describe.each(TIMESTAMPED)('timestamped source %s', (name) => {
  it('answers 401 for a timestamp outside the tolerance, past or future', async () => {
    for (const at of [nowS() - STALE_S, nowS() + STALE_S]) {
      const stale = await signedEvent(name, { at });
      const response = await post(name, stale.signed, stale.extra);
      expect(response.status).toBe(401);
      expect(await exists(stale.workflowId)).toBe(false);
    }
  });
});

describe('handshakes', () => {
  it('answers Slack url_verification with its challenge', async () => {
    const body = JSON.stringify({
      token: 'unused',
      challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
      type: 'url_verification',
    });
    const response = await post('slack', await PROVIDERS.slack.sign(body, SECRETS.slack[0]));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
    });
  });

  it('answers a GitHub ping 200 without delivering anything', async () => {
    const body = JSON.stringify({ zen: 'Design for failure.', hook_id: 42, hook: { type: 'Repository' } });
    const response = await post('github', await PROVIDERS.github.sign(body, SECRETS.github[0]), {
      'x-github-event': 'ping',
      'x-github-delivery': crypto.randomUUID(),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ignored', source: 'github', eventType: 'ping' });
  });
});

describe('one deployment, several sources', () => {
  it('refuses a request signed for one source when replayed to another, or to a path-addressed endpoint', async () => {
    const { signed, extra, workflowId } = await signedEvent('stripe');
    for (const other of ['github', 'standard-webhooks', 'slack', 'shopify', 'partner']) {
      expect((await post(other, signed, extra)).status).toBe(401);
    }
    expect(await exists(workflowId)).toBe(false);
    expect((await post('stripe', signed, extra)).status).toBe(202);
    expect(await stages(workflowId)).toHaveLength(1);
  });

  it('answers 404 problem+json for a source that is not declared', async () => {
    for (const bad of ['nope', 'STRIPE', '..', '%00']) {
      const response = await post(bad, { body: '{}', headers: {} });
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    }
  });

  it('answers 503 for a demo source whose secret is not set, while the others work', async () => {
    const partial = await startGatewayServer({
      logger: silentLogger,
      env: gatewayEnv({ [DEMO_SOURCE_SECRET_ENV.shopify]: '' }),
    });
    try {
      const shopify = await signedEvent('shopify');
      const answer = await post('shopify', shopify.signed, shopify.extra, partial);
      expect(answer.status).toBe(503);
      expect(((await answer.json()) as { detail: string }).detail).toContain(DEMO_SOURCE_SECRET_ENV.shopify);
      const stripe = await signedEvent('stripe');
      expect((await post('stripe', stripe.signed, stripe.extra, partial)).status).toBe(202);
    } finally {
      await partial.close();
    }
  });
});

describe('types a provider does not sign', () => {
  it('never lets a signed Shopify orders/create body pass for orders/paid', async () => {
    const id = Math.floor(Math.random() * 1e12);
    const workflowId = `staged-shopify-${id}`;
    // A real orders/create body: the order is not paid yet. Signed by Shopify's own helper.
    const body = JSON.stringify({ id, email: 'jon@example.com', financial_status: 'pending' });
    const signed = { body, headers: { 'x-shopify-hmac-sha256': shopifyHmac(body, SECRETS.shopify[0]) } };
    const create = await post('shopify', signed, { 'x-shopify-topic': 'orders/create' });
    expect(create.status).toBe(200);
    // Captured and re-posted with the unsigned topic header swapped: verified, but no route takes it.
    const replay = await post('shopify', signed, { 'x-shopify-topic': 'orders/paid' });
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ status: 'ignored', eventType: 'orders/paid' });
    expect(await exists(workflowId)).toBe(false);
  });

  it('never lets a signed GitHub body pass for another X-GitHub-Event', async () => {
    const body = JSON.stringify({ action: 'opened', issue: { number: 5 }, repository: { name: 'r' } });
    const signature = await githubSign(SECRETS.github[0], body);
    const replay = await post(
      'github',
      { body, headers: { 'x-hub-signature-256': signature } },
      { 'x-github-event': 'pull_request', 'x-github-delivery': crypto.randomUUID() },
    );
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ status: 'ignored', eventType: 'pull_request.opened' });
    expect(await exists('staged-r-pr-undefined')).toBe(false);
  });
});

describe('dead-lettered, fixed, redriven', () => {
  let fixed: GatewayRuntime;

  afterAll(async () => {
    await fixed?.clients.close();
  });

  it('delivers a dead-lettered Stripe event once after the route is fixed and the DLQ redriven (twice)', async () => {
    // The event names its workflow under `orderKey`; the route expects `workflowKey`: dead-lettered.
    const key = uniqueName('order');
    const event = JSON.parse(PROVIDERS.stripe.event(key, { dropKey: true }).body) as {
      data: { object: { metadata: Record<string, string> } };
    };
    event.data.object.metadata = { orderKey: key };
    const body = JSON.stringify(event);
    const response = await post('stripe', await PROVIDERS.stripe.sign(body, SECRETS.stripe[0]));
    expect(await response.json()).toMatchObject({ status: 'dead-lettered' });
    expect(await exists(`staged-${key}`)).toBe(false);

    const listed = await cli(['dlq', 'list', '--json'], { SQS_ENDPOINT: stack.sqs.endpoint });
    expect(JSON.parse(listed.stdout.join('\n'))).toMatchObject([
      { source: 'stripe', errorType: 'event-field-missing' },
    ]);

    // The operator fixes the route, then redrives.
    const config = structuredClone<typeof DEFAULT_GATEWAY_CONFIG>(DEFAULT_GATEWAY_CONFIG);
    const stripe = config.sources.find((source) => source.name === 'stripe')!;
    stripe.routes[0]!.workflowId = 'staged-{data.object.metadata.orderKey}';
    fixed = await createGatewayRuntime(
      {
        ...gatewayEnv(),
        GATEWAY_CONFIG: JSON.stringify({
          ...config,
          targets: config.targets.map((target) => ({ ...target, taskQueue })),
        }),
      },
      silentLogger,
    );
    const handler = createSqsBatchHandler({
      ...fixed,
      deadLetters: createDeadLetters(stack.client, { standard: stack.queues.eventsDlq.url }),
    });
    const signed = await PROVIDERS.stripe.sign(body, SECRETS.stripe[0]);
    for (let round = 0; round < 2; round++) {
      // Round 2: Stripe redelivers the same event, dead-lettered again and redriven again.
      if (round === 1)
        expect(await (await post('stripe', signed)).json()).toMatchObject({ status: 'dead-lettered' });
      const redriven = await cli(['dlq', 'redrive'], { SQS_ENDPOINT: stack.sqs.endpoint });
      expect(redriven.code).toBe(0);
      const batch = await receiveAll(stack.client, stack.queues.events.url);
      expect(batch).toHaveLength(1);
      const result = await handler(toSqsEvent(batch, { queueArn: stack.queues.events.arn }));
      expect(result.batchItemFailures).toEqual([]);
      await stack.client.send(new PurgeQueueCommand({ QueueUrl: stack.queues.events.url }));
    }
    expect(await stages(`staged-${key}`)).toEqual([{ stage: 1 }]);
  });
});

describe('answering within the provider deadline', () => {
  it('queues the event and answers 202 when Temporal takes longer than the source allows', async () => {
    // A Slack source whose route runs an update on a task queue no worker polls: the update cannot
    // complete, so the answer budget runs out first.
    const config = structuredClone(DEFAULT_GATEWAY_CONFIG) as unknown as Record<string, unknown> & {
      targets: Record<string, unknown>[];
      sources: Record<string, unknown>[];
    };
    config.targets = [{ ...config.targets[0], taskQueue: uniqueName('nobody-polls') }];
    config.sources = [
      {
        name: 'slack',
        verifier: { preset: 'slack' },
        secret: { env: DEMO_SOURCE_SECRET_ENV.slack },
        answerWithinMs: 300,
        routes: [
          {
            name: 'slow',
            match: { type: 'app_mention' },
            workflowId: 'staged-slack-{event.channel}',
            update: 'setStage',
            payload: { stage: { value: 1 } },
          },
        ],
      },
    ];
    const slow = await startGatewayServer({
      logger: silentLogger,
      env: gatewayEnv({ GATEWAY_CONFIG: JSON.stringify(config) }),
    });
    try {
      const { signed, extra } = await signedEvent('slack');
      const response = await post('slack', signed, extra, slow);
      expect(response.status).toBe(202);
      const answer = (await response.json()) as { status: string; eventId: string };
      expect(answer.status).toBe('queued');
      const [queued] = await receiveAll(stack.client, stack.queues.events.url, 1);
      expect(JSON.parse(queued!.Body!)).toMatchObject({
        webhook: { source: 'slack', eventId: answer.eventId, body: signed.body },
      });
    } finally {
      await slow.close();
    }
  });
});
