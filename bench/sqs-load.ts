/**
 * The SQS side on a real ElasticMQ and the real Temporal: one batch of 10 through the queue
 * Lambda's batch handler one record at a time versus the default concurrency, and the signals per
 * second the whole SQS path (poller → handler → Temporal) sustains draining a full queue.
 */
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Client } from '@temporalio/client';
import type { SQSEvent } from 'aws-lambda';
import type { GatewayRuntime } from '../functions/runtime/gateway-runtime';
import { createDeadLetters } from '../functions/adapters/sqs-dead-letters';
import { createDeliverer } from '../functions/adapters/deliverer';
import type { Signaler } from '../functions/adapters/ports';
import { DEFAULT_SQS_CONCURRENCY, createSqsBatchHandler } from '../functions/handlers/sqs-batch';
import { startQueueConsumers } from '../local/queue-consumer';
import { toSqsEvent } from '../local/sqs-event';
import type { GatewayQueue, GatewayQueues } from '../local/sqs-queues';
import { directSignal, type LoadTarget } from './signal-load';
import { median, round } from './stats';
import { EventGatewayError } from '../contract/errors';

const SQS_BATCH_MAX = 10;
/** The gateway's default per-call deadline. */
const DEADLINE_MS = 5_000;

export class SqsBenchError extends EventGatewayError {
  override readonly name = 'SqsBenchError';
}

const messageBody = (target: LoadTarget, workflowId: string) =>
  JSON.stringify({ workflowId, signal: target.signal, payload: target.payload });

/** Sends `count` signal messages, 10 per SendMessageBatch, `parallel` batches at a time. */
async function fillQueue(
  client: SQSClient,
  queue: GatewayQueue,
  target: LoadTarget,
  count: number,
  firstId = 0,
): Promise<void> {
  const batches = Math.ceil(count / SQS_BATCH_MAX);
  let next = 0;
  const sendOne = async (batch: number) => {
    const entries = Array.from({ length: Math.min(SQS_BATCH_MAX, count - batch * SQS_BATCH_MAX) }, (_, i) => {
      const n = firstId + batch * SQS_BATCH_MAX + i;
      return {
        Id: `m${i}`,
        MessageBody: messageBody(target, target.workflowIds[n % target.workflowIds.length]!),
      };
    });
    const { Failed = [] } = await client.send(
      new SendMessageBatchCommand({ QueueUrl: queue.url, Entries: entries }),
    );
    if (Failed.length > 0) throw new SqsBenchError(`SendMessageBatch failed for ${Failed.length} messages`);
  };
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let batch = next++; batch < batches; batch = next++) await sendOne(batch);
    }),
  );
}

/** Receives exactly `count` (≤ 10) messages as Lambda would get them (all attributes). */
async function receiveBatch(client: SQSClient, queue: GatewayQueue, count: number): Promise<Message[]> {
  const messages: Message[] = [];
  while (messages.length < count) {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queue.url,
        MaxNumberOfMessages: count - messages.length,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 60,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    messages.push(...Messages);
  }
  return messages;
}

async function deleteBatch(client: SQSClient, queue: GatewayQueue, messages: readonly Message[]) {
  await client.send(
    new DeleteMessageBatchCommand({
      QueueUrl: queue.url,
      Entries: messages.map((message, i) => ({ Id: `d${i}`, ReceiptHandle: message.ReceiptHandle! })),
    }),
  );
}

export interface SqsBatchResult {
  /** Median ms of a batch of one record. */
  singleSignalMs: number;
  /** Median ms of a batch of 10 with concurrency 1. */
  sequentialMs: number;
  /** Median ms of a batch of 10 with the default concurrency (10). */
  concurrentMs: number;
  speedup: number;
  /**
   * The same ten signals sent straight to Temporal, one after another and all at once: what this
   * Temporal on this machine allows a batch of ten at best (the handler cannot beat it).
   */
  directSequentialMs: number;
  directConcurrentMs: number;
  directSpeedup: number;
  batchSize: number;
  defaultConcurrency: number;
  repetitions: number;
}

/**
 * Real-shaped events: messages sent to and received from ElasticMQ, turned into the Lambda event by
 * local/sqs-event.ts. Each repetition gets fresh messages (fresh event ids, so every signal is a real
 * one, not a deduplicated retry); sequential and concurrent take turns.
 */
export async function sqsBatchSpeedup(
  temporal: Client,
  client: SQSClient,
  queues: GatewayQueues,
  runtime: Pick<GatewayRuntime, 'config' | 'deliverer' | 'logger'>,
  target: LoadTarget,
  repetitions: number,
): Promise<SqsBatchResult> {
  const deadLetters = createDeadLetters(client, {
    standard: queues.eventsDlq.url,
    fifo: queues.eventsDlqFifo.url,
  });
  const handlers = {
    single: createSqsBatchHandler({ ...runtime, deadLetters, concurrency: 1 }),
    sequential: createSqsBatchHandler({ ...runtime, deadLetters, concurrency: 1 }),
    concurrent: createSqsBatchHandler({ ...runtime, deadLetters }),
  } as const;
  const times = { single: [] as number[], sequential: [] as number[], concurrent: [] as number[] };
  const direct = { sequential: [] as number[], concurrent: [] as number[] };
  let firstId = 0;

  const timed = async (kind: keyof typeof handlers, size: number, record: boolean) => {
    await fillQueue(client, queues.events, target, size, firstId);
    firstId += size;
    const messages = await receiveBatch(client, queues.events, size);
    const event: SQSEvent = toSqsEvent(messages, { queueArn: queues.events.arn });
    const started = performance.now();
    const response = await handlers[kind](event);
    const elapsed = performance.now() - started;
    if (response.batchItemFailures.length > 0)
      throw new SqsBenchError(`${response.batchItemFailures.length} records of a ${kind} batch failed`);
    await deleteBatch(client, queues.events, messages);
    if (record) times[kind].push(elapsed);
  };

  const directBatch = async (concurrent: boolean, record: boolean) => {
    const ids = Array.from(
      { length: SQS_BATCH_MAX },
      (_, i) => target.workflowIds[(firstId + i) % target.workflowIds.length]!,
    );
    firstId += SQS_BATCH_MAX;
    const started = performance.now();
    if (concurrent) await Promise.all(ids.map((id) => directSignal(temporal, target, id, DEADLINE_MS)));
    else for (const id of ids) await directSignal(temporal, target, id, DEADLINE_MS);
    if (record) direct[concurrent ? 'concurrent' : 'sequential'].push(performance.now() - started);
  };

  // One unrecorded round warms the connection and the JIT for all of them.
  for (let rep = -1; rep < repetitions; rep += 1) {
    await timed('single', 1, rep >= 0);
    await timed('sequential', SQS_BATCH_MAX, rep >= 0);
    await timed('concurrent', SQS_BATCH_MAX, rep >= 0);
    await directBatch(false, rep >= 0);
    await directBatch(true, rep >= 0);
  }
  const directSequentialMs = median(direct.sequential, 'direct sequential batches');
  const directConcurrentMs = median(direct.concurrent, 'direct concurrent batches');
  const sequentialMs = median(times.sequential, 'sequential batches');
  const concurrentMs = median(times.concurrent, 'concurrent batches');
  return {
    singleSignalMs: round(median(times.single, 'single-record batches'), 2),
    sequentialMs: round(sequentialMs, 2),
    concurrentMs: round(concurrentMs, 2),
    speedup: round(sequentialMs / concurrentMs, 2),
    directSequentialMs: round(directSequentialMs, 2),
    directConcurrentMs: round(directConcurrentMs, 2),
    directSpeedup: round(directSequentialMs / directConcurrentMs, 2),
    batchSize: SQS_BATCH_MAX,
    defaultConcurrency: DEFAULT_SQS_CONCURRENCY,
    repetitions,
  };
}

export interface SqsPathResult {
  signalsPerSec: number;
  messages: number;
  seconds: number;
  /** Poll loops (Lambda's concurrent invocations) × records in flight per batch. */
  pollers: number;
  batchConcurrency: number;
}

/** Counts delivered signals; resolves `done` once `expected` were delivered. */
function countingSignaler(inner: Signaler, expected: number) {
  let delivered = 0;
  let resolve: () => void = () => {};
  const done = new Promise<void>((r) => (resolve = r));
  const signaler: Signaler = {
    async signal(command, target) {
      const outcome = await inner.signal(command, target);
      if (outcome.status === 'delivered' && (delivered += 1) === expected) resolve();
      return outcome;
    },
  };
  return { signaler, done };
}

/**
 * Fills the standard queue with `messages` signals, then lets the local event source mapping
 * (local/queue-consumer.ts: the same batch handler the queue Lambda runs) drain it, and times the
 * drain from the first poll to the last signal delivered.
 */
export async function sqsPathRate(
  client: SQSClient,
  queues: GatewayQueues,
  runtime: GatewayRuntime,
  target: LoadTarget,
  messages: number,
  pollers: number,
  timeoutMs: number,
): Promise<SqsPathResult> {
  await fillQueue(client, queues.events, target, messages);
  const counting = countingSignaler(runtime.signaler, messages);
  const started = performance.now();
  const consumers = await startQueueConsumers({
    client,
    queues,
    runtime: { ...runtime, deliverer: createDeliverer({ ...runtime, signaler: counting.signaler }) },
    poller: { concurrency: pollers, waitTimeSeconds: 1 },
  });
  let timer: NodeJS.Timeout | undefined;
  let seconds: number;
  try {
    await Promise.race([
      counting.done,
      new Promise((_, reject) => {
        timer = setTimeout(
          () =>
            reject(new SqsBenchError(`the SQS path did not deliver ${messages} signals in ${timeoutMs} ms`)),
          timeoutMs,
        );
      }),
    ]);
    seconds = (performance.now() - started) / 1000;
  } finally {
    clearTimeout(timer);
    await consumers.stop();
  }
  return {
    signalsPerSec: round(messages / seconds),
    messages,
    seconds: round(seconds, 2),
    pollers,
    batchConcurrency: DEFAULT_SQS_CONCURRENCY,
  };
}
