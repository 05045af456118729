/**
 * Lambda's SQS event source mapping, for the local stack: polls a queue and invokes the same SQS
 * handler the deployed Lambda runs, with real-shaped events and the same delete/retry rules, so the
 * handler cannot tell the difference.
 *
 * - The handler throws (or exceeds its timeout): nothing is deleted; the batch reappears after the
 *   visibility timeout, and SQS's own redrive policy moves a message to the DLQ after
 *   maxReceiveCount receives.
 * - It returns `batchItemFailures`: everything else is deleted. An identifier that is empty, not a
 *   string, or not a message of the batch makes the whole batch a failure, as in Lambda.
 * - It returns nothing (or no failures): the batch is deleted.
 */
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  QueueAttributeName,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Callback, Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { regionOfQueueArn, toSqsEvent } from './sqs-event';
import { EventGatewayError } from '../contract/errors';

/**
 * An async Lambda SQS handler. The callback parameter is there only so that a function typed as
 * `SQSHandler` from aws-lambda fits; Lambda's Node.js 24 runtime runs async handlers only, so a
 * handler that does not return a promise counts as failed.
 */
export type SqsBatchHandler = (
  event: SQSEvent,
  context: Context,
  callback: Callback<SQSBatchResponse | void>,
) => Promise<SQSBatchResponse | void> | void;

export const SQS_POLLER_DEFAULTS = {
  batchSize: 10,
  maximumBatchingWindowMs: 0,
  concurrency: 2,
  functionTimeoutMs: 30_000,
  /** SQS's longest long poll. */
  waitTimeSeconds: 20,
  functionName: 'event-gateway-sqs',
  memoryLimitInMB: 512,
} as const;

/** SQS hands out at most 10 messages per receive; Lambda allows up to 10 per FIFO batch. */
const SQS_RECEIVE_MAX = 10;
/** Lambda's limit for standard queues (needs a batching window above 10). */
const STANDARD_BATCH_MAX = 10_000;

export class SqsPollerError extends EventGatewayError {
  override readonly name = 'SqsPollerError';
}

export type SqsBatchOutcome = 'success' | 'partial-failure' | 'failure';

/** What happened to one batch, after its deletions. */
export interface SqsBatchResult {
  readonly outcome: SqsBatchOutcome;
  readonly messageIds: readonly string[];
  readonly deleted: readonly string[];
  /** Left on the queue: they reappear after the visibility timeout. */
  readonly retained: readonly string[];
  /** Why the whole batch failed, when it did. */
  readonly error?: unknown;
}

export type SqsPollerErrorPhase = 'receive' | 'invoke' | 'response' | 'delete';

export interface SqsPollerOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
  /** @default looked up with GetQueueAttributes on `start()` */
  readonly queueArn?: string;
  readonly handler: SqsBatchHandler;
  /** Records per invocation. @default 10; at most 10 for FIFO, 10 000 for standard queues */
  readonly batchSize?: number;
  /** How long to keep gathering records once the first arrived. @default 0: invoke with one receive's worth */
  readonly maximumBatchingWindowMs?: number;
  /** Per-receive override of the queue's visibility timeout. @default the queue's */
  readonly visibilityTimeoutSeconds?: number;
  /** Parallel poll loops, hence at most this many concurrent invocations. @default 2 */
  readonly concurrency?: number;
  /** Lambda's `ReportBatchItemFailures` function response type; the deployed mapping enables it. @default true */
  readonly reportBatchItemFailures?: boolean;
  /** The function timeout: a slower invocation counts as failed. @default 30 000 */
  readonly functionTimeoutMs?: number;
  /** Long-poll wait of an empty queue. @default 20 */
  readonly waitTimeSeconds?: number;
  /** Shown in the Lambda context. @default 'event-gateway-sqs' */
  readonly functionName?: string;
  /** @default console.error with the phase */
  readonly onError?: (error: unknown, phase: SqsPollerErrorPhase) => void;
  /** Called after each batch's deletions, e.g. for logs or for tests to wait on. */
  readonly onBatch?: (result: SqsBatchResult) => void;
}

export interface SqsPoller {
  /** Begins polling; resolves once the queue ARN is known and the poll loops run. */
  start(): Promise<void>;
  /** Stops polling and waits for in-flight invocations and their deletions to finish. */
  stop(): Promise<void>;
  readonly running: boolean;
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}

function validate(options: SqsPollerOptions, fifo: boolean): void {
  const { batchSize = SQS_POLLER_DEFAULTS.batchSize, concurrency = SQS_POLLER_DEFAULTS.concurrency } =
    options;
  const window = options.maximumBatchingWindowMs ?? SQS_POLLER_DEFAULTS.maximumBatchingWindowMs;
  const max = fifo ? SQS_RECEIVE_MAX : STANDARD_BATCH_MAX;
  const problems: string[] = [];
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > max) {
    problems.push(`batchSize must be 1..${max} for a ${fifo ? 'FIFO' : 'standard'} queue, got ${batchSize}`);
  }
  if (!fifo && batchSize > SQS_RECEIVE_MAX && window <= 0) {
    problems.push('a batchSize above 10 needs a maximumBatchingWindowMs, as in Lambda');
  }
  if (!Number.isInteger(concurrency) || concurrency < 1)
    problems.push(`concurrency must be >= 1, got ${concurrency}`);
  if (window < 0 || window > 300_000)
    problems.push(`maximumBatchingWindowMs must be 0..300000, got ${window}`);
  if (problems.length) throw new SqsPollerError(`Invalid SQS poller options: ${problems.join('; ')}.`);
}

/**
 * The messages to keep on the queue, per Lambda's rules for a `ReportBatchItemFailures` response,
 * or why the response makes the whole batch a failure.
 */
export function failedMessageIds(
  response: unknown,
  messageIds: readonly string[],
): { retained: ReadonlySet<string> } | { invalid: string } {
  if (response === undefined || response === null) return { retained: new Set() };
  if (typeof response !== 'object') return { invalid: `the response is a ${typeof response}, not an object` };
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return { retained: new Set() };
  if (!Array.isArray(failures)) return { invalid: 'batchItemFailures is not an array' };
  const known = new Set(messageIds);
  const retained = new Set<string>();
  for (const failure of failures as unknown[]) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || id === '')
      return { invalid: `invalid itemIdentifier ${JSON.stringify(id)}` };
    if (!known.has(id)) return { invalid: `itemIdentifier ${id} is not a message of this batch` };
    retained.add(id);
  }
  return { retained };
}

const callbackNotSupported: Callback<SQSBatchResponse | void> = () => {
  throw new SqsPollerError('Callback-style handlers are not supported; return a promise (an async handler).');
};

function lambdaContext(functionName: string, queueArn: string, timeoutMs: number): Context {
  const [, , , region = 'us-east-1', account = '000000000000'] = queueArn.split(':');
  const deadline = Date.now() + timeoutMs;
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  const noop = () => undefined;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${account}:function:${functionName}`,
    memoryLimitInMB: String(SQS_POLLER_DEFAULTS.memoryLimitInMB),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `${day}/[$LATEST]${randomBytes(16).toString('hex')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: noop,
    fail: noop,
    succeed: noop,
  };
}

export function createSqsPoller(options: SqsPollerOptions): SqsPoller {
  const { client, queueUrl, handler } = options;
  const fifo = queueUrl.endsWith('.fifo');
  validate(options, fifo);
  const batchSize = options.batchSize ?? SQS_POLLER_DEFAULTS.batchSize;
  const windowMs = options.maximumBatchingWindowMs ?? SQS_POLLER_DEFAULTS.maximumBatchingWindowMs;
  const concurrency = options.concurrency ?? SQS_POLLER_DEFAULTS.concurrency;
  const timeoutMs = options.functionTimeoutMs ?? SQS_POLLER_DEFAULTS.functionTimeoutMs;
  const waitTimeSeconds = options.waitTimeSeconds ?? SQS_POLLER_DEFAULTS.waitTimeSeconds;
  const functionName = options.functionName ?? SQS_POLLER_DEFAULTS.functionName;
  const reportFailures = options.reportBatchItemFailures ?? true;
  const onError =
    options.onError ?? ((error, phase) => console.error(`[sqs-poller] ${phase} failed:`, error));

  let queueArn = options.queueArn;
  let abort: AbortController | undefined;
  let loops: Promise<void>[] = [];
  // Handlers that outlived their timeout still run, like a Lambda the runtime has not frozen yet;
  // stop() waits for them so a test never ends under a running handler.
  const stragglers = new Set<Promise<unknown>>();

  const receive = async (max: number, wait: number, signal: AbortSignal): Promise<Message[]> => {
    const { Messages } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: max,
        WaitTimeSeconds: wait,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
        ...(options.visibilityTimeoutSeconds !== undefined
          ? { VisibilityTimeout: options.visibilityTimeoutSeconds }
          : {}),
      }),
      { abortSignal: signal },
    );
    return Messages ?? [];
  };

  /** One batch: the first receive long-polls; the batching window then tops it up. */
  const gather = async (signal: AbortSignal): Promise<Message[]> => {
    const batch: Message[] = [];
    let deadline: number | undefined;
    while (!signal.aborted && batch.length < batchSize) {
      const remainingMs = deadline === undefined ? undefined : deadline - Date.now();
      if (remainingMs !== undefined && remainingMs <= 0) break;
      const wait = remainingMs === undefined ? waitTimeSeconds : Math.min(20, Math.floor(remainingMs / 1000));
      let received: Message[];
      try {
        received = await receive(Math.min(SQS_RECEIVE_MAX, batchSize - batch.length), wait, signal);
      } catch (error) {
        // Stopping mid-window: what was gathered is still delivered rather than left to time out.
        if (batch.length > 0 && signal.aborted) break;
        throw error;
      }
      for (const message of received) {
        // A window longer than the visibility timeout can bring a message back into its own batch;
        // only the newest receipt handle can still delete it.
        const earlier = batch.findIndex((m) => m.MessageId === message.MessageId);
        if (earlier >= 0) batch.splice(earlier, 1);
        batch.push(message);
      }
      if (batch.length > 0 && deadline === undefined) {
        if (windowMs <= 0) break;
        deadline = Date.now() + windowMs;
      }
      // A sub-second remainder short-polls; pace it instead of spinning.
      if (remainingMs !== undefined && wait === 0 && received.length === 0)
        await sleep(Math.min(50, remainingMs));
    }
    return batch;
  };

  const deleteMessages = async (messages: readonly Message[]): Promise<string[]> => {
    const deleted: string[] = [];
    for (let i = 0; i < messages.length; i += SQS_RECEIVE_MAX) {
      const chunk = messages.slice(i, i + SQS_RECEIVE_MAX);
      try {
        const { Successful, Failed } = await client.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: chunk.map((message, index) => ({
              Id: String(index),
              ReceiptHandle: message.ReceiptHandle,
            })),
          }),
        );
        for (const entry of Successful ?? []) {
          const id = chunk[Number(entry.Id)]?.MessageId;
          if (id) deleted.push(id);
        }
        if (Failed?.length) {
          onError(
            new SqsPollerError(
              `SQS refused to delete ${Failed.length} message(s): ${JSON.stringify(Failed)}`,
            ),
            'delete',
          );
        }
      } catch (error) {
        // Undeleted messages come back after the visibility timeout: at-least-once, as in Lambda.
        onError(error, 'delete');
      }
    }
    return deleted;
  };

  const invoke = async (messages: Message[], arn: string): Promise<SqsBatchResult> => {
    const messageIds = messages.map((message) => message.MessageId ?? '');
    const event = toSqsEvent(messages, { queueArn: arn, region: regionOfQueueArn(arn) });
    const invocation = Promise.resolve().then(() => {
      const returned = handler(event, lambdaContext(functionName, arn, timeoutMs), callbackNotSupported);
      if (typeof (returned as PromiseLike<unknown> | undefined)?.then !== 'function') {
        throw new SqsPollerError(
          'The SQS handler did not return a promise; Lambda runs async handlers only.',
        );
      }
      return returned;
    });
    stragglers.add(invocation);
    void invocation.then(
      () => stragglers.delete(invocation),
      () => stragglers.delete(invocation),
    );
    let response: unknown;
    let timer: NodeJS.Timeout | undefined;
    try {
      response = await Promise.race([
        invocation,
        new Promise((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new SqsPollerError(
                  `The handler did not finish within ${timeoutMs} ms (the function timeout).`,
                ),
              ),
            timeoutMs,
          );
        }),
      ]);
    } catch (error) {
      onError(error, 'invoke');
      return { outcome: 'failure', messageIds, deleted: [], retained: messageIds, error };
    } finally {
      clearTimeout(timer);
    }

    const verdict = reportFailures ? failedMessageIds(response, messageIds) : { retained: new Set<string>() };
    if ('invalid' in verdict) {
      const error = new SqsPollerError(
        `The batch response makes the whole batch a failure: ${verdict.invalid}.`,
      );
      onError(error, 'response');
      return { outcome: 'failure', messageIds, deleted: [], retained: messageIds, error };
    }
    const deleted = await deleteMessages(
      messages.filter((message) => !verdict.retained.has(message.MessageId ?? '')),
    );
    return {
      outcome: verdict.retained.size ? 'partial-failure' : 'success',
      messageIds,
      deleted,
      retained: messageIds.filter((id) => !deleted.includes(id)),
    };
  };

  const loop = async (signal: AbortSignal, arn: string): Promise<void> => {
    let backoffMs = 100;
    while (!signal.aborted) {
      let messages: Message[];
      try {
        messages = await gather(signal);
        backoffMs = 100;
      } catch (error) {
        if (signal.aborted && isAbort(error)) return;
        // The SQS server may be down (a fault-injection test restarts it): keep trying, gently.
        onError(error, 'receive');
        await sleep(backoffMs, undefined, { signal }).catch(() => undefined);
        backoffMs = Math.min(backoffMs * 2, 2_000);
        continue;
      }
      if (messages.length === 0) continue;
      // Messages already received are invoked even when stopping: they are ours until deleted.
      try {
        // Not `onBatch?.(await invoke())`: optional chaining would skip the call when onBatch is unset.
        const result = await invoke(messages, arn);
        options.onBatch?.(result);
      } catch (error) {
        // A poll loop must not die: a dead loop would silently stop delivery, unlike Lambda.
        onError(error, 'invoke');
      }
    }
  };

  return {
    get running() {
      return abort !== undefined;
    },
    async start() {
      if (abort) return;
      const controller = new AbortController();
      abort = controller;
      try {
        if (!queueArn) {
          const { Attributes } = await client.send(
            new GetQueueAttributesCommand({
              QueueUrl: queueUrl,
              AttributeNames: [QueueAttributeName.QueueArn],
            }),
          );
          queueArn = Attributes?.[QueueAttributeName.QueueArn];
          if (!queueArn) throw new SqsPollerError(`SQS returned no ARN for ${queueUrl}.`);
        }
      } catch (error) {
        abort = undefined;
        throw error instanceof SqsPollerError
          ? error
          : new SqsPollerError(`Could not look up the queue ${queueUrl}.`, { cause: error });
      }
      const arn = queueArn;
      loops = Array.from({ length: concurrency }, () => loop(controller.signal, arn));
    },
    async stop() {
      const controller = abort;
      if (!controller) return;
      controller.abort();
      await Promise.all(loops);
      await Promise.allSettled([...stragglers]);
      loops = [];
      abort = undefined;
    },
  };
}
