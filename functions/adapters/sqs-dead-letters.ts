/**
 * Permanent failures go to the dead-letter queue at once, with the reason as message attributes
 * (`errorType`, `errorMessage`), instead of being retried until maxReceiveCount. If the DLQ write
 * fails, the caller fails the record so SQS keeps it: never lost.
 */
import { EventGatewayError } from '../../contract/errors';
import type { SQSRecord } from 'aws-lambda';
import type { Problem } from '../core/problems';
import { isFifoQueue, sendSqsMessage, type SqsClientSource } from './sqs-client';
import { traceMessageAttributes } from './tracing';

export const DLQ_ATTRIBUTES = {
  errorType: 'errorType',
  errorMessage: 'errorMessage',
  sourceMessageId: 'sourceMessageId',
  sourceQueueArn: 'sourceQueueArn',
  eventId: 'eventId',
} as const;

/** SQS message attribute values are limited; a reason longer than this is cut. */
const MAX_REASON_CHARS = 1_000;

export interface DeadLetters {
  send(record: SQSRecord, problem: Problem, eventId?: string): Promise<void>;
}

/** The DLQ URLs available; each record goes to the one of its source queue's kind (FIFO or not). */
export interface DeadLetterQueues {
  standard?: string | undefined;
  fifo?: string | undefined;
}

export class DeadLetterQueueMissingError extends EventGatewayError {
  override readonly name = 'DeadLetterQueueMissingError';

  constructor(sourceArn: string) {
    super(`No dead-letter queue is configured for records from ${sourceArn}.`);
  }
}

/**
 * SQS accepts only #x9 #xA #xD #x20–#xD7FF #xE000–#xFFFD #x10000–#x10FFFF in attribute values; a
 * reason quoting a bad input (a lone surrogate, a control character) would make the DLQ write fail
 * and turn a permanent failure into an endless retry. Such characters become U+FFFD, and the cut
 * is made between characters, never inside a surrogate pair.
 */
export function sqsSafeText(value: string, maxChars = MAX_REASON_CHARS): string {
  let out = '';
  let count = 0;
  for (const char of value) {
    if (count++ >= maxChars) break;
    const code = char.codePointAt(0) ?? 0xfffd;
    const allowed =
      code === 0x9 ||
      code === 0xa ||
      code === 0xd ||
      (code >= 0x20 && code <= 0xd7ff) ||
      (code >= 0xe000 && code <= 0xfffd) ||
      code >= 0x10000;
    out += allowed ? char : '\ufffd';
  }
  return out;
}

const text = (value: string) => ({ DataType: 'String', StringValue: sqsSafeText(value) });

export function createDeadLetters(client: SqsClientSource, queues: DeadLetterQueues): DeadLetters {
  return {
    async send(record, problem, eventId) {
      const fifo = isFifoQueue(record.eventSourceARN);
      // Matched by kind, not by variable: a deployed FIFO consumer gets its FIFO DLQ as GATEWAY_DLQ_URL.
      const queueUrl = [queues.standard, queues.fifo].find(
        (url) => url !== undefined && isFifoQueue(url) === fifo,
      );
      if (!queueUrl) throw new DeadLetterQueueMissingError(record.eventSourceARN);
      await sendSqsMessage(client, {
        QueueUrl: queueUrl,
        MessageBody: record.body,
        MessageAttributes: {
          [DLQ_ATTRIBUTES.errorType]: text(problem.code),
          [DLQ_ATTRIBUTES.errorMessage]: text(problem.detail),
          [DLQ_ATTRIBUTES.sourceMessageId]: text(record.messageId),
          [DLQ_ATTRIBUTES.sourceQueueArn]: text(record.eventSourceARN),
          ...(eventId ? { [DLQ_ATTRIBUTES.eventId]: text(eventId) } : {}),
          // The record's trace (its consumer span), so a redriven message continues it.
          ...traceMessageAttributes(),
        },
        ...(fifo
          ? {
              MessageGroupId: record.attributes.MessageGroupId ?? 'dead-letters',
              MessageDeduplicationId: record.messageId,
            }
          : {}),
      });
    },
  };
}
