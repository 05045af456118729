/**
 * The gateway's queues on a local SQS endpoint (ElasticMQ or `SQS_ENDPOINT`), shaped like the
 * deployed ones: a standard and a FIFO queue, each redriving to its own dead-letter queue.
 */
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueAttributeName,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { EventGatewayError } from '../contract/errors';

/** Wire names: queue URLs and ARNs contain them, so they never change. */
export const GATEWAY_QUEUE_NAMES = {
  events: 'event-gateway-events',
  eventsDlq: 'event-gateway-events-dlq',
  eventsFifo: 'event-gateway-events.fifo',
  eventsDlqFifo: 'event-gateway-events-dlq.fifo',
} as const;

export type GatewayQueueKey = keyof typeof GATEWAY_QUEUE_NAMES;

export const GATEWAY_QUEUE_DEFAULTS = {
  /** Receives before SQS moves a message to the DLQ (matches the deployed redrive policy). */
  maxReceiveCount: 5,
  visibilityTimeoutSeconds: 30,
  /** The SQS maximum, so a DLQ keeps failures as long as possible for inspection and redrive. */
  dlqRetentionSeconds: 14 * 24 * 60 * 60,
} as const;

export class SqsQueueSetupError extends EventGatewayError {
  override readonly name = 'SqsQueueSetupError';
}

export interface GatewayQueue {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
}

export type GatewayQueues = { readonly [K in GatewayQueueKey]: GatewayQueue };

export interface EnsureGatewayQueuesOptions {
  /** @default 30 */
  readonly visibilityTimeoutSeconds?: number;
  /** @default 5 */
  readonly maxReceiveCount?: number;
  /**
   * Prepended to every name, so several stacks or test files can share one SQS server without
   * seeing each other's messages. @default '' (the wire names)
   */
  readonly namePrefix?: string;
}

/**
 * Creates the four queues, or brings existing ones to the wanted attributes (SQS refuses a
 * CreateQueue whose attributes differ from an existing queue's). Returns their URLs and ARNs.
 */
export async function ensureGatewayQueues(
  client: SQSClient,
  options: EnsureGatewayQueuesOptions = {},
): Promise<GatewayQueues> {
  const visibility = String(
    options.visibilityTimeoutSeconds ?? GATEWAY_QUEUE_DEFAULTS.visibilityTimeoutSeconds,
  );
  const maxReceiveCount = options.maxReceiveCount ?? GATEWAY_QUEUE_DEFAULTS.maxReceiveCount;
  const name = (key: GatewayQueueKey) => `${options.namePrefix ?? ''}${GATEWAY_QUEUE_NAMES[key]}`;
  const fifo = {
    [QueueAttributeName.FifoQueue]: 'true',
    [QueueAttributeName.ContentBasedDeduplication]: 'false',
  };
  const dlq = {
    [QueueAttributeName.MessageRetentionPeriod]: String(GATEWAY_QUEUE_DEFAULTS.dlqRetentionSeconds),
  };
  const redriveTo = (target: GatewayQueue) => ({
    [QueueAttributeName.VisibilityTimeout]: visibility,
    [QueueAttributeName.RedrivePolicy]: JSON.stringify({ deadLetterTargetArn: target.arn, maxReceiveCount }),
  });

  // Dead-letter queues first: a redrive policy names its target by ARN.
  const [eventsDlq, eventsDlqFifo] = await Promise.all([
    ensureQueue(client, name('eventsDlq'), dlq),
    ensureQueue(client, name('eventsDlqFifo'), { ...fifo, ...dlq }),
  ]);
  const [events, eventsFifo] = await Promise.all([
    ensureQueue(client, name('events'), redriveTo(eventsDlq)),
    ensureQueue(client, name('eventsFifo'), { ...fifo, ...redriveTo(eventsDlqFifo) }),
  ]);
  return { events, eventsDlq, eventsFifo, eventsDlqFifo };
}

async function ensureQueue(
  client: SQSClient,
  name: string,
  attributes: Record<string, string>,
): Promise<GatewayQueue> {
  let url: string | undefined;
  let existed = false;
  try {
    url = (await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl;
  } catch (error) {
    if (!isQueueAlreadyExists(error)) {
      throw new SqsQueueSetupError(`Could not create queue ${name}.`, { cause: error });
    }
    existed = true;
    url = (await client.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
    // FifoQueue is fixed at creation, and ElasticMQ rejects ContentBasedDeduplication here (SQS
    // accepts it); both are checked below instead.
    const {
      [QueueAttributeName.FifoQueue]: _fifo,
      [QueueAttributeName.ContentBasedDeduplication]: _dedup,
      ...mutable
    } = attributes;
    await client.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: mutable }));
  }
  if (!url) throw new SqsQueueSetupError(`SQS returned no URL for queue ${name}.`);
  const { Attributes = {} } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: [QueueAttributeName.All] }),
  );
  const arn = Attributes[QueueAttributeName.QueueArn];
  if (!arn) throw new SqsQueueSetupError(`SQS returned no ARN for queue ${name}.`);
  const dedup = attributes[QueueAttributeName.ContentBasedDeduplication];
  if (
    existed &&
    dedup !== undefined &&
    (Attributes[QueueAttributeName.ContentBasedDeduplication] ?? 'false') !== dedup
  ) {
    throw new SqsQueueSetupError(
      `Queue ${name} exists with ContentBasedDeduplication=${Attributes[QueueAttributeName.ContentBasedDeduplication]}, ` +
        `but the gateway needs ${dedup} (producers set MessageDeduplicationId). Delete the queue and start again.`,
    );
  }
  return { name, url, arn };
}

function isQueueAlreadyExists(error: unknown): boolean {
  // SQS's JSON protocol says QueueNameExists; older query-protocol servers say QueueAlreadyExists.
  return error instanceof Error && /QueueAlreadyExists|QueueNameExists/.test(error.name);
}
