/**
 * The local stand-in for Lambda's SQS event source mappings: one poller per gateway queue
 * (standard and FIFO), each invoking the very same batch handler the queue Lambda exports.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { createDeadLetters } from '../functions/adapters/sqs-dead-letters';
import { createSqsRedelivery } from '../functions/adapters/sqs-redelivery';
import type { GatewayRuntime } from '../functions/runtime/gateway-runtime';
import { createSqsBatchHandler } from '../functions/handlers/sqs-batch';
import { createSqsPoller, type SqsPoller, type SqsPollerOptions } from './sqs-poller';
import type { GatewayQueues } from './sqs-queues';

export interface QueueConsumerOptions {
  client: SQSClient;
  queues: GatewayQueues;
  runtime: Pick<GatewayRuntime, 'config' | 'deliverer' | 'logger' | 'sealer' | 'tracing' | 'clients'>;
  /** Poller knobs shared by both queues (batch size, window, visibility, wait time…). */
  poller?: Partial<Omit<SqsPollerOptions, 'client' | 'queueUrl' | 'queueArn' | 'handler'>>;
  concurrency?: number;
}

export interface QueueConsumers {
  pollers: readonly SqsPoller[];
  stop(): Promise<void>;
}

export async function startQueueConsumers(options: QueueConsumerOptions): Promise<QueueConsumers> {
  const { client, queues, runtime } = options;
  const handler = createSqsBatchHandler({
    ...runtime,
    redelivery: createSqsRedelivery(client),
    deadLetters: createDeadLetters(client, {
      standard: queues.eventsDlq.url,
      fifo: queues.eventsDlqFifo.url,
    }),
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
  });
  const pollers = [queues.events, queues.eventsFifo].map((queue) =>
    createSqsPoller({ ...options.poller, client, queueUrl: queue.url, queueArn: queue.arn, handler }),
  );
  await Promise.all(pollers.map((poller) => poller.start()));
  return {
    pollers,
    async stop() {
      await Promise.all(pollers.map((poller) => poller.stop()));
    },
  };
}
