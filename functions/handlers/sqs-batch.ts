/**
 * The SQS batch handler's logic, independent of where its dependencies come from (Lambda or the
 * local poller). A record is a gateway command, a CloudEvent (routed, possibly to several
 * workflows) or a queue-mode signal (see core/sqs-message). Each record ends in one of three ways:
 *   delivered            → success (SQS deletes it);
 *   permanent failure    → written to the DLQ with the reason, then success (never retried);
 *   transient failure    → reported in batchItemFailures (SQS redelivers it; after maxReceiveCount
 *                          the queue's redrive policy moves it to the DLQ).
 * FIFO batches run in order, and a failure fails the rest of its message group in the batch.
 * A sealed message that carries its payload as a stored reference (a large signal or webhook the
 * HTTP path queued) has it fetched and decoded first; a store that fails is a transient failure.
 */
import {
  BatchProcessor,
  EventType,
  SqsFifoPartialProcessorAsync,
  processPartialResponse,
} from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import pLimit from 'p-limit';
import { EventGatewayError } from '../../contract/errors';
import { reservedPrefixOf } from '../core/event-ids';
import type { GatewayConfig } from '../core/gateway-config-model';
import type { FailedDelivery } from '../core/outcomes';
import type { Problem } from '../core/problems';
import type { Result } from '../core/result';
import type { RoutedCommand } from '../core/routes';
import {
  parseSqsRecord,
  routeResolvedSqsMessage,
  sqsRecordEventId,
  storedPayloadOf,
  type SqsTrust,
} from '../core/sqs-message';
import { routedOutcomes } from '../core/event-record-outcomes';
import type { Deliverer } from '../adapters/deliverer';
import { NO_EVENT_RECORDER, type EventRecorder } from '../adapters/event-log-recorder';
import type { EnvelopeSealer } from '../adapters/envelope-seal';
import type { GatewayLogger } from '../adapters/logger';
import type { DeadLetters } from '../adapters/sqs-dead-letters';
import { busyRedeliveryDelaySeconds, type Redelivery } from '../adapters/sqs-redelivery';
import { isFifoQueue } from '../adapters/sqs-client';
import {
  annotateTrace,
  incomingTraceContext,
  tracingFromEnv,
  type GatewayTracing,
} from '../adapters/tracing';
import { resolveStoredPayload, type StoredPayloadResolver } from '../adapters/sqs-stored-payloads';

export const DEFAULT_SQS_CONCURRENCY = 10;

export interface SqsBatchDeps {
  config: GatewayConfig;
  /**
   * Delivers each routed command (a start its runtime cannot make is dead-lettered). A record is
   * never queued again by it: SQS redelivers the record itself.
   */
  deliverer: Deliverer;
  deadLetters: DeadLetters;
  logger: GatewayLogger;
  /**
   * Checks the seal of messages that claim to be gateway-made (webhook envelopes, queued signals).
   * Absent: no message counts as sealed — every such claim is dead-lettered (fails closed).
   */
  sealer?: EnvelopeSealer;
  /** Counts forged gateway messages (CloudWatch EMF in Lambda). */
  trustMetrics?: { unverifiedEnvelope(): void };
  /**
   * The data converter that resolves a sealed message's stored payload (the runtime's clients).
   * Absent, or without a large payload store: such a message is dead-lettered with the reason.
   */
  clients?: { readonly dataConverter: StoredPayloadResolver };
  /** Records of a standard-queue batch delivered at the same time, at most. */
  concurrency?: number;
  /**
   * Sets when SQS shows again a record whose workflow cannot take more now (workflow-busy): a
   * growing delay per receive. Absent: the queue's visibility timeout applies.
   */
  redelivery?: Redelivery;
  /**
   * Each record's trace: a child of the context in its `traceparent`/`tracestate` message
   * attributes (the gateway's queue hop), else a new trace. @default trace context only, no spans
   */
  tracing?: GatewayTracing;
  /**
   * Records each record's outcome in the event log (issue 30): a producer's message as a received
   * event, a message the gateway queued as a further outcome of the event it holds. @default none
   */
  recorder?: EventRecorder | undefined;
}

/**
 * The event log's view of a record: a producer's message (`@sqs:`/`@cloudevent:queue:` ids, or one
 * not routed) is an event received here; any other was queued by the gateway's HTTP path, so this
 * is a further outcome of an event recorded there (filed under the day SQS took the message).
 */
function recordedAs(config: GatewayConfig, record: SQSRecord, eventId: string | undefined) {
  const sent = Number(record.attributes?.SentTimestamp);
  const receivedAt = Number.isFinite(sent) && sent > 0 ? new Date(sent).toISOString() : undefined;
  const queue = record.eventSourceARN?.split(':').pop();
  const producer = { kind: 'sqs' as const, ...(queue ? { queue } : {}) };
  const provider = eventId === undefined ? undefined : reservedPrefixOf(config, eventId);
  if (eventId === undefined || eventId.startsWith('@sqs:') || eventId.startsWith('@cloudevent:queue:')) {
    return {
      stage: 'received' as const,
      event: { eventId: eventId ?? sqsRecordEventId(record), entry: producer, body: record.body, receivedAt },
    };
  }
  const entry =
    provider && provider !== '@'
      ? { kind: 'webhook' as const, source: provider.slice(0, -1) }
      : { kind: 'http' as const, route: 'fallback' };
  return { stage: 'queue' as const, event: { eventId, entry, receivedAt } };
}

/** Thrown for a record SQS should deliver again; Powertools turns it into a batch item failure. */
export class TransientDeliveryError extends EventGatewayError {
  override readonly name = 'TransientDeliveryError';
}

export function createSqsBatchHandler(deps: SqsBatchDeps) {
  const { config, deliverer, deadLetters, logger } = deps;
  const recorder = deps.recorder ?? NO_EVENT_RECORDER;
  const limit = pLimit(deps.concurrency ?? DEFAULT_SQS_CONCURRENCY);
  const tracing = deps.tracing ?? tracingFromEnv({});

  /** A record in its own trace scope: its spans, its DLQ message and its log lines carry it. */
  function traced(record: SQSRecord): Promise<void> {
    // A producer's attributes are only trace context: nothing in them is trusted.
    const incoming = incomingTraceContext((name) => record.messageAttributes?.[name]?.stringValue);
    return tracing.inRequest('sqs record', 'consumer', incoming, () => handleRecord(record));
  }

  /** The record's deliveries; a sealed message's stored payload resolved first. */
  async function routeRecord(record: SQSRecord): Promise<Result<RoutedCommand[]>> {
    // Absent sealer: no message counts as sealed (fails closed); else the one parse checks the seal.
    const { sealer } = deps;
    const trust: SqsTrust = { sealed: sealer ? (body) => sealer.verify(body) : false };
    const stored = storedPayloadOf(record, trust);
    if (!stored.ok) return stored;
    if (!stored.value) return parseSqsRecord(config, record, trust);
    let resolved: Result<Record<string, unknown>>;
    try {
      resolved = await resolveStoredPayload(stored.value, deps.clients?.dataConverter);
    } catch (error) {
      // S3 or KMS unavailable, a key refused: SQS shows the message again; never dropped.
      logger.warn('stored payload not resolved', { messageId: record.messageId, error: String(error) });
      throw new TransientDeliveryError(`The stored payload could not be resolved: ${String(error)}`, {
        cause: error,
      });
    }
    return resolved.ok ? routeResolvedSqsMessage(config, record, resolved.value) : resolved;
  }

  async function handleRecord(record: SQSRecord): Promise<void> {
    const parsed = await routeRecord(record);
    if (!parsed.ok) {
      await deadLetter(record, parsed.problem);
      if (recorder.enabled) {
        const { stage, event } = recordedAs(config, record, undefined);
        await recorder
          .begin(event, stage)
          .finish({ routes: [], status: 'dead-lettered', problem: parsed.problem });
      }
      if (parsed.problem.code === 'unverified-envelope') {
        deps.trustMetrics?.unverifiedEnvelope();
        logger.warn('forged gateway message dead-lettered: nothing delivered', {
          messageId: record.messageId,
          senderId: record.attributes?.SenderId,
        });
      }
      return;
    }
    // One record may fan out (a CloudEvent matching several routes). A retry re-sends every
    // delivery; those already made are deduplicated by their request ids.
    // An update from a queue has nobody waiting for its answer: a rejection is a permanent failure,
    // and so is a start that finds another event's run (409 workflow-running).
    const only = parsed.value.length === 1 ? parsed.value[0] : undefined;
    if (only) {
      const { command } = only;
      // A provider's event id is `<source>:<id>`; a command's own `source` is its route or entry.
      const provider = reservedPrefixOf(config, command.eventId)?.slice(0, -1);
      annotateTrace({
        eventId: command.eventId,
        workflowId: command.workflowId,
        source: provider ?? command.source,
      });
      if ('route' in only) annotateTrace({ route: only.route });
    }
    const { stage, event } = recordedAs(config, record, parsed.value[0]?.command.eventId);
    const recording = recorder.enabled ? recorder.begin(event, stage) : undefined;
    const deliveries = await Promise.all(parsed.value.map((routed) => deliverer.deliver(routed)));
    const failures = deliveries.filter((d): d is FailedDelivery => d.status === 'failed');
    const transient = failures.find((failure) => failure.transient);
    // Transient: still queued (SQS shows it again); permanent: dead-lettered first, so the event log
    // never says "dead-lettered" of a message whose DLQ send failed (SQS shows that one again).
    const permanent = transient ? undefined : failures[0];
    if (permanent) await deadLetter(record, permanent.problem);
    await recording?.finish({
      routes: routedOutcomes(parsed.value, deliveries, transient ? 'queued' : 'dead-lettered'),
      ...(parsed.value.length === 0 ? { status: 'ignored' as const } : {}),
      ...(transient ? { problem: transient.problem } : failures[0] ? { problem: failures[0].problem } : {}),
    });
    if (transient) {
      if (transient.problem.code === 'workflow-busy' && deps.redelivery) {
        const receives = Number(record.attributes?.ApproximateReceiveCount ?? '1');
        await deps.redelivery.delay(record, busyRedeliveryDelaySeconds(receives)).catch((error: unknown) => {
          logger.warn('could not delay the redelivery', {
            messageId: record.messageId,
            error: String(error),
          });
        });
      }
      throw new TransientDeliveryError(transient.problem.detail, { cause: transient.cause });
    }
  }

  async function deadLetter(record: SQSRecord, problem: Problem): Promise<void> {
    // The id as the producer wrote it: a redrive writes it back and it is namespaced again.
    const eventId = sqsRecordEventId(record);
    await deadLetters.send(record, problem, eventId);
    logger.warn('message sent to the DLQ', { messageId: record.messageId, eventId, errorType: problem.code });
  }

  return async function handleSqsBatch(event: SQSEvent): Promise<SQSBatchResponse> {
    const fifo = event.Records.length > 0 && isFifoQueue(event.Records[0]!.eventSourceARN);
    // A fresh processor per batch: the local poller may run batches of two queues at once.
    const response = fifo
      ? await processPartialResponse(event, traced, new SqsFifoPartialProcessorAsync(), {
          skipGroupOnError: true,
          throwOnFullBatchFailure: false,
        })
      : await processPartialResponse(
          event,
          (record: SQSRecord) => limit(() => traced(record)),
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
