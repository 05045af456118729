/** `event-gateway enqueue` against a real ElasticMQ with the gateway's queues. */
import { PurgeQueueCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deliveryRequestId } from '../../functions/adapters/request-id';
import { receiveAll } from '../local/support';
import { startSqsStack, type SqsStack } from '../support/sqs-stack';
import { cli } from './support';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let stack: SqsStack;
const env = () => ({ SQS_ENDPOINT: stack.sqs.endpoint });

beforeAll(async () => {
  stack = await startSqsStack();
});
afterAll(async () => stack?.stop());
beforeEach(async () => {
  for (const queue of Object.values(stack.queues)) {
    await stack.client.send(new PurgeQueueCommand({ QueueUrl: queue.url }));
  }
});

const enqueue = (workflowId: string, stage: number, ...extra: string[]) =>
  cli(
    [
      'enqueue',
      '--workflow-id',
      workflowId,
      '--signal',
      'advanceStage',
      '--payload',
      JSON.stringify({ stage }),
      ...extra,
    ],
    env(),
  );

describe('event-gateway enqueue', () => {
  it("puts a message in the gateway's format on the standard queue, event id in the body", async () => {
    const run = await enqueue('staged-q1', 1, '--event-id', 'evt-q1');
    expect(run.code).toBe(0);
    const messages = await receiveAll(stack.client, stack.queues.events.url);
    expect(messages).toHaveLength(1);
    expect(JSON.parse(messages[0]!.Body!)).toEqual({
      workflowId: 'staged-q1',
      signal: 'advanceStage',
      payload: { stage: 1 },
      eventId: 'evt-q1',
    });
    expect(run.stdout).toEqual([
      `Queued message ${messages[0]!.MessageId} on event-gateway-events: event evt-q1.`,
    ]);
    expect(await receiveAll(stack.client, stack.queues.eventsFifo.url)).toEqual([]);
  });

  it('writes a random UUID as the event id when none is given', async () => {
    await enqueue('staged-q2', 1);
    const [message] = await receiveAll(stack.client, stack.queues.events.url);
    expect((JSON.parse(message!.Body!) as { eventId: string }).eventId).toMatch(UUID);
  });

  it('uses the FIFO queue with the workflow as group and the delivery request id as dedup id', async () => {
    const run = await enqueue('staged-f1', 1, '--fifo', '--event-id', 'evt-f1');
    expect(run.code).toBe(0);
    expect(run.stdout[0]).toMatch(/on event-gateway-events\.fifo: event evt-f1, group staged-f1\.$/);
    const [message, ...rest] = await receiveAll(stack.client, stack.queues.eventsFifo.url);
    expect(rest).toEqual([]);
    expect(JSON.parse(message!.Body!)).toMatchObject({ workflowId: 'staged-f1', eventId: 'evt-f1' });
    expect(message!.Attributes).toMatchObject({
      MessageGroupId: 'staged-f1',
      MessageDeduplicationId: deliveryRequestId('staged-f1', 'advanceStage', 'evt-f1'),
    });
    expect(await receiveAll(stack.client, stack.queues.events.url)).toEqual([]);
  });

  it('stores one FIFO event once when sent twice, and keeps different events of a workflow in order', async () => {
    await enqueue('staged-f2', 1, '--fifo', '--event-id', 'f2-a');
    await enqueue('staged-f2', 1, '--fifo', '--event-id', 'f2-a');
    await enqueue('staged-f2', 2, '--fifo', '--event-id', 'f2-b');
    await enqueue('staged-f2', 3, '--fifo', '--event-id', 'f2-c');
    // A FIFO receive hands out one group's messages in the order they were sent.
    const order: string[] = [];
    for (const message of await receiveAll(stack.client, stack.queues.eventsFifo.url)) {
      order.push((JSON.parse(message.Body!) as { eventId: string }).eventId);
    }
    expect(order).toEqual(['f2-a', 'f2-b', 'f2-c']);
  });

  it('treats a --queue-url ending in .fifo as FIFO without --fifo', async () => {
    const run = await enqueue('staged-f3', 1, '--queue-url', stack.queues.eventsFifo.url, '--event-id', 'f3');
    expect(run.code).toBe(0);
    const [message] = await receiveAll(stack.client, stack.queues.eventsFifo.url);
    expect(message!.Attributes?.MessageGroupId).toBe('staged-f3');
  });
});
