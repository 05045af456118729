/**
 * The HTTP handler's durable fallback: a signal Temporal could not take right now is written to the
 * gateway's queue in the SQS message format, keeping its event id, so the queue handler delivers
 * it later with the same Temporal request id (applied once, however often it is retried). The
 * message is sealed with the gateway's key: only then does the queue handler keep its event id (a
 * namespaced caller id, a callback's token id) instead of namespacing it as a producer's.
 *
 * A signal too large for a queue message (the HTTP paths take up to Lambda's limit when large
 * payloads go to S3) is queued with its argument stored first — codecs, then the bucket — and the
 * message carries the reference (adapters/sqs-stored-payloads.ts), sealed like any other.
 */
import { EventGatewayError } from '../../contract/errors';
import type { SignalCommand } from '../core/commands';
import { checkInputText } from '../core/input-limits';
import { deliveryRequestId } from './request-id';
import type { SqsSignalMessage } from '../core/sqs-message';
import type { FallbackQueue } from './ports';
import type { EnvelopeSealer } from './envelope-seal';
import { isFifoQueue, sendSqsMessage, type SqsClientSource } from './sqs-client';
import { traceMessageAttributes } from './tracing';
import { withStoredSignalPayload, type PayloadStorer } from './sqs-stored-payloads';

/** A signal the fallback queue cannot carry (over the queue handler's input limit, and no store to take it). */
export class FallbackQueueRefusedError extends EventGatewayError {
  override readonly name = 'FallbackQueueRefusedError';
}

export function createSqsFallbackQueue(
  client: SqsClientSource,
  queueUrl: string,
  sealer: EnvelopeSealer,
  /** Stores a payload too large for the message (the gateway's data converter); absent: refused. */
  storer?: PayloadStorer,
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
      let body = sealer.seal({ ...message });
      // The queue handler refuses a message over the input limit for good: a signal the HTTP path
      // took because large payloads go to S3 goes with its payload stored, or not at all (503).
      const within = checkInputText(body, 'queued signal');
      if (!within.ok && within.problem.code === 'payload-too-large' && storer?.offloads) {
        body = sealer.seal(await withStoredSignalPayload(message, storer));
      } else if (!within.ok) throw new FallbackQueueRefusedError(within.problem.detail);
      await sendSqsMessage(client, {
        QueueUrl: queueUrl,
        MessageBody: body,
        // The request's trace, continued by the queue function (a message attribute, outside the seal).
        MessageAttributes: traceMessageAttributes(),
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
