/**
 * Reading the dead-letter queues without consuming them: messages are received with a visibility
 * timeout that covers the command, and made visible again (ChangeMessageVisibility 0) when it
 * ends — or, if the process dies, by SQS when that timeout passes. Nothing is deleted here.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  ReceiveMessageCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import { DLQ_ATTRIBUTES } from '../../functions/adapters/sqs-dead-letters';
import { WEBHOOK_DLQ_ATTRIBUTES } from '../../functions/adapters/webhook-queues';
import { WebhookEnvelopeSchema } from '../../functions/core/checked-schemas';
import { isFifoQueue } from '../../functions/adapters/sqs-client';
import { GATEWAY_QUEUE_NAMES } from '../sqs-queues';
import { parseBody, type SqsSignalMessage } from './gateway-message';
import { resolveQueueUrl, sqsCall, type SqsConnection } from './sqs-connection';
import { CliUsageError } from './io';

/** Where a dead letter's event id came from, in the order redrive looks. */
export const EVENT_ID_SOURCES = {
  body: 'body',
  attribute: 'eventId attribute',
  sourceMessageId: 'sourceMessageId attribute',
  messageId: 'DLQ message id',
} as const;
export type EventIdSource = (typeof EVENT_ID_SOURCES)[keyof typeof EVENT_ID_SOURCES];

export interface DeadLetter {
  readonly message: Message;
  readonly messageId: string;
  readonly body: string;
  /** The body as JSON, when it is JSON (so redrive can add an event id without losing fields). */
  readonly json?: unknown;
  readonly signal?: SqsSignalMessage;
  /** A dead-lettered provider webhook: its source, event type and the route that could not use it. */
  readonly webhook?: { source: string; eventType?: string; route?: string };
  /**
   * The id the event had when it was first delivered: the body's `eventId`; else the one the
   * gateway's handler recorded (`eventId`, then `sourceMessageId` — the message id that served as
   * the event id); else this message's id, which SQS keeps when its redrive policy moves a message.
   */
  readonly eventId: string;
  readonly eventIdSource: EventIdSource;
  readonly errorType?: string;
  readonly errorMessage?: string;
  readonly sourceMessageId?: string;
  readonly sourceQueueArn?: string;
  readonly receiveCount?: number;
  readonly sentAt?: Date;
  readonly groupId?: string;
}

const attribute = (message: Message, name: string): string | undefined => {
  const value = message.MessageAttributes?.[name]?.StringValue;
  return value === undefined || value === '' ? undefined : value;
};

export function readDeadLetter(message: Message): DeadLetter {
  const messageId = message.MessageId ?? '';
  const body = message.Body ?? '';
  const { json, signal } = parseBody(message.Body);
  const envelope = json === undefined ? undefined : WebhookEnvelopeSchema.safeParse(json).data?.webhook;
  const route = attribute(message, WEBHOOK_DLQ_ATTRIBUTES.route);
  const webhook = envelope
    ? {
        source: envelope.source,
        ...(envelope.eventType ? { eventType: envelope.eventType } : {}),
        ...(route ? { route } : {}),
      }
    : undefined;
  const recordedEventId = attribute(message, DLQ_ATTRIBUTES.eventId);
  const sourceMessageId = attribute(message, DLQ_ATTRIBUTES.sourceMessageId);
  const bodyEventId = signal?.eventId ?? envelope?.eventId;
  const [eventId, eventIdSource]: [string, EventIdSource] = bodyEventId
    ? [bodyEventId, EVENT_ID_SOURCES.body]
    : recordedEventId
      ? [recordedEventId, EVENT_ID_SOURCES.attribute]
      : sourceMessageId
        ? [sourceMessageId, EVENT_ID_SOURCES.sourceMessageId]
        : [messageId, EVENT_ID_SOURCES.messageId];
  const system = message.Attributes ?? {};
  const sent = Number(system.SentTimestamp);
  const received = Number(system.ApproximateReceiveCount);
  const errorType = attribute(message, DLQ_ATTRIBUTES.errorType);
  const errorMessage = attribute(message, DLQ_ATTRIBUTES.errorMessage);
  // SQS stamps the source on messages its redrive policy moved; the handler writes its own attribute.
  const sourceQueueArn = attribute(message, DLQ_ATTRIBUTES.sourceQueueArn) ?? system.DeadLetterQueueSourceArn;
  return {
    message,
    messageId,
    body,
    ...(json === undefined ? {} : { json }),
    ...(signal ? { signal } : {}),
    ...(webhook ? { webhook } : {}),
    eventId,
    eventIdSource,
    ...(errorType ? { errorType } : {}),
    ...(errorMessage ? { errorMessage } : {}),
    ...(sourceMessageId ? { sourceMessageId } : {}),
    ...(sourceQueueArn ? { sourceQueueArn } : {}),
    ...(received > 0 ? { receiveCount: received } : {}),
    ...(sent > 0 ? { sentAt: new Date(sent) } : {}),
    ...(system.MessageGroupId ? { groupId: system.MessageGroupId } : {}),
  };
}

export interface QueuePair {
  readonly dlqUrl: string;
  readonly queueUrl: string;
  readonly fifo: boolean;
}

/**
 * The DLQ (and, when `withMain`, the queue it belongs to) of the standard or FIFO pair; given URLs
 * beat name lookup, and a `.fifo` URL implies `--fifo`.
 */
export async function resolveDeadLetterQueue(
  connection: SqsConnection,
  options: { fifo?: boolean | undefined; dlqUrl?: string | undefined; queueUrl?: string | undefined },
  withMain: boolean,
): Promise<QueuePair> {
  const fifo =
    options.fifo === true ||
    [options.dlqUrl, options.queueUrl].some((url) => url !== undefined && isFifoQueue(url));
  for (const [flag, url] of [
    ['dlq-url', options.dlqUrl],
    ['queue-url', options.queueUrl],
  ] as const) {
    // Any .fifo URL makes `fifo` true, so only a standard URL among FIFO choices can mismatch.
    if (url !== undefined && fifo && !isFifoQueue(url)) {
      throw new CliUsageError(
        `--${flag} ${url} is not a FIFO queue, but the FIFO queues were chosen; a FIFO dead-letter queue ` +
          `belongs to a FIFO queue.`,
      );
    }
  }
  const dlqUrl = await resolveQueueUrl(connection, {
    given: options.dlqUrl,
    name: fifo ? GATEWAY_QUEUE_NAMES.eventsDlqFifo : GATEWAY_QUEUE_NAMES.eventsDlq,
    flag: 'dlq-url',
  });
  const queueUrl = withMain
    ? await resolveQueueUrl(connection, {
        given: options.queueUrl,
        name: fifo ? GATEWAY_QUEUE_NAMES.eventsFifo : GATEWAY_QUEUE_NAMES.events,
        flag: 'queue-url',
      })
    : '';
  return { dlqUrl, queueUrl, fifo };
}

/**
 * One ReceiveMessage. A 1-second long poll asks every SQS server (a short poll samples some and
 * can answer "empty" while messages remain), and costs nothing while messages are there.
 */
export async function receiveDeadLetters(
  connection: SqsConnection,
  queueUrl: string,
  options: { max: number; visibilitySeconds: number },
): Promise<Message[]> {
  const { Messages = [] } = await sqsCall(connection, 'Receiving from the dead-letter queue', () =>
    connection.client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, Math.max(1, options.max)),
        VisibilityTimeout: options.visibilitySeconds,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    ),
  );
  return Messages;
}

/** Makes received messages visible again at once; returns how many SQS refused to release. */
export async function releaseMessages(
  connection: SqsConnection,
  queueUrl: string,
  messages: readonly Message[],
): Promise<number> {
  let refused = 0;
  for (let i = 0; i < messages.length; i += 10) {
    const chunk = messages.slice(i, i + 10);
    const { Failed = [] } = await sqsCall(connection, 'Releasing dead-letter messages', () =>
      connection.client.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: chunk.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
            VisibilityTimeout: 0,
          })),
        }),
      ),
    );
    refused += Failed.length;
  }
  return refused;
}

/** `42s`, `3m05s`, `2h10m`, `4d03h`: the age of a dead letter at a glance. */
export function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const pad = (n: number) => String(n).padStart(2, '0');
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${pad(seconds % 60)}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h${pad(minutes % 60)}m`;
  return `${Math.floor(hours / 24)}d${pad(hours % 24)}h`;
}
