/**
 * `event-gateway dlq list` and `dlq redrive` against a real ElasticMQ, with dead letters written by
 * the real SQS batch handler (or by SQS's own redrive policy), and — end to end — the redriven
 * events consumed by that handler against a real Temporal dev server.
 */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  PurgeQueueCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGatewayRuntime, type GatewayRuntime } from '../../functions/runtime/gateway-runtime';
import { silentLogger } from '../../functions/adapters/logger';
import { DLQ_ATTRIBUTES, createDeadLetters } from '../../functions/adapters/sqs-dead-letters';
import { deliveryRequestId } from '../../functions/adapters/request-id';
import { createSqsBatchHandler } from '../../functions/handlers/sqs-batch';
import { toSqsEvent } from '../../local/sqs-event';
import type { GatewayQueue } from '../../local/sqs-queues';
import { queueDepth, receiveAll } from '../local/support';
import { startSqsStack, type SqsStack } from '../support/sqs-stack';
import { countSignals, uniqueName } from '../support/staged-worker';
import { sharedTemporal, stopSharedTemporal } from '../support/temporal';
import { cli } from './support';

let stack: SqsStack;
let env: TestWorkflowEnvironment;
let runtime: GatewayRuntime;
let handler: ReturnType<typeof createSqsBatchHandler>;
const cliEnv = () => ({ SQS_ENDPOINT: stack.sqs.endpoint });

beforeAll(async () => {
  // maxReceiveCount 1: a message received once and not deleted moves to the DLQ on the next receive,
  // which is how the SQS-redrive-policy path is reproduced below.
  [stack, env] = await Promise.all([
    startSqsStack({ visibilityTimeoutSeconds: 1, maxReceiveCount: 1 }),
    sharedTemporal(),
  ]);
  runtime = await createGatewayRuntime({ TEMPORAL_ADDRESS: env.address }, silentLogger);
  handler = createSqsBatchHandler({
    ...runtime,
    deadLetters: createDeadLetters(stack.client, {
      standard: stack.queues.eventsDlq.url,
      fifo: stack.queues.eventsDlqFifo.url,
    }),
  });
});

afterAll(async () => {
  await runtime?.clients.close();
  await stack?.stop();
  await stopSharedTemporal();
});

beforeEach(async () => {
  for (const queue of Object.values(stack.queues)) {
    await stack.client.send(new PurgeQueueCommand({ QueueUrl: queue.url }));
  }
});

/** What the local poller does: the real handler on a real-shaped batch, then delete the successes. */
async function consume(queue: GatewayQueue, messages?: Message[]) {
  const batch = messages ?? (await receiveAll(stack.client, queue.url, 30));
  const response = await handler(toSqsEvent(batch, { queueArn: queue.arn }));
  const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
  for (const message of batch) {
    if (!failed.has(message.MessageId!)) {
      await stack.client.send(
        new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: message.ReceiptHandle }),
      );
    }
  }
  return response;
}

const text = (value: string) => ({ DataType: 'String', StringValue: value });

/** A message on a DLQ as the queue handler writes one (attributes as given). */
async function deadLetter(
  queue: GatewayQueue,
  body: unknown,
  attributes: Record<string, string> = {},
  fifo?: { groupId: string; dedupId: string },
): Promise<string> {
  const { MessageId } = await stack.client.send(
    new SendMessageCommand({
      QueueUrl: queue.url,
      MessageBody: typeof body === 'string' ? body : JSON.stringify(body),
      MessageAttributes: Object.fromEntries(
        Object.entries(attributes).map(([name, value]) => [name, text(value)]),
      ),
      ...(fifo ? { MessageGroupId: fifo.groupId, MessageDeduplicationId: fifo.dedupId } : {}),
    }),
  );
  return MessageId!;
}

const bodyOf = (message: Message) => JSON.parse(message.Body!) as Record<string, unknown>;
const stage = (workflowId: string, n: number, eventId?: string) => ({
  workflowId,
  signal: 'advanceStage',
  payload: { stage: n },
  ...(eventId ? { eventId } : {}),
});

describe('event-gateway dlq list', () => {
  it("shows each message's reason recorded by the queue handler and leaves every message in the queue", async () => {
    const sent = {
      notJson: await stack.send(stack.queues.events, '{"workflowId": '),
      undeclared: await stack.send(stack.queues.events, stage('payments-9', 1)),
      badSignal: await stack.send(stack.queues.events, {
        workflowId: 'staged-bad',
        signal: 'terminate',
        payload: {},
        eventId: 'evt-bad',
      }),
    };
    expect((await consume(stack.queues.events)).batchItemFailures).toEqual([]);

    const listed = await cli(['dlq', 'list'], cliEnv());
    expect(listed.code).toBe(0);
    expect(listed.stdout[0]).toBe('event-gateway-events-dlq: 3 message(s)');
    const output = listed.stdout.join('\n');
    expect(output).toContain(`event id   ${sent.notJson} (eventId attribute)`);
    expect(output).toContain('body       not JSON: {"workflowId":');
    expect(output).toMatch(/reason {5}invalid-json: The message body is not valid JSON/);
    expect(output).toContain(`event id   ${sent.undeclared} (eventId attribute)`);
    expect(output).toContain('target     payments-9 / advanceStage');
    expect(output).toMatch(/reason {5}target-not-declared: /);
    expect(output).toContain('event id   evt-bad (body)');
    expect(output).toMatch(/reason {5}operation-not-allowed: /);
    expect(output).toContain('from       event-gateway-events');
    expect(output).toMatch(/received {3}1 time\(s\), age \d+s/);
    expect(await queueDepth(stack.client, stack.queues.eventsDlq.url)).toEqual({ visible: 3, inFlight: 0 });

    const json = await cli(['dlq', 'list', '--json'], cliEnv());
    const entries = JSON.parse(json.stdout.join('\n')) as Record<string, unknown>[];
    expect(entries.map((entry) => entry.errorType).sort()).toEqual([
      'invalid-json',
      'operation-not-allowed',
      'target-not-declared',
    ]);
    expect(entries.find((entry) => entry.errorType === 'operation-not-allowed')).toMatchObject({
      eventId: 'evt-bad',
      eventIdSource: 'body',
      workflowId: 'staged-bad',
      signal: 'terminate',
      sourceMessageId: sent.badSignal,
      errorMessage: expect.any(String) as string,
      receiveCount: 2,
      ageSeconds: expect.any(Number) as number,
    });

    const capped = await cli(['dlq', 'list', '--json', '--max', '2'], cliEnv());
    expect(JSON.parse(capped.stdout.join('\n'))).toHaveLength(2);
    expect(await queueDepth(stack.client, stack.queues.eventsDlq.url)).toEqual({ visible: 3, inFlight: 0 });
  });

  it('says the queue is empty when it is', async () => {
    const run = await cli(['dlq', 'list', '--fifo'], cliEnv());
    expect(run).toEqual({ code: 0, stdout: ['event-gateway-events-dlq.fifo is empty.'], stderr: [] });
  });
});

describe('event-gateway dlq redrive', () => {
  it('moves every message back with its original event id, and --dry-run moves nothing', async () => {
    const id = 'staged-redrive';
    await deadLetter(stack.queues.eventsDlq, stage(id, 1, 'evt-body'), { errorType: 'workflow-not-found' });
    await deadLetter(stack.queues.eventsDlq, stage(id, 2), {
      [DLQ_ATTRIBUTES.eventId]: 'evt-attr',
      [DLQ_ATTRIBUTES.sourceMessageId]: 'src-b',
      [DLQ_ATTRIBUTES.errorType]: 'workflow-not-found',
    });
    await deadLetter(stack.queues.eventsDlq, stage(id, 3), { [DLQ_ATTRIBUTES.sourceMessageId]: 'src-c' });
    const ownId = await deadLetter(stack.queues.eventsDlq, stage(id, 4));
    await deadLetter(stack.queues.eventsDlq, 'not json {', {
      [DLQ_ATTRIBUTES.sourceMessageId]: 'src-e',
      [DLQ_ATTRIBUTES.errorType]: 'invalid-json',
      tenant: 'acme',
    });
    await deadLetter(
      stack.queues.eventsDlq,
      { ...stage(id, 1), traceparent: '00-abc-def-01' },
      { [DLQ_ATTRIBUTES.sourceMessageId]: 'src-f' },
    );

    const dry = await cli(['dlq', 'redrive', '--dry-run'], cliEnv());
    expect(dry.code).toBe(0);
    expect(dry.stdout.at(-1)).toBe('would redrive 6, failed 0');
    expect(dry.stdout).toContainEqual(
      expect.stringMatching(
        /^would redrive \S+ to event-gateway-events: event evt-attr \(eventId attribute\), staged-redrive \/ advanceStage$/,
      ),
    );
    expect(dry.stdout).toContainEqual(
      expect.stringMatching(/event src-e \(sourceMessageId attribute\), body unchanged$/),
    );
    expect(dry.stdout).toContainEqual(expect.stringContaining(`event ${ownId} (DLQ message id)`));
    expect(await queueDepth(stack.client, stack.queues.eventsDlq.url)).toEqual({ visible: 6, inFlight: 0 });
    expect(await queueDepth(stack.client, stack.queues.events.url)).toEqual({ visible: 0, inFlight: 0 });

    const run = await cli(['dlq', 'redrive'], cliEnv());
    expect(run).toEqual({ code: 0, stdout: ['redriven 6, failed 0'], stderr: [] });
    expect(await queueDepth(stack.client, stack.queues.eventsDlq.url)).toEqual({ visible: 0, inFlight: 0 });
    const moved = await receiveAll(stack.client, stack.queues.events.url);
    expect(moved).toHaveLength(6);
    const notJson = moved.find((message) => message.Body === 'not json {');
    expect(notJson?.MessageAttributes).toEqual({
      tenant: expect.objectContaining({ StringValue: 'acme' }) as object,
    });
    const gateway = moved.filter((message) => message !== notJson).map(bodyOf);
    expect(gateway.map((body) => body.eventId).sort()).toEqual(
      ['evt-body', 'evt-attr', 'src-c', ownId, 'src-f'].sort(),
    );
    expect(gateway.find((body) => body.eventId === 'src-f')).toEqual({
      ...stage(id, 1),
      traceparent: '00-abc-def-01',
      eventId: 'src-f',
    });
    for (const message of moved) {
      expect(Object.keys(message.MessageAttributes ?? {})).not.toContain(DLQ_ATTRIBUTES.errorType);
    }
  });

  it('records an event that had been applied once, however it reached the DLQ and was redriven', async () => {
    const ids = {
      attribute: uniqueName('staged-dlq-attr'),
      sourceMessageId: uniqueName('staged-dlq-src'),
      redrivePolicy: uniqueName('staged-dlq-policy'),
    };
    // Each event is applied first: sent without an eventId, its SQS message id is its event id.
    const original: Record<string, string> = {};
    for (const [key, workflowId] of Object.entries(ids)) {
      original[key] = await stack.send(stack.queues.events, stage(workflowId, 1));
    }
    const first = await receiveAll(stack.client, stack.queues.events.url, 30);
    const policy = first.filter((message) => message.MessageId === original.redrivePolicy);
    // Two are consumed; the third is applied but never deleted, like a Lambda that died after the
    // signal: SQS's redrive policy moves it to the DLQ on its next receive, keeping its message id.
    await consume(
      stack.queues.events,
      first.filter((message) => !policy.includes(message)),
    );
    expect(
      (await handler(toSqsEvent(policy, { queueArn: stack.queues.events.arn }))).batchItemFailures,
    ).toEqual([]);
    for (const workflowId of Object.values(ids))
      expect(await countSignals(env, workflowId, 'advanceStage')).toBe(1);
    await stack.client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: stack.queues.events.url,
        ReceiptHandle: policy[0]!.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    expect(await receiveAll(stack.client, stack.queues.events.url)).toEqual([]);

    // As the handler dead-letters a signal failure (eventId + sourceMessageId) and a parse failure (sourceMessageId).
    await deadLetter(stack.queues.eventsDlq, stage(ids.attribute, 1), {
      [DLQ_ATTRIBUTES.eventId]: original.attribute!,
      [DLQ_ATTRIBUTES.sourceMessageId]: original.attribute!,
      [DLQ_ATTRIBUTES.errorType]: 'workflow-not-found',
    });
    await deadLetter(stack.queues.eventsDlq, stage(ids.sourceMessageId, 1), {
      [DLQ_ATTRIBUTES.sourceMessageId]: original.sourceMessageId!,
      [DLQ_ATTRIBUTES.errorType]: 'invalid-request',
    });
    const listed = JSON.parse((await cli(['dlq', 'list', '--json'], cliEnv())).stdout.join('\n')) as {
      messageId: string;
      eventId: string;
    }[];
    expect(listed.map((entry) => entry.eventId).sort()).toEqual(Object.values(original).sort());
    expect(listed.find((entry) => entry.eventId === original.redrivePolicy)?.messageId).toBe(
      original.redrivePolicy,
    );

    expect((await cli(['dlq', 'redrive'], cliEnv())).stdout).toEqual(['redriven 3, failed 0']);
    const redriven = await receiveAll(stack.client, stack.queues.events.url, 30);
    expect(redriven.map((message) => bodyOf(message).eventId).sort()).toEqual(Object.values(original).sort());
    expect((await consume(stack.queues.events, redriven)).batchItemFailures).toEqual([]);

    for (const workflowId of Object.values(ids))
      expect(await countSignals(env, workflowId, 'advanceStage')).toBe(1);
    expect(await queueDepth(stack.client, stack.queues.eventsDlq.url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('keeps FIFO groups and order, and a quickly dead-lettered event is not dropped as a duplicate', async () => {
    const workflowId = uniqueName('staged-dlq-fifo');
    const events = ['f-1', 'f-2', 'f-3'];
    for (const [index, eventId] of events.entries()) {
      const args = [
        '--workflow-id',
        workflowId,
        '--signal',
        'advanceStage',
        '--payload',
        `{"stage":${index + 1}}`,
      ];
      expect((await cli(['enqueue', '--fifo', ...args, '--event-id', eventId], cliEnv())).code).toBe(0);
    }
    // Consumed and dead-lettered within seconds: the enqueue's dedup ids are still in SQS's window.
    for (const message of await receiveAll(stack.client, stack.queues.eventsFifo.url, 30)) {
      await stack.client.send(
        new DeleteMessageCommand({
          QueueUrl: stack.queues.eventsFifo.url,
          ReceiptHandle: message.ReceiptHandle,
        }),
      );
      await deadLetter(
        stack.queues.eventsDlqFifo,
        message.Body,
        {
          [DLQ_ATTRIBUTES.sourceMessageId]: message.MessageId!,
          [DLQ_ATTRIBUTES.errorType]: 'workflow-not-found',
        },
        { groupId: workflowId, dedupId: message.MessageId! },
      );
    }
    const listed = await cli(['dlq', 'list', '--fifo'], cliEnv());
    expect(listed.stdout.filter((line) => line === `  group      ${workflowId}`)).toHaveLength(3);

    const run = await cli(['dlq', 'redrive', '--fifo'], cliEnv());
    expect(run.stdout).toEqual(['redriven 3, failed 0']);
    const moved = await receiveAll(stack.client, stack.queues.eventsFifo.url, 30);
    expect(moved.map((message) => bodyOf(message).eventId)).toEqual(events);
    for (const [index, message] of moved.entries()) {
      expect(message.Attributes?.MessageGroupId).toBe(workflowId);
      expect(message.Attributes?.MessageDeduplicationId).not.toBe(
        deliveryRequestId(workflowId, 'advanceStage', events[index]!),
      );
    }
    expect(await queueDepth(stack.client, stack.queues.eventsDlqFifo.url)).toEqual({
      visible: 0,
      inFlight: 0,
    });
  });

  it('reports progress every 50 messages on a long redrive and honours --max', async () => {
    for (let batch = 0; batch < 12; batch++) {
      await stack.client.send(
        new SendMessageBatchCommand({
          QueueUrl: stack.queues.eventsDlq.url,
          Entries: Array.from({ length: 10 }, (_, i) => ({
            Id: String(i),
            MessageBody: JSON.stringify(stage('staged-bulk', 1, `bulk-${batch * 10 + i}`)),
          })),
        }),
      );
    }
    const some = await cli(['dlq', 'redrive', '--max', '25'], cliEnv());
    expect(some).toEqual({ code: 0, stdout: ['redriven 25, failed 0'], stderr: [] });
    expect(await queueDepth(stack.client, stack.queues.eventsDlq.url)).toEqual({ visible: 95, inFlight: 0 });

    const rest = await cli(['dlq', 'redrive'], cliEnv());
    expect(rest.code).toBe(0);
    // Every 50 (ReceiveMessage may return fewer than 10, so the line comes at the first count past 50).
    expect(rest.stderr).toEqual([expect.stringMatching(/^\.\.\. redriven 5\d, failed 0$/)]);
    expect(rest.stdout).toEqual(['redriven 95, failed 0']);
    const moved = await receiveAll(stack.client, stack.queues.events.url, 30);
    expect(new Set(moved.map((message) => bodyOf(message).eventId)).size).toBe(120);
  });

  it('leaves copies that come back to the DLQ during the run for the next run instead of looping', async () => {
    for (let i = 0; i < 3; i++)
      await deadLetter(stack.queues.eventsDlq, stage('staged-loop', 1), {
        [DLQ_ATTRIBUTES.sourceMessageId]: `loop-${i}`,
      });
    // The worst case of "fails again at once": the copies land straight back in the DLQ.
    const run = await cli(['dlq', 'redrive', '--queue-url', stack.queues.eventsDlq.url], cliEnv());
    expect(run).toEqual({
      code: 0,
      stdout: ['redriven 3, failed 0, left 3 in the DLQ for the next run'],
      stderr: [],
    });
    const copies = await receiveAll(stack.client, stack.queues.eventsDlq.url);
    expect(copies.map((message) => bodyOf(message).eventId).sort()).toEqual(['loop-0', 'loop-1', 'loop-2']);
  });

  it('leaves every message in the DLQ when the target queue refuses them', async () => {
    for (let i = 0; i < 3; i++)
      await deadLetter(stack.queues.eventsDlq, stage('staged-keep', 1, `keep-${i}`));
    const missing = `${stack.sqs.endpoint}/000000000000/no-such-queue`;
    const run = await cli(['dlq', 'redrive', '--queue-url', missing], cliEnv());
    expect(run.code).toBe(1);
    expect(run.stderr).toEqual([
      'stopped: redriven 0, failed 0 so far',
      `event-gateway dlq redrive: Sending to no-such-queue failed: the queue does not exist at ${stack.sqs.endpoint}.`,
    ]);
    expect(await queueDepth(stack.client, stack.queues.eventsDlq.url)).toEqual({ visible: 3, inFlight: 0 });
  });
});
