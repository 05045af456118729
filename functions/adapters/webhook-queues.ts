/**
 * Where an acknowledged webhook goes when it is not delivered at once: the fallback queue (Temporal
 * slow or down; the queue handler delivers it later, same event id) or the DLQ (its route cannot
 * use it; an operator fixes the route and runs `event-gateway dlq redrive`). Both hold the raw
 * event as a webhook envelope, so it is routed again with the configuration in force then. The
 * envelope is sealed with the gateway's key: the queue handler routes it only when the seal holds.
 * A body too large for a queue message goes to the large payload bucket first and the envelope
 * carries its reference (adapters/sqs-stored-payloads.ts): queue and DLQ alike.
 */
import { checkInputText } from '../core/input-limits';
import type { Problem } from '../core/problems';
import { deliveryRequestId } from './request-id';
import type { WebhookEnvelope } from '../core/webhook-envelope';
import type { EnvelopeSealer } from './envelope-seal';
import { isFifoQueue, sendSqsMessage, type SqsClientSource } from './sqs-client';
import { DLQ_ATTRIBUTES, sqsSafeText } from './sqs-dead-letters';
import { traceMessageAttributes } from './tracing';
import { withStoredWebhookBody, type PayloadStorer } from './sqs-stored-payloads';

/** DLQ message attributes of a dead-lettered webhook: the queue handler's, plus its source and route. */
export const WEBHOOK_DLQ_ATTRIBUTES = { ...DLQ_ATTRIBUTES, source: 'source', route: 'route' } as const;

export interface WebhookQueues {
  /** Queues an event for later delivery; absent = no fallback queue configured. */
  enqueue?(envelope: WebhookEnvelope): Promise<void>;
  /** Dead-letters an event with the reason; absent = no DLQ configured. */
  deadLetter?(envelope: WebhookEnvelope, problem: Problem, route?: string): Promise<void>;
}

const text = (value: string) => ({ DataType: 'String', StringValue: sqsSafeText(value) });

function fifoFields(url: string, envelope: WebhookEnvelope) {
  if (!isFifoQueue(url)) return {};
  const { source, eventId } = envelope.webhook;
  return {
    MessageGroupId: `webhook-${source}`,
    MessageDeduplicationId: deliveryRequestId(source, 'webhook', eventId),
  };
}

export function createWebhookQueues(
  client: SqsClientSource,
  urls: { queueUrl?: string | undefined; dlqUrl?: string | undefined },
  sealer: EnvelopeSealer,
  /** Stores a body too large for a queue message (the gateway's data converter). */
  storer?: PayloadStorer,
): WebhookQueues {
  const { queueUrl, dlqUrl } = urls;
  const sealed = async (envelope: WebhookEnvelope) => {
    const inline = sealer.seal({ webhook: envelope.webhook });
    const within = checkInputText(inline, 'queued webhook');
    if (within.ok || within.problem.code !== 'payload-too-large' || !storer?.offloads) return inline;
    return sealer.seal({ webhook: await withStoredWebhookBody(envelope.webhook, storer) });
  };
  return {
    ...(queueUrl
      ? {
          async enqueue(envelope: WebhookEnvelope) {
            await sendSqsMessage(client, {
              QueueUrl: queueUrl,
              MessageBody: await sealed(envelope),
              // The request's trace, continued by the queue function: the visible queue hop.
              MessageAttributes: traceMessageAttributes(),
              ...fifoFields(queueUrl, envelope),
            });
          },
        }
      : {}),
    ...(dlqUrl
      ? {
          async deadLetter(envelope: WebhookEnvelope, problem: Problem, route?: string) {
            await sendSqsMessage(client, {
              QueueUrl: dlqUrl,
              MessageBody: await sealed(envelope),
              MessageAttributes: {
                [WEBHOOK_DLQ_ATTRIBUTES.errorType]: text(problem.code),
                [WEBHOOK_DLQ_ATTRIBUTES.errorMessage]: text(problem.detail),
                [WEBHOOK_DLQ_ATTRIBUTES.eventId]: text(envelope.webhook.eventId),
                [WEBHOOK_DLQ_ATTRIBUTES.source]: text(envelope.webhook.source),
                ...(route ? { [WEBHOOK_DLQ_ATTRIBUTES.route]: text(route) } : {}),
                ...traceMessageAttributes(),
              },
              ...fifoFields(dlqUrl, envelope),
            });
          },
        }
      : {}),
  };
}
