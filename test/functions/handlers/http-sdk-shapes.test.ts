/**
 * Workflows in the shapes the SDK's own samples have, driven through the gateway only (HTTP, and
 * the queue handler for a CloudEvent message) on a real dev server and a real worker: starts with
 * and without input, argument-less signals and queries, a query with an argument, updates with a
 * validator and with an activity, positional arguments, and retries after the workflow closed.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { SQSRecord } from 'aws-lambda';
import { Webhook as SvixWebhook } from 'svix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../functions/adapters/logger';
import type { GatewayConfigInput } from '../../../functions/core/gateway-config';
import { createSqsBatchHandler } from '../../../functions/handlers/sqs-batch';
import { startGatewayServer, type GatewayServer } from '../../../local/gateway-server';
import { createWorker, type GatewayWorker } from '../../../worker/run-worker';
import { greetingActivities, LANGUAGES } from '../../worker/fixtures/sdk-shapes-workflows';
import { countSignals, uniqueName } from '../../support/staged-worker';
import { sharedTemporal, stopSharedTemporal } from '../../support/temporal';

const workflowsPath = fileURLToPath(
  new URL('../../worker/fixtures/sdk-shapes-workflows.ts', import.meta.url),
);

let env: TestWorkflowEnvironment;
let worker: GatewayWorker;
let running: Promise<void>;
let gateway: GatewayServer;
const SIGNUPS_SECRET = `whsec_${Buffer.from('sdk-shapes-signups-webhook-secret').toString('base64')}`;

const language = { type: 'string', enum: [...LANGUAGES] };
const greetingTarget = (taskQueue: string) => ({
  name: 'greeting',
  workflowIdPattern: '^greeting-.+$',
  workflowType: 'greetingWorkflow',
  taskQueue,
  start: {
    schema: {
      type: 'object',
      properties: { name: { type: 'string' }, language },
      required: ['name'],
      additionalProperties: false,
    },
  },
  signals: {
    approve: {
      schema: { type: 'object', properties: { approver: { type: 'string' } }, required: ['approver'] },
    },
  },
  updates: { setLanguage: { schema: language }, setLanguageUsingActivity: { schema: language } },
  queries: {
    getLanguage: {},
    startInput: {},
    greetingIn: { schema: language },
    getLanguages: {
      schema: {
        type: 'object',
        properties: { includeUnsupported: { type: 'boolean' } },
        required: ['includeUnsupported'],
      },
    },
  },
});

function config(taskQueue: string): GatewayConfigInput {
  return {
    targets: [
      greetingTarget(taskQueue),
      // The same workflow without start input, started by signal-with-start of `approve`.
      {
        ...greetingTarget(taskQueue),
        name: 'greeting-on-approve',
        workflowIdPattern: '^approved-greeting-.+$',
        start: undefined,
        startIfMissing: true,
      },
      {
        name: 'unblock',
        workflowIdPattern: '^unblock-.+$',
        workflowType: 'unblockOrCancel',
        taskQueue,
        start: {},
        signals: { unblock: {} },
        queries: ['isBlocked'],
      },
      {
        name: 'unblock-or-start',
        workflowIdPattern: '^sws-unblock-.+$',
        workflowType: 'unblockOrCancel',
        taskQueue,
        startIfMissing: true,
        signals: { unblock: {} },
        queries: ['isBlocked'],
      },
      {
        name: 'transfer',
        workflowIdPattern: '^transfer-.+$',
        workflowType: 'transferWorkflow',
        taskQueue,
        start: {
          schema: {
            type: 'array',
            prefixItems: [{ type: 'string' }, { type: 'string' }, { type: 'number' }],
            minItems: 3,
            maxItems: 3,
          },
          conflictPolicy: 'use-existing',
        },
        signals: {
          adjust: {
            schema: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }], minItems: 2 },
          },
          finish: {},
        },
        queries: ['balance'],
      },
    ],
    sources: [
      {
        name: 'signups',
        verifier: { preset: 'standard-webhooks' },
        secret: { env: 'SIGNUPS_WEBHOOK_SECRET' },
        routes: [
          {
            name: 'greet-signup',
            match: { type: 'customer.signed_up' },
            workflowId: 'greeting-{data.customerId}',
            start: true,
            payload: { name: 'data.name' },
          },
        ],
      },
    ],
    routes: [
      {
        name: 'greet-customer',
        match: { type: 'com.example.customer.signed-up' },
        workflowId: 'greeting-{data.customerId}',
        start: true,
        payload: { name: 'data.name', language: { path: 'data.language', default: 'english' } },
      },
    ],
  };
}

beforeAll(async () => {
  env = await sharedTemporal();
  const taskQueue = uniqueName('sdk-shapes');
  worker = await createWorker({
    workflowsPath,
    connection: env.nativeConnection,
    taskQueue,
    activities: greetingActivities,
    callbacks: false,
  });
  running = worker.run();
  gateway = await startGatewayServer({
    logger: silentLogger,
    env: {
      TEMPORAL_ADDRESS: env.address,
      GATEWAY_CONFIG: JSON.stringify(config(taskQueue)),
      SIGNUPS_WEBHOOK_SECRET: SIGNUPS_SECRET,
    },
  });
});

afterAll(async () => {
  await gateway?.close();
  worker?.shutdown();
  await running;
  await stopSharedTemporal();
});

function post(path: string, body?: unknown, key?: string) {
  return fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(key ? { 'idempotency-key': key } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function json<T = Record<string, unknown>>(response: Response, status: number): Promise<T> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  return JSON.parse(text) as T;
}

const query = async (id: string, name: string, argument?: unknown) =>
  (
    await json<{ result: unknown }>(
      argument === undefined
        ? await fetch(`${gateway.url}/v1/workflows/${id}/queries/${name}`)
        : await post(`/v1/workflows/${id}/queries/${name}`, argument),
      200,
    )
  ).result;

const describeStatus = async (id: string) =>
  (await json<{ status: string }>(await fetch(`${gateway.url}/v1/workflows/${id}`), 200)).status;

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('a workflow started from an event', () => {
  it('POST /v1/workflows/{id} starts greetingWorkflow with the body as its one argument: 201, then 200 for the same key', async () => {
    const id = uniqueName('greeting');
    const first = await json(
      await post(`/v1/workflows/${id}`, { name: 'Ada', language: 'french' }, 'k1'),
      201,
    );
    expect(first).toMatchObject({ status: 'started', workflowId: id, eventId: '@http:anonymous:k1' });
    expect(await query(id, 'startInput')).toEqual([{ name: 'Ada', language: 'french' }]);
    expect(await query(id, 'getLanguage')).toBe('french');

    // A retry of the same event finds the run it started (once the run is older than the clock
    // tolerance that tells a retry from the first start).
    const { runId } = first as { runId: string };
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const again = await json(
      await post(`/v1/workflows/${id}`, { name: 'Ada', language: 'french' }, 'k1'),
      200,
    );
    expect(again).toMatchObject({ status: 'already-started', runId });

    // Another event finds it running: the target's policy is `fail`.
    const other = await post(`/v1/workflows/${id}`, { name: 'Bob' }, 'k2');
    const problem = await json<{ type: string; field: string }>(other, 409);
    expect(problem.type).toContain('/problems/workflow-running');
  });

  it('refuses a start the target does not allow, and an input its schema refuses, before Temporal', async () => {
    const undeclared = await post(`/v1/workflows/${uniqueName('sws-unblock')}`);
    expect((await json<{ type: string }>(undeclared, 403)).type).toContain('/problems/operation-not-allowed');
    const bad = await post(`/v1/workflows/${uniqueName('greeting')}`, { language: 'french' });
    expect((await json<{ field: string }>(bad, 400)).field).toBe('body.name');
    const empty = await post(`/v1/workflows/${uniqueName('greeting')}`);
    expect((await json<{ detail: string }>(empty, 400)).detail).toMatch(/takes a JSON argument/);
  });

  it('a routed CloudEvent starts greetingWorkflow with the input its mapping builds, over HTTP and from a queue', async () => {
    const customerId = uniqueName('c');
    const event = {
      specversion: '1.0',
      id: `signup-${customerId}`,
      source: '/signups',
      type: 'com.example.customer.signed-up',
      data: { customerId, name: 'Grace' },
    };
    const post202 = await json<{ deliveries: unknown[] }>(
      await fetch(`${gateway.url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/cloudevents+json' },
        body: JSON.stringify(event),
      }),
      202,
    );
    expect(post202.deliveries).toEqual([
      expect.objectContaining({ route: 'greet-customer', start: true, status: 'delivered' }),
    ]);
    expect(await query(`greeting-${customerId}`, 'startInput')).toEqual([
      { name: 'Grace', language: 'english' },
    ]);

    // The same kind of event as an SQS message, through the queue handler.
    const queuedId = uniqueName('q');
    const handle = createSqsBatchHandler({
      ...gateway.runtime,
      deadLetters: { send: () => Promise.reject(new Error('nothing here is a permanent failure')) },
      logger: silentLogger,
    });
    const body = {
      ...event,
      id: `signup-${queuedId}`,
      data: { customerId: queuedId, name: 'Alan', language: 'spanish' },
    };
    const record: SQSRecord = {
      messageId: randomUUID(),
      receiptHandle: randomUUID(),
      body: JSON.stringify(body),
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(Date.now()),
        SenderId: 'test',
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:event-gateway-events',
      awsRegion: 'us-east-1',
    };
    // Delivered twice (SQS redelivery): the second start finds the run the first one made.
    expect((await handle({ Records: [record] })).batchItemFailures).toEqual([]);
    expect((await handle({ Records: [record] })).batchItemFailures).toEqual([]);
    expect(await query(`greeting-${queuedId}`, 'startInput')).toEqual([
      { name: 'Alan', language: 'spanish' },
    ]);
    const history = await env.client.workflow.getHandle(`greeting-${queuedId}`).fetchHistory();
    expect(history.events?.filter((e) => e.workflowExecutionStartedEventAttributes)).toHaveLength(1);
  });

  it("a provider's signed webhook starts greetingWorkflow through a start route; its retry starts nothing more", async () => {
    const customerId = uniqueName('w');
    const body = JSON.stringify({ type: 'customer.signed_up', data: { customerId, name: 'Edsger' } });
    const id = `msg_${customerId}`;
    const at = new Date();
    const headers = {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new SvixWebhook(SIGNUPS_SECRET).sign(id, at, body),
    };
    for (let attempt = 0; attempt < 2; attempt++) {
      const answer = await json<{ status: string; deliveries: unknown[] }>(
        await fetch(`${gateway.url}/v1/webhooks/signups`, { method: 'POST', headers, body }),
        202,
      );
      expect(answer).toMatchObject({ status: 'delivered' });
      expect(answer.deliveries).toEqual([
        expect.objectContaining({ route: 'greet-signup', workflowId: `greeting-${customerId}`, start: true }),
      ]);
    }
    expect(await query(`greeting-${customerId}`, 'startInput')).toEqual([{ name: 'Edsger' }]);
    const history = await env.client.workflow.getHandle(`greeting-${customerId}`).fetchHistory();
    expect(history.events?.filter((e) => e.workflowExecutionStartedEventAttributes)).toHaveLength(1);
  });

  it('a tuple schema spreads a JSON array into positional arguments, on the start and on a signal', async () => {
    const id = uniqueName('transfer');
    await json(await post(`/v1/workflows/${id}`, ['alice', 'bob', 100], 't1'), 201);
    await json(await post(`/v1/workflows/${id}/signals/adjust`, ['fee', -3]), 202);
    expect(
      await eventually(
        () => query(id, 'balance'),
        (b) => (b as { amount: number }).amount === 97,
      ),
    ).toEqual({
      from: 'alice',
      to: 'bob',
      amount: 97,
      notes: ['fee'],
    });
    // Another event while it runs: the target uses the existing run, and this input is not applied.
    const other = await json(await post(`/v1/workflows/${id}`, ['carol', 'dan', 5], 't2'), 200);
    expect(other).toMatchObject({ status: 'running' });
    await json(await post(`/v1/workflows/${id}/signals/finish`), 202);
    expect(await env.client.workflow.getHandle(id).result()).toBe(97);
  });
});

describe('operations without arguments and queries with one', () => {
  it('unblockOrCancel: started, isBlocked → true, unblocked by a body-less signal (no argument), then COMPLETED', async () => {
    const id = uniqueName('unblock');
    await json(await post(`/v1/workflows/${id}`), 201);
    expect(await query(id, 'isBlocked')).toBe(true);
    const sent = await json(await post(`/v1/workflows/${id}/signals/unblock`, undefined, 'unblock-1'), 202);
    expect(sent).toMatchObject({ status: 'delivered', signal: 'unblock' });
    expect(await env.client.workflow.getHandle(id).result()).toEqual({ unblockArguments: 0 });
    expect(await describeStatus(id)).toBe('COMPLETED');
    // A body for an argument-less signal is refused rather than dropped.
    const withBody = await post(`/v1/workflows/${uniqueName('unblock')}/signals/unblock`, null);
    expect((await json<{ detail: string }>(withBody, 400)).detail).toMatch(/takes no argument/);
  });

  it('getLanguages answers with includeUnsupported true and false; a query handler that throws is 422 query-failed', async () => {
    const id = uniqueName('greeting');
    await json(await post(`/v1/workflows/${id}`, { name: 'Ada' }), 201);
    expect(await query(id, 'getLanguages', { includeUnsupported: true })).toEqual([...LANGUAGES]);
    expect(await query(id, 'getLanguages', { includeUnsupported: false })).toEqual([
      'english',
      'french',
      'spanish',
    ]);
    // GET sends no argument: the gateway says the query takes one.
    const get = await fetch(`${gateway.url}/v1/workflows/${id}/queries/getLanguages`);
    expect((await json<{ detail: string }>(get, 400)).detail).toMatch(/takes a JSON argument/);
    // getLanguage is argument-less: POST with no body works as GET does.
    expect(await json(await post(`/v1/workflows/${id}/queries/getLanguage`), 200)).toEqual({
      result: 'english',
    });
    // A handler that refuses what it was given: the workflow's reason, not temporal-rejected.
    expect(await query(id, 'greetingIn', 'french')).toBe('Bonjour, Ada!');
    const refused = await json<{ type: string; detail: string; field: string }>(
      await post(`/v1/workflows/${id}/queries/greetingIn`, 'klingon'),
      422,
    );
    expect(refused.type).toContain('/problems/query-failed');
    expect(refused).toMatchObject({ field: 'body' });
    expect(refused.detail).toContain('klingon is not supported');
  });

  it("an update with a validator answers the workflow's reason; one that runs an activity answers its result", async () => {
    const id = uniqueName('greeting');
    await json(await post(`/v1/workflows/${id}`, { name: 'Ada' }), 201);
    const rejected = await json<{ type: string; detail: string }>(
      await post(`/v1/workflows/${id}/updates/setLanguage`, 'klingon'),
      422,
    );
    expect(rejected.type).toContain('/problems/update-rejected');
    expect(rejected.detail).toContain('klingon is not supported');
    expect(
      await json(await post(`/v1/workflows/${id}/updates/setLanguageUsingActivity`, 'spanish'), 200),
    ).toMatchObject({
      result: 'english',
    });
    await json(await post(`/v1/workflows/${id}/signals/approve`, { approver: 'Lin' }), 202);
    expect(await env.client.workflow.getHandle(id).result()).toEqual({
      greeting: 'Hola, Ada!',
      approvedBy: 'Lin',
    });
  });
});

describe('retries after the workflow closed', () => {
  it('a re-sent applied signal answers duplicate; one never applied answers 409 workflow-closed', async () => {
    // Signal-with-start: the run is started by the first unblock, which completes it.
    const id = uniqueName('sws-unblock');
    expect(
      await json(await post(`/v1/workflows/${id}/signals/unblock`, undefined, 'ev-1'), 202),
    ).toMatchObject({
      status: 'delivered',
    });
    await env.client.workflow.getHandle(id).result();
    const retried = await json(await post(`/v1/workflows/${id}/signals/unblock`, undefined, 'ev-1'), 202);
    expect(retried).toMatchObject({ status: 'duplicate', eventId: '@http:anonymous:ev-1' });
    expect(await countSignals(env, id, 'unblock')).toBe(1);
    const late = await post(`/v1/workflows/${id}/signals/unblock`, undefined, 'ev-2');
    expect((await json<{ type: string }>(late, 409)).type).toContain('/problems/workflow-closed');
  });

  it('a plain signal retried after close is 2xx too (Temporal recognises its request id)', async () => {
    const id = uniqueName('unblock');
    await json(await post(`/v1/workflows/${id}`), 201);
    await json(await post(`/v1/workflows/${id}/signals/unblock`, undefined, 'u-1'), 202);
    await env.client.workflow.getHandle(id).result();
    const retried = await post(`/v1/workflows/${id}/signals/unblock`, undefined, 'u-1');
    expect(retried.status).toBe(202);
    expect(await countSignals(env, id, 'unblock')).toBe(1);
  });

  it('an update retried after close answers its recorded result as a duplicate', async () => {
    // Update-with-start is not declared here; signal-with-start of approve is, and the update runs on that run.
    const id = uniqueName('approved-greeting');
    expect(
      await json(await post(`/v1/workflows/${id}/updates/setLanguage`, 'french', 'lang-1'), 200),
    ).toMatchObject({
      result: 'english',
    });
    await json(await post(`/v1/workflows/${id}/signals/approve`, { approver: 'Lin' }, 'ok-1'), 202);
    await env.client.workflow.getHandle(id).result();
    const retried = await json(
      await post(`/v1/workflows/${id}/updates/setLanguage`, 'french', 'lang-1'),
      200,
    );
    expect(retried).toMatchObject({ result: 'english', status: 'duplicate' });
    const late = await post(`/v1/workflows/${id}/updates/setLanguage`, 'spanish', 'lang-2');
    expect((await json<{ type: string }>(late, 409)).type).toContain('/problems/workflow-closed');
  });
});
