/**
 * SQS ingress against a real ElasticMQ and a real Temporal dev server: partial batch failures,
 * the DLQ with reasons, redelivery dedupe, FIFO order, a Temporal outage, and the HTTP fallback.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SendMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayRuntime, type GatewayRuntime } from '../../../functions/runtime/gateway-runtime';
import { silentLogger } from '../../../functions/adapters/logger';
import { DLQ_ATTRIBUTES, createDeadLetters } from '../../../functions/adapters/sqs-dead-letters';
import { createDeliverer } from '../../../functions/adapters/deliverer';
import type { Signaler } from '../../../functions/adapters/ports';
import { DEFAULT_GATEWAY_CONFIG } from '../../../functions/core/default-config';
import { QUEUE_INGEST_ATTRIBUTES } from '../../../functions/core/sqs-message';
import { createSqsBatchHandler } from '../../../functions/handlers/sqs-batch';
import type { Child } from '../../../local/child-process';
import { startGatewayServer } from '../../../local/gateway-server';
import { startQueueConsumers, type QueueConsumers } from '../../../local/queue-consumer';
import { toSqsEvent } from '../../../local/sqs-event';
import { startTemporalDevServer } from '../../../local/temporal-dev-server';
import { freePort } from '../../support/free-port';
import { startSqsStack, type SqsStack } from '../../support/sqs-stack';
import { countSignals, signalPayloads, uniqueName } from '../../support/staged-worker';
import { queueDepth, receiveAll, waitFor } from '../../local/support';

const config = {
  routes: DEFAULT_GATEWAY_CONFIG.routes,
  targets: [
    ...DEFAULT_GATEWAY_CONFIG.targets,
    {
      name: 'no-start',
      workflowIdPattern: '^nostart-.+$',
      workflowType: 'stagedWorkflow',
      taskQueue: 'nobody',
      signals: { advanceStage: { schema: {} } },
    },
  ],
};

const dataDir = mkdtempSync(join(tmpdir(), 'sqs-batch-'));
let temporal: Child & { address: string };
let temporalPort: number;
let client: Client;
let stack: SqsStack;
let runtime: GatewayRuntime;

async function startTemporal() {
  temporal = await startTemporalDevServer({
    port: temporalPort,
    dbFilename: join(dataDir, 'temporal.db'),
    ui: false,
  });
}

beforeAll(async () => {
  temporalPort = await freePort();
  await startTemporal();
  [stack] = await Promise.all([startSqsStack({ visibilityTimeoutSeconds: 3, maxReceiveCount: 50 })]);
  client = new Client({ connection: await Connection.connect({ address: temporal.address }) });
  runtime = await createGatewayRuntime(
    {
      TEMPORAL_ADDRESS: temporal.address,
      GATEWAY_CONFIG: JSON.stringify(config),
      GATEWAY_TEMPORAL_DEADLINE_MS: '1000',
    },
    silentLogger,
  );
}, 240_000);

afterAll(async () => {
  await runtime?.clients.close();
  await client?.connection.close();
  await stack?.stop();
  await temporal?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Fails the first `times` attempts of the chosen events transiently, like a Temporal blip would. */
function flakySignaler(inner: Signaler, failFirst: Map<string, number>): Signaler {
  return {
    async signal(command, target) {
      const remaining = failFirst.get(command.eventId) ?? 0;
      if (remaining > 0) {
        failFirst.set(command.eventId, remaining - 1);
        return {
          status: 'failed',
          transient: true,
          problem: { code: 'temporal-unavailable', detail: 'injected' },
        };
      }
      return inner.signal(command, target);
    },
  };
}

const attribute = (message: Message, name: string) => message.MessageAttributes?.[name]?.StringValue;

describe('the SQS batch handler', () => {
  it('delivers good records, dead-letters poison ones with the reason, and reports only transient failures', async () => {
    const good = uniqueName('staged-good');
    const transientId = uniqueName('staged-transient');
    const sent = {
      good: await stack.send(stack.queues.events, {
        workflowId: good,
        signal: 'advanceStage',
        payload: { stage: 1 },
        eventId: 'g-1',
      }),
      goodNoId: await stack.send(stack.queues.events, {
        workflowId: good,
        signal: 'advanceStage',
        payload: { stage: 2 },
      }),
      notJson: await stack.send(stack.queues.events, '{"workflowId": '),
      badShape: await stack.send(stack.queues.events, { workflow: good, stage: 1 }),
      undeclared: await stack.send(stack.queues.events, {
        workflowId: 'payments-9',
        signal: 'advanceStage',
        payload: { stage: 1 },
        eventId: 'u-1',
      }),
      badSignal: await stack.send(stack.queues.events, {
        workflowId: good,
        signal: 'terminate',
        payload: {},
        eventId: 'b-1',
      }),
      notFound: await stack.send(stack.queues.events, {
        workflowId: 'nostart-1',
        signal: 'advanceStage',
        payload: { stage: 1 },
      }),
      transient: await stack.send(stack.queues.events, {
        workflowId: transientId,
        signal: 'advanceStage',
        payload: { stage: 1 },
        eventId: 't-1',
      }),
    };
    const messages = await receiveAll(stack.client, stack.queues.events.url, 30);
    expect(messages).toHaveLength(8);
    const handler = createSqsBatchHandler({
      ...runtime,
      deliverer: createDeliverer({
        ...runtime,
        signaler: flakySignaler(runtime.signaler, new Map([['@sqs:queue:t-1', 1]])),
      }),
      deadLetters: createDeadLetters(stack.client, { standard: stack.queues.eventsDlq.url }),
    });

    const response = await handler(toSqsEvent(messages, { queueArn: stack.queues.events.arn }));

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: sent.transient }]);
    expect(await countSignals({ client }, good, 'advanceStage')).toBe(2);
    const dead = await receiveAll(stack.client, stack.queues.eventsDlq.url);
    const reasons: Record<string, string | undefined> = {};
    for (const m of dead)
      reasons[attribute(m, DLQ_ATTRIBUTES.sourceMessageId) ?? ''] = attribute(m, DLQ_ATTRIBUTES.errorType);
    expect(reasons).toEqual({
      [sent.notJson]: 'invalid-json',
      [sent.badShape]: 'invalid-request',
      [sent.undeclared]: 'target-not-declared',
      [sent.badSignal]: 'operation-not-allowed',
      [sent.notFound]: 'workflow-not-found',
    });
    for (const message of dead)
      expect(attribute(message, DLQ_ATTRIBUTES.errorMessage)?.length).toBeGreaterThan(5);
    // Every permanent failure names its event id: the body's when it has one, else the message id.
    const eventIds: Record<string, string | undefined> = {};
    for (const m of dead)
      eventIds[attribute(m, DLQ_ATTRIBUTES.sourceMessageId) ?? ''] = attribute(m, DLQ_ATTRIBUTES.eventId);
    expect(eventIds).toEqual({
      [sent.notJson]: sent.notJson,
      [sent.badShape]: sent.badShape,
      [sent.undeclared]: 'u-1',
      [sent.badSignal]: 'b-1',
      [sent.notFound]: sent.notFound,
    });
    expect(dead.find((m) => attribute(m, DLQ_ATTRIBUTES.sourceMessageId) === sent.notJson)?.Body).toBe(
      '{"workflowId": ',
    );
  });

  it('delivers a CloudEvent body through its route and a queue-mode message through its attributes', async () => {
    const key = uniqueName('order');
    const queueModeId = uniqueName('staged-queue-mode');
    const event = {
      specversion: '1.0',
      id: `ce-${key}`,
      source: '/orders',
      type: 'com.example.stage.advanced',
      data: { workflowKey: key, stage: 1 },
    };
    await stack.send(stack.queues.events, event);
    await stack.client.send(
      new SendMessageCommand({
        QueueUrl: stack.queues.events.url,
        MessageBody: '{"stage":2}',
        MessageAttributes: {
          [QUEUE_INGEST_ATTRIBUTES.workflowId]: { DataType: 'String', StringValue: queueModeId },
          [QUEUE_INGEST_ATTRIBUTES.signal]: { DataType: 'String', StringValue: 'advanceStage' },
        },
      }),
    );
    const handler = createSqsBatchHandler({
      ...runtime,
      deadLetters: createDeadLetters(stack.client, { standard: stack.queues.eventsDlq.url }),
    });
    const messages = await receiveAll(stack.client, stack.queues.events.url, 3);
    expect(
      (await handler(toSqsEvent(messages, { queueArn: stack.queues.events.arn }))).batchItemFailures,
    ).toEqual([]);
    expect(await signalPayloads({ client }, `staged-${key}`, 'advanceStage')).toEqual([{ stage: 1 }]);
    expect(await signalPayloads({ client }, queueModeId, 'advanceStage')).toEqual([{ stage: 2 }]);
  });

  it('dead-letters a FIFO record to the FIFO DLQ even when that is the only DLQ configured', async () => {
    const id = uniqueName('staged-fifo-poison');
    await stack.send(stack.queues.eventsFifo, '{not json', { groupId: id, dedupId: id });
    const handler = createSqsBatchHandler({
      ...runtime,
      // As deployed: each consumer Lambda gets its own DLQ as GATEWAY_DLQ_URL, FIFO or not.
      deadLetters: createDeadLetters(stack.client, { standard: stack.queues.eventsDlqFifo.url }),
    });
    const messages = await receiveAll(stack.client, stack.queues.eventsFifo.url, 3);
    const response = await handler(toSqsEvent(messages, { queueArn: stack.queues.eventsFifo.arn }));
    expect(response.batchItemFailures).toEqual([]);
    const dead = await receiveAll(stack.client, stack.queues.eventsDlqFifo.url, 1);
    expect(dead.map((m) => [m.Body, attribute(m, DLQ_ATTRIBUTES.errorType)])).toEqual([
      ['{not json', 'invalid-json'],
    ]);
  });

  it('records one event once, whether it is sent three times or redelivered', async () => {
    const id = uniqueName('staged-dup');
    const event = { workflowId: id, signal: 'advanceStage', payload: { stage: 1 }, eventId: 'same-event' };
    for (let i = 0; i < 3; i++) await stack.send(stack.queues.events, event);
    await stack.send(stack.queues.events, { workflowId: id, signal: 'advanceStage', payload: { stage: 2 } });
    const handler = createSqsBatchHandler({
      ...runtime,
      deadLetters: createDeadLetters(stack.client, { standard: stack.queues.eventsDlq.url }),
    });
    const messages = await receiveAll(stack.client, stack.queues.events.url, 3);
    expect(
      (await handler(toSqsEvent(messages, { queueArn: stack.queues.events.arn }))).batchItemFailures,
    ).toEqual([]);
    // The same messages again, as SQS redelivers them after a visibility timeout (same messageIds).
    expect(
      (await handler(toSqsEvent(messages, { queueArn: stack.queues.events.arn }))).batchItemFailures,
    ).toEqual([]);
    // A standard queue delivers a batch concurrently: order is not promised, the count is.
    const applied = await signalPayloads({ client }, id, 'advanceStage');
    expect(applied).toHaveLength(2);
    expect(applied).toEqual(expect.arrayContaining([{ stage: 1 }, { stage: 2 }]));
  });
});

describe('the local queue consumers (Lambda event-source-mapping semantics)', () => {
  let consumers: QueueConsumers | undefined;
  afterAll(async () => consumers?.stop());

  it('keep per-workflow order on the FIFO queue even when a record fails transiently', async () => {
    const id = uniqueName('staged-fifo');
    const failFirst = new Map([['@sqs:queue:fifo-2', 2]]);
    consumers = await startQueueConsumers({
      client: stack.client,
      queues: stack.queues,
      runtime: {
        ...runtime,
        deliverer: createDeliverer({ ...runtime, signaler: flakySignaler(runtime.signaler, failFirst) }),
      },
      poller: { waitTimeSeconds: 1 },
    });
    for (const stage of [1, 2, 3]) {
      await stack.send(
        stack.queues.eventsFifo,
        { workflowId: id, signal: 'advanceStage', payload: { stage }, eventId: `fifo-${stage}` },
        { groupId: id, dedupId: `fifo-${stage}` },
      );
    }
    await waitFor(
      async () => ((await countSignals({ client }, id).catch(() => 0)) === 3 ? true : undefined),
      {
        timeoutMs: 30_000,
        what: 'three FIFO signals',
      },
    );
    expect(failFirst.get('@sqs:queue:fifo-2')).toBe(0);
    expect(await signalPayloads({ client }, id)).toEqual([{ stage: 1 }, { stage: 2 }, { stage: 3 }]);
    await consumers.stop();
    consumers = undefined;
  });

  it('apply every message exactly once after a Temporal outage, losing none', async () => {
    consumers = await startQueueConsumers({
      client: stack.client,
      queues: stack.queues,
      runtime,
      poller: { waitTimeSeconds: 1 },
    });
    await temporal.stop();
    const ids = Array.from({ length: 5 }, () => uniqueName('staged-outage'));
    for (const id of ids) {
      for (const stage of [1, 2]) {
        await stack.send(stack.queues.events, {
          workflowId: id,
          signal: 'advanceStage',
          payload: { stage },
          eventId: `${id}-${stage}`,
        });
      }
      // A duplicate of the first event, as an at-least-once producer would send.
      await stack.send(stack.queues.events, {
        workflowId: id,
        signal: 'advanceStage',
        payload: { stage: 1 },
        eventId: `${id}-1`,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(
      (await queueDepth(stack.client, stack.queues.events.url)).visible +
        (await queueDepth(stack.client, stack.queues.events.url)).inFlight,
    ).toBeGreaterThan(0);
    await startTemporal();
    await waitFor(
      async () => {
        const depth = await queueDepth(stack.client, stack.queues.events.url);
        return depth.visible + depth.inFlight === 0 ? true : undefined;
      },
      { timeoutMs: 60_000, what: 'the queue to drain' },
    );
    for (const id of ids) expect(await countSignals({ client }, id, 'advanceStage')).toBe(2);
    const dead = await receiveAll(stack.client, stack.queues.eventsDlq.url, 1);
    expect(dead.filter((message) => ids.some((id) => message.Body?.includes(id)))).toEqual([]);
  });

  it('queue an HTTP signal durably when Temporal is down and apply it once when it returns', async () => {
    const gateway = await startGatewayServer({
      logger: silentLogger,
      env: {
        TEMPORAL_ADDRESS: temporal.address,
        GATEWAY_CONFIG: JSON.stringify(config),
        GATEWAY_TEMPORAL_DEADLINE_MS: '1000',
        GATEWAY_QUEUE_URL: stack.queues.events.url,
        SQS_ENDPOINT: stack.sqs.endpoint,
      },
    });
    try {
      await temporal.stop();
      const id = uniqueName('staged-fallback');
      const post = () =>
        fetch(`${gateway.url}/v1/workflows/${id}/signals/advanceStage`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': 'fallback-1' },
          body: '{"stage":1}',
        });
      const first = await post();
      expect(first.status).toBe(202);
      expect(await first.json()).toMatchObject({ status: 'queued', eventId: '@http:anonymous:fallback-1' });
      // The sender retries the same event: queued again, still applied once.
      expect((await post()).status).toBe(202);
      await startTemporal();
      await waitFor(
        async () => ((await countSignals({ client }, id).catch(() => 0)) > 0 ? true : undefined),
        {
          timeoutMs: 60_000,
          what: 'the queued signal',
        },
      );
      await waitFor(
        async () => {
          const depth = await queueDepth(stack.client, stack.queues.events.url);
          return depth.visible + depth.inFlight === 0 ? true : undefined;
        },
        { timeoutMs: 30_000, what: 'the queue to drain' },
      );
      expect(await countSignals({ client }, id, 'advanceStage')).toBe(1);
    } finally {
      await gateway.close();
    }
  });
});
