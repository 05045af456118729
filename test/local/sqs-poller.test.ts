import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSHandler } from 'aws-lambda';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLocalSqsClient, startElasticMq, type ElasticMq } from '../../local/elasticmq';
import {
  createSqsPoller,
  failedMessageIds,
  type SqsBatchHandler,
  type SqsBatchResult,
  type SqsPoller,
  type SqsPollerOptions,
} from '../../local/sqs-poller';
import { ensureGatewayQueues, type GatewayQueues } from '../../local/sqs-queues';
import { queueDepth, receiveAll, waitFor } from './support';

let server: ElasticMq;
let client: SQSClient;
const pollers: SqsPoller[] = [];

beforeAll(async () => {
  server = await startElasticMq({ port: 0 });
  client = createLocalSqsClient(server.endpoint, server.region);
});
afterEach(async () => {
  await Promise.all(pollers.splice(0).map((poller) => poller.stop()));
});
afterAll(async () => {
  client?.destroy();
  await server?.stop();
});

/**
 * A message still being handled when its visibility timeout ends is received again, by SQS and Lambda
 * as by the poller. Tests of redelivery use 1 s so retries come back quickly, and poll with
 * concurrency 1, so no second poll loop can receive a message again while a busy machine is still
 * handling its batch: their exact receive counts hold however slow the machine. The other tests
 * expect no redelivery and use a visibility timeout no busy machine overruns.
 */
const QUICK_RETRY_VISIBILITY_SECONDS = 1;
const NO_RETRY_VISIBILITY_SECONDS = 60;

/** Fresh queues per test. */
function freshQueues(visibilityTimeoutSeconds = QUICK_RETRY_VISIBILITY_SECONDS): Promise<GatewayQueues> {
  return ensureGatewayQueues(client, {
    namePrefix: `t${randomUUID().slice(0, 8)}-`,
    visibilityTimeoutSeconds,
  });
}

async function send(queueUrl: string, bodies: string[]): Promise<string[]> {
  const { Successful = [] } = await client.send(
    new SendMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: bodies.map((body, index) => ({ Id: String(index), MessageBody: body })),
    }),
  );
  return Successful.sort((a, b) => Number(a.Id) - Number(b.Id)).map((entry) => entry.MessageId!);
}

interface Recorded {
  events: SQSEvent[];
  contexts: Context[];
  results: SqsBatchResult[];
}

async function startPoller(
  queueUrl: string,
  handler: SqsBatchHandler,
  options: Partial<SqsPollerOptions> = {},
): Promise<Recorded> {
  const recorded: Recorded = { events: [], contexts: [], results: [] };
  const poller = createSqsPoller({
    client,
    queueUrl,
    waitTimeSeconds: 1,
    onError: () => undefined,
    onBatch: (result) => recorded.results.push(result),
    ...options,
    handler: (event, context, callback) => {
      recorded.events.push(event);
      recorded.contexts.push(context);
      return handler(event, context, callback);
    },
  });
  pollers.push(poller);
  await poller.start();
  return recorded;
}

const receiveCountsOf = (events: SQSEvent[], messageId: string) =>
  events
    .flatMap((event) => event.Records.filter((r) => r.messageId === messageId))
    .map((r) => r.attributes.ApproximateReceiveCount);

describe('the SQS poller', () => {
  it('deletes a batch whose handler succeeds', async () => {
    const queues = await freshQueues(NO_RETRY_VISIBILITY_SECONDS);
    const ids = await send(queues.events.url, ['a', 'b', 'c']);
    const recorded = await startPoller(queues.events.url, () => Promise.resolve());

    await waitFor(() => (recorded.results.flatMap((r) => r.deleted).length === 3 ? true : undefined));
    expect(recorded.results.flatMap((r) => r.deleted).sort()).toEqual([...ids].sort());
    expect(recorded.results.every((r) => r.outcome === 'success')).toBe(true);
    expect(await queueDepth(client, queues.events.url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('deletes the rest of a batch and redelivers only the reported failures', async () => {
    const queues = await freshQueues();
    const [ok1, bad, ok2] = await send(queues.events.url, ['ok', 'bad', 'ok']);
    const recorded = await startPoller(
      queues.events.url,
      (event): Promise<SQSBatchResponse> =>
        Promise.resolve({
          batchItemFailures: event.Records.filter(
            (r) => r.body === 'bad' && r.attributes.ApproximateReceiveCount === '1',
          ).map((r) => ({ itemIdentifier: r.messageId })),
        }),
      { concurrency: 1 },
    );

    // The failed message comes back after the 1 s visibility timeout, and then succeeds.
    await waitFor(() => (receiveCountsOf(recorded.events, bad!).includes('2') ? true : undefined));
    await waitFor(() => (recorded.results.flatMap((r) => r.deleted).includes(bad!) ? true : undefined));
    expect(receiveCountsOf(recorded.events, bad!)).toEqual(['1', '2']);
    expect(receiveCountsOf(recorded.events, ok1!)).toEqual(['1']);
    expect(receiveCountsOf(recorded.events, ok2!)).toEqual(['1']);
    expect(recorded.results.some((r) => r.outcome === 'partial-failure' && r.retained.includes(bad!))).toBe(
      true,
    );
  });

  it('leaves the whole batch on the queue when the handler throws', async () => {
    const queues = await freshQueues();
    const ids = await send(queues.events.url, ['x', 'y']);
    let calls = 0;
    const recorded = await startPoller(
      queues.events.url,
      () => (++calls === 1 ? Promise.reject(new Error('Temporal is down')) : Promise.resolve()),
      { concurrency: 1, batchSize: 10 },
    );

    await waitFor(() => (recorded.results.flatMap((r) => r.deleted).length === 2 ? true : undefined));
    expect(recorded.results[0]).toMatchObject({ outcome: 'failure', deleted: [] });
    for (const id of ids) expect(receiveCountsOf(recorded.events, id).at(-1)).toBe('2');
  });

  it('treats the whole batch as failed when batchItemFailures names a message not in it, as Lambda does', async () => {
    const queues = await freshQueues();
    const [id] = await send(queues.events.url, ['z']);
    let calls = 0;
    const recorded = await startPoller(
      queues.events.url,
      () =>
        Promise.resolve(
          ++calls === 1
            ? { batchItemFailures: [{ itemIdentifier: 'not-a-message-of-this-batch' }] }
            : undefined,
        ),
      { concurrency: 1 },
    );

    await waitFor(() => (recorded.results.flatMap((r) => r.deleted).includes(id!) ? true : undefined));
    expect(recorded.results[0]).toMatchObject({ outcome: 'failure', deleted: [], retained: [id] });
    expect(receiveCountsOf(recorded.events, id!)).toEqual(['1', '2']);
  });

  it('counts a handler that outlives the function timeout as failed', async () => {
    const queues = await freshQueues();
    const [id] = await send(queues.events.url, ['slow']);
    let calls = 0;
    const recorded = await startPoller(
      queues.events.url,
      () => (++calls === 1 ? sleep(600).then(() => undefined) : Promise.resolve()),
      { functionTimeoutMs: 200, concurrency: 1 },
    );

    await waitFor(() => (recorded.results.flatMap((r) => r.deleted).includes(id!) ? true : undefined));
    expect(recorded.results[0]?.outcome).toBe('failure');
    expect(String(recorded.results[0]?.error)).toMatch(/200 ms/);
  });

  it('lets SQS move a message to the DLQ after maxReceiveCount failed deliveries', async () => {
    const queues = await freshQueues();
    const [id] = await send(queues.events.url, ['{"poison":true}']);
    const recorded = await startPoller(
      queues.events.url,
      () => Promise.reject(new Error('permanently broken')),
      {
        concurrency: 1,
      },
    );

    const dead = await waitFor(
      async () => {
        const messages = await receiveAll(client, queues.eventsDlq.url);
        return messages.length ? messages : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500, what: 'the message in the DLQ' },
    );
    expect(dead.map((m) => m.MessageId)).toEqual([id]);
    expect(receiveCountsOf(recorded.events, id!)).toEqual(['1', '2', '3', '4', '5']);
  });

  it('delivers each FIFO message group in send order, even with concurrent polls', async () => {
    const queues = await freshQueues(NO_RETRY_VISIBILITY_SECONDS);
    const groups = ['staged-a', 'staged-b', 'staged-c'];
    for (let i = 0; i < 8; i++) {
      for (const group of groups) {
        await client.send(
          new SendMessageCommand({
            QueueUrl: queues.eventsFifo.url,
            MessageBody: JSON.stringify({ group, seq: i }),
            MessageGroupId: group,
            MessageDeduplicationId: `${group}-${i}`,
          }),
        );
      }
    }
    const seen = new Map<string, number[]>();
    const recorded = await startPoller(
      queues.eventsFifo.url,
      async (event) => {
        for (const record of event.Records) {
          const { group, seq } = JSON.parse(record.body) as { group: string; seq: number };
          seen.set(group, [...(seen.get(group) ?? []), seq]);
        }
        await sleep(20);
      },
      { concurrency: 3, batchSize: 3 },
    );

    await waitFor(() => (recorded.results.flatMap((r) => r.deleted).length === 24 ? true : undefined));
    for (const group of groups) expect(seen.get(group)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const record = recorded.events[0]!.Records[0]!;
    const { MessageGroupId, MessageDeduplicationId, SequenceNumber } = record.attributes;
    expect(MessageGroupId).toMatch(/^staged-[abc]$/);
    expect(MessageDeduplicationId).toBe(
      `${MessageGroupId}-${(JSON.parse(record.body) as { seq: number }).seq}`,
    );
    expect(SequenceNumber).toMatch(/^\d+$/);
    expect(record.eventSourceARN).toBe(queues.eventsFifo.arn);
  });

  it('hands the handler real-shaped SQS records and a Lambda context', async () => {
    const queues = await freshQueues(NO_RETRY_VISIBILITY_SECONDS);
    const body = JSON.stringify({ workflowId: 'staged-1', signal: 'advanceStage', payload: { stage: 1 } });
    const { MessageId, MD5OfMessageAttributes } = await client.send(
      new SendMessageCommand({
        QueueUrl: queues.events.url,
        MessageBody: body,
        MessageAttributes: {
          eventType: { DataType: 'String', StringValue: 'advance' },
          priority: { DataType: 'Number', StringValue: '7' },
          blob: { DataType: 'Binary', BinaryValue: Buffer.from('hi') },
        },
      }),
    );
    const recorded = await startPoller(queues.events.url, () => Promise.resolve(), {
      functionName: 'queue-fn',
    });

    const event = await waitFor(() => recorded.events[0]);
    expect(event.Records).toHaveLength(1);
    const { receiptHandle, attributes, ...record } = event.Records[0]!;
    expect(receiptHandle).not.toBe('');
    expect(Object.keys(attributes).sort()).toEqual([
      'ApproximateFirstReceiveTimestamp',
      'ApproximateReceiveCount',
      'SenderId',
      'SentTimestamp',
    ]);
    expect(attributes.ApproximateReceiveCount).toBe('1');
    expect(attributes.SentTimestamp).toMatch(/^\d{13}$/);
    expect(attributes.ApproximateFirstReceiveTimestamp).toMatch(/^\d{13}$/);
    expect(attributes.SenderId).not.toBe('');
    expect(record).toEqual({
      messageId: MessageId,
      body,
      messageAttributes: {
        eventType: { stringValue: 'advance', stringListValues: [], binaryListValues: [], dataType: 'String' },
        priority: { stringValue: '7', stringListValues: [], binaryListValues: [], dataType: 'Number' },
        blob: {
          binaryValue: Buffer.from('hi').toString('base64'),
          stringListValues: [],
          binaryListValues: [],
          dataType: 'Binary',
        },
      },
      md5OfBody: createHash('md5').update(body).digest('hex'),
      md5OfMessageAttributes: MD5OfMessageAttributes,
      eventSource: 'aws:sqs',
      eventSourceARN: queues.events.arn,
      awsRegion: server.region,
    });
    const context = recorded.contexts[0]!;
    expect(context).toMatchObject({
      functionName: 'queue-fn',
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:${server.region}:000000000000:function:queue-fn`,
      logGroupName: '/aws/lambda/queue-fn',
    });
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
  });

  it('gathers records for the batching window before invoking', async () => {
    const queues = await freshQueues(NO_RETRY_VISIBILITY_SECONDS);
    const recorded = await startPoller(queues.events.url, () => Promise.resolve(), {
      concurrency: 1,
      // A full batch ends the window early, so a window no busy machine overruns costs no time;
      // shorter than the visibility timeout, as the deployed settings must be too.
      batchSize: 3,
      maximumBatchingWindowMs: 20_000,
    });
    await send(queues.events.url, ['first']);
    // Received, so a batch without a window would already be on its way with it alone.
    await waitFor(async () =>
      (await queueDepth(client, queues.events.url)).inFlight === 1 ? true : undefined,
    );
    await send(queues.events.url, ['second', 'third']);

    await waitFor(() => recorded.results[0]);
    expect(recorded.events.map((event) => event.Records.map((r) => r.body))).toEqual([
      ['first', 'second', 'third'],
    ]);
  });

  it('waits for the in-flight batch when stopped', async () => {
    const queues = await freshQueues(NO_RETRY_VISIBILITY_SECONDS);
    await send(queues.events.url, ['in-flight']);
    let finished = false;
    let entered!: () => void;
    const handlerEntered = new Promise<void>((resolve) => (entered = resolve));
    const poller = createSqsPoller({
      client,
      queueUrl: queues.events.url,
      waitTimeSeconds: 1,
      handler: async () => {
        entered();
        await sleep(500);
        finished = true;
      },
    });
    await poller.start();
    await handlerEntered;
    await poller.stop();

    expect(finished).toBe(true);
    expect(poller.running).toBe(false);
    expect(await queueDepth(client, queues.events.url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('keeps polling through an SQS outage and delivers what arrives after it', async () => {
    const own = await startElasticMq({
      port: 0,
      persistDir: await mkdtemp(join(tmpdir(), 'poller-outage-')),
    });
    const ownClient = createLocalSqsClient(own.endpoint, own.region, { maxAttempts: 1 });
    try {
      const queues = await ensureGatewayQueues(ownClient, { visibilityTimeoutSeconds: 1 });
      // ElasticMQ writes queue metadata just after answering CreateQueue (SQS asks for a 1 s wait too).
      await sleep(1_000);
      const errors: string[] = [];
      const delivered: string[] = [];
      const poller = createSqsPoller({
        client: ownClient,
        queueUrl: queues.events.url,
        waitTimeSeconds: 1,
        onError: (_error, phase) => errors.push(phase),
        handler: (event) => {
          delivered.push(...event.Records.map((r) => r.body));
          return Promise.resolve();
        },
      });
      pollers.push(poller);
      await poller.start();

      await own.stop();
      await waitFor(() => (errors.includes('receive') ? true : undefined), { what: 'a failed receive' });
      await own.restart();
      await ownClient.send(
        new SendMessageCommand({ QueueUrl: queues.events.url, MessageBody: 'after the outage' }),
      );

      await waitFor(() => (delivered.includes('after the outage') ? true : undefined), {
        what: 'the delivery',
      });
    } finally {
      ownClient.destroy();
      await own.stop();
      await rm(own.persistDir!, { recursive: true, force: true });
    }
  });

  it('accepts a handler typed as aws-lambda SQSHandler, as a Lambda module exports it', () => {
    const handler: SQSHandler = () => Promise.resolve({ batchItemFailures: [] });
    expect(createSqsPoller({ client, queueUrl: 'http://x/q', handler }).running).toBe(false);
  });

  it('rejects options Lambda would reject', () => {
    const handler = () => Promise.resolve();
    expect(() => createSqsPoller({ client, queueUrl: 'http://x/q.fifo', handler, batchSize: 11 })).toThrow(
      /batchSize/,
    );
    expect(() => createSqsPoller({ client, queueUrl: 'http://x/q', handler, batchSize: 100 })).toThrow(
      /maximumBatchingWindowMs/,
    );
  });
});

describe('failedMessageIds (Lambda rules for ReportBatchItemFailures)', () => {
  const ids = ['m1', 'm2'];
  it('treats no response, an empty object and an empty list as complete success', () => {
    for (const response of [undefined, null, {}, { batchItemFailures: [] }, { batchItemFailures: null }]) {
      expect(failedMessageIds(response, ids)).toEqual({ retained: new Set() });
    }
  });
  it('keeps exactly the reported messages', () => {
    expect(failedMessageIds({ batchItemFailures: [{ itemIdentifier: 'm2' }] }, ids)).toEqual({
      retained: new Set(['m2']),
    });
  });
  it('fails the whole batch for an empty, missing, foreign or malformed identifier', () => {
    for (const response of [
      { batchItemFailures: [{ itemIdentifier: '' }] },
      { batchItemFailures: [{ itemIdentifier: null }] },
      { batchItemFailures: [{ id: 'm1' }] },
      { batchItemFailures: [{ itemIdentifier: 'm3' }] },
      { batchItemFailures: 'm1' },
      'ok',
    ]) {
      expect(failedMessageIds(response, ids)).toHaveProperty('invalid');
    }
  });
});
