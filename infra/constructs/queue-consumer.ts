import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { GATEWAY_ENV } from '../../functions/core/env-names';
import { grantQueueKey } from './event-queue';

export interface QueueConsumerProps {
  /** The SQS batch handler (it returns `batchItemFailures`). */
  readonly function: lambda.Function;
  readonly queue: sqs.IQueue;
  /** Where the handler sends permanent failures, with the reason. */
  readonly deadLetterQueue: sqs.IQueue;
  /** @default 10 */
  readonly batchSize?: number;
  /**
   * Standard queues only: SQS does not allow a batching window on FIFO queues, so it is ignored there.
   * @default Duration.seconds(1)
   */
  readonly maxBatchingWindow?: Duration;
  /** Concurrent invocations this queue may drive (protects Temporal from a backlog burst). @default 10 */
  readonly maxConcurrency?: number;
}

/**
 * Connects a queue to its handler: an event source mapping that reports partial batch failures
 * (only failed records return to the queue), bounded concurrency, and permission to send
 * permanent failures to the DLQ. Receiving, deleting and visibility changes come from the mapping.
 */
export class QueueConsumer extends Construct {
  readonly eventSource: SqsEventSource;

  constructor(scope: Construct, id: string, props: QueueConsumerProps) {
    super(scope, id);
    this.eventSource = new SqsEventSource(props.queue, {
      batchSize: props.batchSize ?? 10,
      maxBatchingWindow: props.queue.fifo ? undefined : (props.maxBatchingWindow ?? Duration.seconds(1)),
      maxConcurrency: props.maxConcurrency ?? 10,
      reportBatchItemFailures: true,
    });
    props.function.addEventSource(this.eventSource);
    props.deadLetterQueue.grantSendMessages(props.function);
    grantQueueKey(props.queue, props.function, 'receive');
    grantQueueKey(props.deadLetterQueue, props.function, 'send');
    props.function.addEnvironment(GATEWAY_ENV.queueUrl, props.queue.queueUrl);
    props.function.addEnvironment(GATEWAY_ENV.dlqUrl, props.deadLetterQueue.queueUrl);
  }
}
