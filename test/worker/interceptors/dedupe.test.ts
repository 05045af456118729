/**
 * The dedupe interceptor on a real dev server, fed by the gateway's real HTTP app and queue
 * handler: an event is applied once across `temporal workflow reset` (to the last workflow task and
 * to the first), across continue-as-new boundaries while every event arrives several times, and an
 * id evicted from the bounded set is what gets applied again.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { defaultPayloadConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Worker, bundleWorkflowCode } from '@temporalio/worker';
import type { SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEMPORAL_HEADERS } from '../../../contract/temporal-headers';
import { silentLogger } from '../../../functions/adapters/logger';
import { createSqsBatchHandler } from '../../../functions/handlers/sqs-batch';
import { redriveEntry } from '../../../local/cli/dlq-redrive';
import type { DeadLetter } from '../../../local/cli/dead-letters';
import { startGatewayServer, type GatewayServer } from '../../../local/gateway-server';
import { ensureTemporalCli } from '../../../local/temporal-cli';
import { SMALL_DEDUPE_LIMIT } from '../fixtures/small-dedupe';
import { counterQuery, type CounterState } from '../fixtures/counter-workflow';
import { sharedTemporal, stopSharedTemporal } from '../../support/temporal';
import { uniqueId } from '../helpers';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const dedupeModule = fileURLToPath(new URL('../../../worker/interceptors/dedupe.ts', import.meta.url));
const EVERY_N = 3;

let env: TestWorkflowEnvironment;
let gateway: GatewayServer;
let taskQueue: string;
let smallQueue: string;
const workers: { shutdown(): void; running: Promise<void> }[] = [];

async function startWorker(queue: string, interceptorModule: string): Promise<void> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: fixture('counter-workflow.ts'),
    workflowInterceptorModules: [interceptorModule],
    logger: new DefaultLogger('WARN'),
  });
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue: queue,
    workflowBundle: { code },
  });
  workers.push({ shutdown: () => worker.shutdown(), running: worker.run() });
}

const addSchema = {
  type: 'object',
  properties: { amount: { type: 'integer' } },
  required: ['amount'],
  additionalProperties: false,
};

beforeAll(async () => {
  env = await sharedTemporal();
  taskQueue = uniqueId('dedupe');
  smallQueue = uniqueId('dedupe-small');
  await Promise.all([
    startWorker(taskQueue, dedupeModule),
    startWorker(smallQueue, fixture('small-dedupe.ts')),
  ]);
  gateway = await startGatewayServer({
    logger: silentLogger,
    env: {
      TEMPORAL_ADDRESS: env.address,
      // Updates wait for the workflow task: on a busy machine 5 s (the default) can pass, and a 504
      // would fail a test about duplicates, not about deadlines.
      GATEWAY_TEMPORAL_DEADLINE_MS: '30000',
      GATEWAY_CONFIG: JSON.stringify({
        targets: [
          {
            name: 'counter',
            workflowIdPattern: '^counter-.+$',
            workflowType: 'counterWorkflow',
            taskQueue,
            signals: { add: { schema: addSchema } },
            updates: { addAndGet: { schema: addSchema } },
            queries: ['counter'],
            startIfMissing: true,
            startArgs: [{ everyN: EVERY_N }],
          },
        ],
      }),
    },
  });
});

afterAll(async () => {
  await gateway?.close();
  for (const worker of workers) worker.shutdown();
  await Promise.all(workers.map((worker) => worker.running));
  await stopSharedTemporal();
});

function postSignal(workflowId: string, eventId: string, amount: number) {
  return fetch(`${gateway.url}/v1/workflows/${workflowId}/signals/add`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': eventId },
    body: JSON.stringify({ amount }),
  });
}

async function postUpdate(workflowId: string, eventId: string, amount: number) {
  const response = await fetch(`${gateway.url}/v1/workflows/${workflowId}/updates/addAndGet`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': eventId },
    body: JSON.stringify({ amount }),
  });
  expect(response.status, await response.clone().text()).toBe(200);
  return ((await response.json()) as { result: CounterState }).result;
}

async function signal(workflowId: string, eventId: string, amount: number): Promise<void> {
  const response = await postSignal(workflowId, eventId, amount);
  expect(response.status, await response.clone().text()).toBe(202);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls the counter until `done` holds (a reset or continue-as-new moves it to a new run). */
async function waitForCounter(workflowId: string, done: (state: CounterState) => boolean) {
  const deadline = Date.now() + 45_000;
  let last: CounterState | undefined;
  while (Date.now() < deadline) {
    try {
      last = await env.client.workflow.getHandle(workflowId).query(counterQuery);
      if (done(last)) return last;
    } catch {
      // Between runs (reset, continue-as-new) the new run may have no worker task done yet.
    }
    await sleep(100);
  }
  throw new Error(`counter ${workflowId} never got there; last: ${JSON.stringify(last)}`);
}

async function reset(workflowId: string, type: 'LastWorkflowTask' | 'FirstWorkflowTask') {
  const cli = await ensureTemporalCli();
  const before = await env.client.workflow.getHandle(workflowId).describe();
  await promisify(execFile)(cli, [
    'workflow',
    'reset',
    '--address',
    env.address,
    '--namespace',
    env.namespace ?? 'default',
    '--workflow-id',
    workflowId,
    '--type',
    type,
    '--reason',
    'dedupe test',
  ]);
  const after = await env.client.workflow.getHandle(workflowId).describe();
  expect(after.runId).not.toBe(before.runId);
}

/** Event ids of the signals the current run's history recorded, in order. */
async function recordedSignalEventIds(workflowId: string): Promise<string[]> {
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).flatMap((event) => {
    const payload =
      event.workflowExecutionSignaledEventAttributes?.header?.fields?.[TEMPORAL_HEADERS.eventId];
    return payload ? [defaultPayloadConverter.fromPayload<string>(payload)] : [];
  });
}

/** A counter that stays in one run for these tests (the gateway would start it with everyN = 3). */
async function startLongRun(): Promise<string> {
  const workflowId = uniqueId('counter');
  await env.client.workflow.start('counterWorkflow', { taskQueue, workflowId, args: [{ everyN: 100 }] });
  return workflowId;
}

describe.each(['LastWorkflowTask', 'FirstWorkflowTask'] as const)('after a reset to %s', (type) => {
  it('applies a redelivered signal once, though Temporal records it again', async () => {
    const workflowId = await startLongRun();
    await signal(workflowId, 'e1', 1);
    await signal(workflowId, 'e2', 10);
    await waitForCounter(workflowId, (s) => s.total === 11);

    await reset(workflowId, type);
    await signal(workflowId, 'e2', 10);
    await signal(workflowId, 'e3', 100);

    const state = await waitForCounter(workflowId, (s) => s.total >= 111);
    expect(state).toMatchObject({ total: 111, runs: 0 });
    // The reset dropped the run's request ids: Temporal took the redelivery, the interceptor skipped it.
    expect(
      (await recordedSignalEventIds(workflowId)).filter((id) => id === '@http:anonymous:e2').length,
    ).toBeGreaterThan(1);
  });

  it('answers a redelivered update like the first and applies it once', async () => {
    const workflowId = await startLongRun();
    await signal(workflowId, 'e1', 1);
    const first = await postUpdate(workflowId, 'u1', 10);
    expect(first.total).toBe(11);

    await reset(workflowId, type);
    await waitForCounter(workflowId, (s) => s.total === 11);
    expect(await postUpdate(workflowId, 'u1', 10)).toEqual(first);
    const after = await postUpdate(workflowId, 'u2', 100);
    expect(after.total).toBe(111);
  });
});

describe('across continue-as-new', () => {
  it('applies each event once though every event arrives by HTTP retry, SQS redelivery and DLQ redrive', async () => {
    const workflowId = uniqueId('counter');
    const amounts = Array.from({ length: 10 }, (_, i) => 2 ** i);
    const handle = createSqsBatchHandler({
      ...gateway.runtime,
      deadLetters: {
        send: () => Promise.reject(new Error('no event of this test is a permanent failure')),
      },
      logger: silentLogger,
    });
    const queueArn = 'arn:aws:sqs:us-east-1:000000000000:event-gateway-events';
    const record = (messageId: string, body: unknown): SQSRecord => ({
      messageId,
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
      eventSourceARN: queueArn,
      awsRegion: 'us-east-1',
    });
    const deliverQueued = async (records: SQSRecord[]) => {
      const response = await handle({ Records: records });
      expect(response.batchItemFailures).toEqual([]);
    };

    // Each event i: first by HTTP (and its client retry), later as a queue message delivered
    // twice (SQS redelivery: same message id), and once more redriven from the DLQ (a new message
    // whose body keeps the event id). The repeats land runs later, after several continue-as-new.
    // A queued copy of an HTTP event is what the gateway's fallback writes: sealed, under the
    // caller's namespaced id (an unsealed producer message with the same key is another caller's).
    const queued = amounts.map((amount, i) => {
      const messageId = `msg-${i}-${randomUUID()}`;
      const message = {
        workflowId,
        signal: 'add',
        payload: { amount },
        eventId: `@http:anonymous:ev-${i}`,
        suppliedId: `ev-${i}`,
      };
      return { messageId, body: JSON.parse(gateway.runtime.sealer.seal(message)) as typeof message };
    });
    // Each event is applied before the next is sent, so the ten spread over several runs (three
    // per run, everyN) however slow the worker is: sent all at once, a busy machine may let them
    // all land in the first run's first task, and nothing would test continue-as-new.
    let applied = 0;
    for (const [i, amount] of amounts.entries()) {
      await signal(workflowId, `ev-${i}`, amount);
      await signal(workflowId, `ev-${i}`, amount);
      applied += amount;
      await waitForCounter(workflowId, (s) => s.total >= applied);
    }
    // Several runs later (an event that arrives while a run continues-as-new joins that run, so
    // not exactly 10 / 3):
    const afterHttp = await waitForCounter(workflowId, (s) => s.total >= 1023);
    expect(afterHttp.total).toBe(1023);
    expect(afterHttp.runs).toBeGreaterThanOrEqual(2);
    for (const { messageId, body } of queued) {
      await deliverQueued([record(messageId, body)]);
      await deliverQueued([record(messageId, body)]);
    }
    for (const { messageId, body } of queued) {
      const letter = {
        messageId,
        body: JSON.stringify(body),
        json: body,
        signal: body,
        eventId: body.eventId,
        message: { MessageId: messageId, Body: JSON.stringify(body) },
      } as unknown as DeadLetter;
      const copy = redriveEntry(letter, false);
      await deliverQueued([record(randomUUID(), JSON.parse(copy.MessageBody ?? '{}'))]);
    }
    // One more distinct event marks the end: every repeat before it has been handled.
    await signal(workflowId, 'ev-last', 1_000_000);

    const sum = amounts.reduce((a, b) => a + b, 0) + 1_000_000;
    const state = await waitForCounter(workflowId, (s) => s.total >= sum);
    expect(state.total).toBe(sum);
    expect(state.runs).toBeGreaterThanOrEqual(afterHttp.runs);
  });
});

describe('histories written before event ids were namespaced', () => {
  it('still skip an event retried across the upgrade, by the id its caller supplied', async () => {
    const workflowId = await startLongRun();
    // The gateway before namespacing recorded the Idempotency-Key bare in the header.
    await env.client.workflowService.signalWorkflowExecution({
      namespace: env.namespace ?? 'default',
      workflowExecution: { workflowId },
      signalName: 'add',
      input: { payloads: [defaultPayloadConverter.toPayload({ amount: 1 })] },
      header: { fields: { [TEMPORAL_HEADERS.eventId]: defaultPayloadConverter.toPayload('legacy-1') } },
      identity: 'gateway before namespacing',
      requestId: randomUUID(),
    });
    await waitForCounter(workflowId, (s) => s.total >= 1);
    // The same key after the upgrade: namespaced, and matched by its supplied id — skipped.
    await signal(workflowId, 'legacy-1', 10);
    // A new key is applied: the workflow did see the retry before this one.
    await signal(workflowId, 'fresh-1', 100);
    const state = await waitForCounter(workflowId, (s) => s.total >= 101);
    expect(state.total).toBe(101);
    expect(await recordedSignalEventIds(workflowId)).toEqual([
      'legacy-1',
      '@http:anonymous:legacy-1',
      '@http:anonymous:fresh-1',
    ]);
  });
});

describe('an update across continue-as-new', () => {
  it('answers a redelivered update with the result the previous run kept, applying nothing', async () => {
    const workflowId = uniqueId('counter');
    await env.client.workflow.start('counterWorkflow', { taskQueue, workflowId, args: [{ everyN: 2 }] });
    const first = await postUpdate(workflowId, 'u-can', 5);
    expect(first).toEqual({ total: 5, runs: 0, eventsInRun: 1 });
    await signal(workflowId, 'e-can', 10);
    await waitForCounter(workflowId, (s) => s.runs === 1);

    expect(await postUpdate(workflowId, 'u-can', 5)).toEqual(first);
    expect(await waitForCounter(workflowId, (s) => s.runs === 1)).toEqual({
      total: 15,
      runs: 1,
      eventsInRun: 0,
    });
  });
});

describe('the bounded set', () => {
  it('forgets the oldest ids beyond its limit: an evicted id is applied again, a kept one is not', async () => {
    const workflowId = uniqueId('counter');
    const service = env.client.workflowService;
    // Raw signals with fresh request ids: what Temporal's own dedupe would not catch.
    const send = (eventId: string, amount: number) =>
      service.signalWorkflowExecution({
        namespace: env.namespace ?? 'default',
        workflowExecution: { workflowId },
        signalName: 'add',
        input: { payloads: [defaultPayloadConverter.toPayload({ amount })] },
        header: { fields: { [TEMPORAL_HEADERS.eventId]: defaultPayloadConverter.toPayload(eventId) } },
        requestId: randomUUID(),
        identity: 'dedupe-test',
      });
    await env.client.workflow.start('counterWorkflow', {
      taskQueue: smallQueue,
      workflowId,
      args: [{ everyN: 100 }],
    });
    // The limit is 3: after a..d, "a" has been evicted and b, c, d are kept.
    expect(SMALL_DEDUPE_LIMIT).toBe(3);
    await send('a', 1);
    await send('b', 10);
    await send('c', 100);
    await send('d', 1000);
    await send('d', 1000);
    await send('b', 10);
    await send('a', 1);
    await send('end', 10_000);
    const state = await waitForCounter(workflowId, (s) => s.total >= 11_111);
    expect(state.total).toBe(11_112);
  });
});
