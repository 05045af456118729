/** A real ElasticMQ with the gateway's queues for one test file, plus small send/read helpers. */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createLocalSqsClient, startElasticMq, type ElasticMq } from '../../local/elasticmq';
import { ensureGatewayQueues, type GatewayQueue, type GatewayQueues } from '../../local/sqs-queues';

export interface SqsStack {
  sqs: ElasticMq;
  client: SQSClient;
  queues: GatewayQueues;
  send(queue: GatewayQueue, body: unknown, fifo?: { groupId: string; dedupId: string }): Promise<string>;
  stop(): Promise<void>;
}

export async function startSqsStack(
  options: { visibilityTimeoutSeconds?: number; maxReceiveCount?: number } = {},
) {
  const sqs = await startElasticMq({ port: 0 });
  const client = createLocalSqsClient(sqs.endpoint);
  const queues = await ensureGatewayQueues(client, {
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 1,
    maxReceiveCount: options.maxReceiveCount ?? 5,
  });
  const stack: SqsStack = {
    sqs,
    client,
    queues,
    async send(queue, body, fifo) {
      const { MessageId } = await client.send(
        new SendMessageCommand({
          QueueUrl: queue.url,
          MessageBody: typeof body === 'string' ? body : JSON.stringify(body),
          ...(fifo ? { MessageGroupId: fifo.groupId, MessageDeduplicationId: fifo.dedupId } : {}),
        }),
      );
      return MessageId ?? '';
    },
    async stop() {
      client.destroy();
      await sqs.stop();
    },
  };
  return stack;
}
