import {
  GetQueueAttributesCommand,
  QueueAttributeName,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalSqsClient, startElasticMq, type ElasticMq } from '../../local/elasticmq';
import { ensureGatewayQueues, GATEWAY_QUEUE_NAMES, type GatewayQueue } from '../../local/sqs-queues';
import { queueDepth, receiveAll } from './support';

let server: ElasticMq;
let client: SQSClient;

beforeAll(async () => {
  server = await startElasticMq({ port: 0 });
  client = createLocalSqsClient(server.endpoint, server.region);
});
afterAll(async () => {
  client?.destroy();
  await server?.stop();
});

async function attributesOf(queue: GatewayQueue): Promise<Record<string, string>> {
  const { Attributes = {} } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: [QueueAttributeName.All] }),
  );
  return Attributes;
}

/** Receives the queue's one message until SQS stops handing it out; returns how often it came. */
async function receiveUntilGone(queue: GatewayQueue): Promise<number> {
  for (let receives = 0; ; receives++) {
    const { Messages = [] } = await client.send(
      // Visible again at once, so the test needs no visibility-timeout waits.
      new ReceiveMessageCommand({ QueueUrl: queue.url, VisibilityTimeout: 0, WaitTimeSeconds: 1 }),
    );
    if (Messages.length === 0 || receives > 10) return receives;
  }
}

describe('ensureGatewayQueues', () => {
  it('creates the four gateway queues under their wire names, each main queue redriving to its DLQ', async () => {
    const queues = await ensureGatewayQueues(client);
    expect(queues.events.name).toBe('event-gateway-events');
    expect(Object.values(queues).map((queue) => queue.name)).toEqual(
      expect.arrayContaining(Object.values(GATEWAY_QUEUE_NAMES)),
    );
    for (const queue of Object.values(queues)) {
      expect(queue.url).toBe(`${server.endpoint}/000000000000/${queue.name}`);
      expect(queue.arn).toBe(`arn:aws:sqs:${server.region}:000000000000:${queue.name}`);
    }

    const events = await attributesOf(queues.events);
    expect(events.VisibilityTimeout).toBe('30');
    expect(JSON.parse(events.RedrivePolicy!)).toEqual({
      deadLetterTargetArn: queues.eventsDlq.arn,
      maxReceiveCount: 5,
    });
    const fifo = await attributesOf(queues.eventsFifo);
    expect(fifo.FifoQueue).toBe('true');
    expect(fifo.ContentBasedDeduplication).toBe('false');
    expect(JSON.parse(fifo.RedrivePolicy!)).toEqual({
      deadLetterTargetArn: queues.eventsDlqFifo.arn,
      maxReceiveCount: 5,
    });
    expect((await attributesOf(queues.eventsDlqFifo)).FifoQueue).toBe('true');
    expect((await attributesOf(queues.eventsDlq)).RedrivePolicy).toBeUndefined();
  });

  it('brings existing queues to new settings instead of failing', async () => {
    const first = await ensureGatewayQueues(client, { namePrefix: 'again-' });
    const second = await ensureGatewayQueues(client, {
      namePrefix: 'again-',
      visibilityTimeoutSeconds: 7,
      maxReceiveCount: 3,
    });
    expect(second).toEqual(first);
    const fifo = await attributesOf(second.eventsFifo);
    expect(fifo.VisibilityTimeout).toBe('7');
    expect(JSON.parse(fifo.RedrivePolicy!)).toMatchObject({ maxReceiveCount: 3 });
  });

  it('keeps prefixed FIFO names valid by ending them in .fifo', async () => {
    const queues = await ensureGatewayQueues(client, { namePrefix: 'dev-alice-' });
    expect(queues.eventsFifo.name).toBe('dev-alice-event-gateway-events.fifo');
    expect(queues.eventsDlqFifo.name).toBe('dev-alice-event-gateway-events-dlq.fifo');
  });

  it('lets SQS move a standard message to the DLQ once it was received maxReceiveCount times', async () => {
    const queues = await ensureGatewayQueues(client, { namePrefix: 'redrive-' });
    const { MessageId } = await client.send(
      new SendMessageCommand({ QueueUrl: queues.events.url, MessageBody: '{"poison":true}' }),
    );
    // As in SQS, the receive after the fifth is the one that moves it.
    expect(await receiveUntilGone(queues.events)).toBe(5);

    const [dead] = await receiveAll(client, queues.eventsDlq.url);
    expect(dead?.MessageId).toBe(MessageId);
    expect(await queueDepth(client, queues.events.url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('lets SQS move a FIFO message to the FIFO DLQ once it was received maxReceiveCount times', async () => {
    const queues = await ensureGatewayQueues(client, { namePrefix: 'redrive-fifo-' });
    const { MessageId } = await client.send(
      new SendMessageCommand({
        QueueUrl: queues.eventsFifo.url,
        MessageBody: '{"poison":true}',
        MessageGroupId: 'staged-1',
        MessageDeduplicationId: 'evt-1',
      }),
    );
    expect(await receiveUntilGone(queues.eventsFifo)).toBe(5);

    const [dead] = await receiveAll(client, queues.eventsDlqFifo.url);
    expect(dead?.MessageId).toBe(MessageId);
    expect(dead?.Attributes?.MessageGroupId).toBe('staged-1');
  });
});
