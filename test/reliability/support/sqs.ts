/** Small SQS helpers for the reliability suite; every one talks to a real SQS endpoint (ElasticMQ). */
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  QueueAttributeName,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';

export async function receiveSome(
  client: SQSClient,
  queueUrl: string,
  options: { max?: number; waitSeconds?: number; visibilitySeconds?: number } = {},
): Promise<Message[]> {
  const { Messages = [] } = await client.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: options.max ?? 10,
      WaitTimeSeconds: options.waitSeconds ?? 1,
      VisibilityTimeout: options.visibilitySeconds ?? 60,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }),
  );
  return Messages;
}

export async function deleteMessages(
  client: SQSClient,
  queueUrl: string,
  messages: readonly Message[],
): Promise<void> {
  for (let i = 0; i < messages.length; i += 10) {
    const chunk = messages.slice(i, i + 10);
    if (chunk.length === 0) continue;
    await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: chunk.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
      }),
    );
  }
}

/**
 * Receives and deletes until the queue answers empty twice in a row (long polls, which ask every
 * server): works for FIFO queues too, where a message group stays locked until its received
 * messages are deleted.
 */
export async function drainQueue(client: SQSClient, queueUrl: string): Promise<Message[]> {
  const all: Message[] = [];
  let empty = 0;
  while (empty < 2) {
    const batch = await receiveSome(client, queueUrl, { waitSeconds: 1 });
    if (batch.length === 0) {
      empty += 1;
      continue;
    }
    empty = 0;
    all.push(...batch);
    await deleteMessages(client, queueUrl, batch);
  }
  return all;
}

/**
 * Receives batches of at most ten until `count` messages have come, handing each batch to `onBatch`
 * and deleting it afterwards, as Lambda's event source mapping would after a successful invocation.
 */
export async function consumeExactly(
  client: SQSClient,
  queueUrl: string,
  count: number,
  onBatch: (batch: Message[]) => Promise<void>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen = 0;
  while (seen < count) {
    if (Date.now() > deadline) throw new Error(`only ${seen} of ${count} messages arrived on ${queueUrl}`);
    const batch = await receiveSome(client, queueUrl, { max: Math.min(10, count - seen) });
    if (batch.length === 0) continue;
    seen += batch.length;
    await onBatch(batch);
    await deleteMessages(client, queueUrl, batch);
  }
}

export interface QueueDepth {
  visible: number;
  inFlight: number;
  delayed: number;
}

export async function queueDepth(client: SQSClient, queueUrl: string): Promise<QueueDepth> {
  const { Attributes = {} } = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        QueueAttributeName.ApproximateNumberOfMessages,
        QueueAttributeName.ApproximateNumberOfMessagesNotVisible,
        QueueAttributeName.ApproximateNumberOfMessagesDelayed,
      ],
    }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}
