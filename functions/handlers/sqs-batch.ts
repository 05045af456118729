/**
 * The SQS batch handler's logic, independent of where its dependencies come from (Lambda or the
 * local poller). Each record ends in one of three ways:
 *   delivered            → success (SQS deletes it);
 *   permanent failure    → written to the DLQ with the reason, then success (never retried);
 *   transient failure    → reported in batchItemFailures (SQS redelivers it; after maxReceiveCount
 *                          the queue's redrive policy moves it to the DLQ).
 * FIFO batches run in order, and a failure fails the rest of its message group in the batch.
 */
import {
  BatchProcessor,
  EventType,
  SqsFifoPartialProcessorAsync,
  processPartialResponse,
} from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import pLimit from 'p-limit';
import type { GatewayConfig } from '../core/gateway-config';
import { parseSqsRecord } from '../core/sqs-message';
import type { GatewayLogger } from '../adapters/logger';
import type { DeadLetters } from '../adapters/sqs-dead-letters';
import { isFifoQueue } from '../adapters/sqs-client';
import type { Signaler } from '../adapters/temporal-signaler';

export const DEFAULT_SQS_CONCURRENCY = 10;

export interface SqsBatchDeps {
  config: GatewayConfig;
  signaler: Signaler;
  deadLetters: DeadLetters;
  logger: GatewayLogger;
  /** Records of a standard-queue batch delivered at the same time, at most. */
  concurrency?: number;
}

/** Thrown for a record SQS should deliver again; Powertools turns it into a batch item failure. */
export class TransientDeliveryError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TransientDeliveryError';
  }
}

export function createSqsBatchHandler(deps: SqsBatchDeps) {
  const { config, signaler, deadLetters, logger } = deps;
  const limit = pLimit(deps.concurrency ?? DEFAULT_SQS_CONCURRENCY);

  async function handleRecord(record: SQSRecord): Promise<void> {
    const prepared = parseSqsRecord(config, record);
    if (!prepared.ok) {
      await deadLetters.send(record, prepared.problem);
      logger.warn('message sent to the DLQ', {
        messageId: record.messageId,
        errorType: prepared.problem.code,
      });
      return;
    }
    const { command, target } = prepared.value;
    const outcome = await signaler.signal(command, target);
    if (outcome.status !== 'failed') return;
    if (outcome.transient) {
      throw new TransientDeliveryError(outcome.problem.detail, { cause: outcome.cause });
    }
    await deadLetters.send(record, outcome.problem, command.eventId);
    logger.warn('message sent to the DLQ', {
      messageId: record.messageId,
      eventId: command.eventId,
      errorType: outcome.problem.code,
    });
  }

  return async function handleSqsBatch(event: SQSEvent): Promise<SQSBatchResponse> {
    const fifo = event.Records.length > 0 && isFifoQueue(event.Records[0]!.eventSourceARN);
    // A fresh processor per batch: the local poller may run batches of two queues at once.
    const response = fifo
      ? await processPartialResponse(event, handleRecord, new SqsFifoPartialProcessorAsync(), {
          skipGroupOnError: true,
          throwOnFullBatchFailure: false,
        })
      : await processPartialResponse(
          event,
          (record: SQSRecord) => limit(() => handleRecord(record)),
          new BatchProcessor(EventType.SQS),
          { throwOnFullBatchFailure: false },
        );
    if (response.batchItemFailures.length > 0) {
      logger.warn('records left for redelivery', {
        failed: response.batchItemFailures.length,
        of: event.Records.length,
      });
    }
    return response;
  };
}
