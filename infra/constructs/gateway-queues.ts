/**
 * The gateway's queue side: the event queue pairs (created or brought) and, for each, the function
 * that delivers its messages to Temporal with the event source mapping that feeds it. Called by
 * `TemporalEventGateway` with itself as the scope, so the construct ids and the template are those
 * of one construct.
 */
import { Duration } from 'aws-cdk-lib';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { TemporalEventGatewayProps } from '../props/gateway-props';
import type { EnvelopeSealKey } from './envelope-seal-key';
import { EventQueue } from './event-queue';
import { GatewayFunction, type GatewayFunctionProps } from './gateway-function';
import { QueueConsumer } from './queue-consumer';
import type { TemporalConnection } from './temporal-connection';

/** The queue function's timeout; SQS visibility is six times it, as AWS recommends for Lambda. */
export const QUEUE_FUNCTION_TIMEOUT = Duration.seconds(60);

/** A queue and its dead-letter queue, created here or brought by the app. */
export interface GatewayQueuePair {
  readonly queue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
}

/** The gateway's queue pairs: the standard one always, the FIFO one when asked for. */
export interface GatewayEventQueues {
  readonly standardQueue: GatewayQueuePair;
  readonly fifoQueue?: EventQueue;
  /** The queue HTTP ingest writes to: the FIFO pair when enabled, else the standard pair. */
  readonly ingestQueue: GatewayQueuePair;
  /** Each pair with the label its consumer, alarms and dashboard widgets are named by. */
  readonly labelled: ReadonlyArray<readonly [string, GatewayQueuePair]>;
}

/** Creates the queue pairs, or takes the standard pair the app brings (`existingQueue`). */
export function createEventQueues(
  scope: Construct,
  props: Pick<
    TemporalEventGatewayProps,
    'name' | 'queueMaxReceiveCount' | 'existingQueue' | 'existingDeadLetterQueue' | 'fifo' | 'encryptionKey'
  >,
): GatewayEventQueues {
  const queueProps = {
    queueName: props.name ? `${props.name}-events` : undefined,
    visibilityTimeout: Duration.seconds(QUEUE_FUNCTION_TIMEOUT.toSeconds() * 6),
    maxReceiveCount: props.queueMaxReceiveCount,
    encryptionKey: props.encryptionKey,
  };
  const standardQueue =
    props.existingQueue && props.existingDeadLetterQueue
      ? { queue: props.existingQueue, deadLetterQueue: props.existingDeadLetterQueue }
      : new EventQueue(scope, 'Events', queueProps);
  const fifoQueue = props.fifo
    ? new EventQueue(scope, 'FifoEvents', { ...queueProps, fifo: true })
    : undefined;
  return {
    standardQueue,
    fifoQueue,
    ingestQueue: fifoQueue ?? standardQueue,
    labelled: [['Standard', standardQueue], ...(fifoQueue ? [['Fifo', fifoQueue] as const] : [])],
  };
}

/** What every consumer function shares with the ingest function: code files, runtime, logs, VPC, env. */
export type SharedFunctionProps = Pick<
  GatewayFunctionProps,
  | 'files'
  | 'runtime'
  | 'logRetention'
  | 'metricsNamespace'
  | 'vpc'
  | 'vpcSubnets'
  | 'environment'
  | 'encryptionKey'
>;

/** What the queue consumers need besides their queues. */
export interface QueueConsumerWiring {
  readonly shared: SharedFunctionProps;
  readonly temporal: TemporalConnection;
  readonly envelopeSealKey: EnvelopeSealKey;
  readonly props: Pick<
    TemporalEventGatewayProps,
    'queueBatchSize' | 'queueBatchingWindow' | 'queueMaxConcurrency'
  >;
}

/**
 * One consumer function per queue pair (`<label>Consumer`), reading Temporal's settings and opening
 * the gateway's own sealed envelopes, fed by a `QueueConsumer` (`<label>EventSource`).
 */
export function addQueueConsumers(
  scope: Construct,
  queues: GatewayEventQueues['labelled'],
  wiring: QueueConsumerWiring,
): GatewayFunction[] {
  return queues.map(([label, eventQueue]) => {
    const consumer = new GatewayFunction(scope, `${label}Consumer`, {
      ...wiring.shared,
      handler: 'sqs',
      serviceName: 'event-gateway-sqs',
      description: `Delivers events from the ${label.toLowerCase()} queue to Temporal; permanent failures to its DLQ`,
      timeout: QUEUE_FUNCTION_TIMEOUT,
    });
    wiring.temporal.grantRead(consumer.role);
    wiring.envelopeSealKey.grantSealing(consumer.function);
    new QueueConsumer(scope, `${label}EventSource`, {
      function: consumer.function,
      queue: eventQueue.queue,
      deadLetterQueue: eventQueue.deadLetterQueue,
      batchSize: wiring.props.queueBatchSize,
      maxBatchingWindow: wiring.props.queueBatchingWindow,
      maxConcurrency: wiring.props.queueMaxConcurrency,
    });
    return consumer;
  });
}
