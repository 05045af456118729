/**
 * The HTTP handler's durable fallback: a signal Temporal could not take right now is written to the
 * gateway's queue in the SQS message format, keeping its event id, so the queue handler delivers
 * it later with the same Temporal request id (applied once, however often it is retried). The
 * message is sealed with the gateway's key: only then does the queue handler keep its event id (a
 * namespaced caller id, a callback's token id) instead of namespacing it as a producer's.
 */
import type { SignalCommand } from '../core/commands';
import { deliveryRequestId } from '../core/request-id';
import type { SqsSignalMessage } from '../core/sqs-message';
import type { FallbackQueue } from './ports';
import type { EnvelopeSealer } from './envelope-seal';
import { isFifoQueue, sendSqsMessage, type SqsClientSource } from './sqs-client';

export function createSqsFallbackQueue(
  client: SqsClientSource,
  queueUrl: string,
  sealer: EnvelopeSealer,
): FallbackQueue {
  const fifo = isFifoQueue(queueUrl);
  return {
    async enqueue(command: SignalCommand) {
      const message: SqsSignalMessage = {
        workflowId: command.workflowId,
        signal: command.signal,
        payload: command.payload,
        eventId: command.eventId,
        ...(command.suppliedId === undefined ? {} : { suppliedId: command.suppliedId }),
        // A callback's signal must not start a gone workflow when the queue handler delivers it.
        ...(command.neverStart ? { neverStart: true } : {}),
      };
      await sendSqsMessage(client, {
        QueueUrl: queueUrl,
        MessageBody: sealer.seal({ ...message }),
        ...(fifo
          ? {
              // Per-workflow order; the dedup id drops a client retry inside SQS's 5-minute window.
              MessageGroupId: command.workflowId,
              MessageDeduplicationId: deliveryRequestId(command.workflowId, command.signal, command.eventId),
            }
          : {}),
      });
    },
  };
}
