/**
 * What an SQS message means. Four shapes arrive on the gateway's queues:
 *
 * 1. the gateway's command `{ workflowId, signal, payload, eventId? }` (producers, the CLI, the
 *    HTTP fallback);
 * 2. a CloudEvent, routed by the configured routes like `POST /v1/events`;
 * 3. a webhook envelope (a verified provider event the HTTP path queued or dead-lettered), routed
 *    by its source's routes — only with the gateway's seal (core/gateway-seal.ts): any SQS
 *    producer can write the events queue, and an unsealed envelope is a forgery, dead-lettered as
 *    `unverified-envelope`;
 * 4. queue-mode ingest (API Gateway → SQS, no Lambda on the HTTP path): the body is the signal's
 *    bare argument and the target travels in the message attributes below.
 *
 * The event id is the body's `eventId` (or the CloudEvent `id`), else the SQS `messageId`, which
 * is stable across redeliveries — so a redelivered message maps to the same Temporal request id.
 * A producer's id is namespaced (`@sqs:queue:<id>`, core/event-ids.ts); only a sealed message — a
 * signal the HTTP path queued — keeps the id it carries, already namespaced by the gateway.
 *
 * A sealed message may carry its payload as a stored reference instead of inline (shapes 1 and 3,
 * {@link STORED_PAYLOAD_FIELDS}): the queue handler resolves it before routing. Only the gateway's
 * sealer can make such a message; an unsealed one is a forgery, dead-lettered unread.
 */
import type * as z from 'zod';
import type { SqsSignalMessageSchema } from './checked-schemas';
import { sqsSignalMessage } from './checks.generated.js';
import { issueField } from './field-validation';
import { looksLikeCloudEvent } from './cloud-event';
import { EVENT_SOURCES } from '../../contract/temporal-headers';
import { neverStartingSignal, prepareSignal } from './commands';
import type { GatewayConfig } from './gateway-config-model';
import { problem } from './problems';
import { fail, ok, type Result } from './result';
import { routeCloudEvent, type RoutedCommand } from './routes';
import { EVENT_ID_ENTRIES, namespaceEventId, QUEUE_PRODUCERS_CALLER } from './event-ids';
import { claimsGatewayOrigin, GATEWAY_SEAL_FIELD } from './gateway-seal';
import { checkInputText, MAX_OFFLOADED_INPUT_BYTES } from './input-limits';
import { looksLikeWebhookEnvelope, routeWebhookEnvelope } from './webhook-envelope';
import {
  STORED_PAYLOAD_FIELDS,
  storedReferenceIn,
  unresolvedStoredPayloadProblem,
  type StoredPayloadMessage,
} from './sqs-stored-payload';

export { STORED_PAYLOAD_FIELDS, unresolvedStoredPayloadProblem, type StoredPayloadMessage };

/** Message attributes of queue-mode ingest; infra maps API Gateway path parameters onto them. */
export const QUEUE_INGEST_ATTRIBUTES = {
  /** Path parameter `{workflowId}` of the signal route. */
  workflowId: 'workflowId',
  /** Path parameter `{signal}` of the signal route. */
  signal: 'signal',
  /** API Gateway's request id, for correlating access logs with the message. */
  apiRequestId: 'apiRequestId',
} as const;

/** The gateway's command, as core/checked-schemas.ts's `SqsSignalMessageSchema` describes it. */
export type SqsSignalMessage = z.infer<typeof SqsSignalMessageSchema>;

/** The parts of an SQS record (Lambda's `SQSRecord` fits) that decide what it means. */
export interface SqsRecordInput {
  messageId: string;
  body: string;
  messageAttributes?: Record<string, { stringValue?: string | undefined } | undefined>;
}

/** Whether a parsed body carries a gateway seal at all (most are producers' and carry none). */
const hasGatewaySeal = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.hasOwn(value, GATEWAY_SEAL_FIELD);

function parseBody(body: string): Result<unknown> {
  const within = checkInputText(body);
  if (!within.ok) return within;
  try {
    return ok(JSON.parse(body));
  } catch (error) {
    return fail(
      problem('invalid-json', `The message body is not valid JSON: ${(error as Error).message}`, 'body'),
    );
  }
}

/** How a queue message is trusted: sealed (known, or checked on the parsed body when it carries a seal). */
export interface SqsTrust {
  sealed: boolean | ((body: Record<string, unknown>) => boolean);
}

const isSealed = (trust: SqsTrust, value: unknown) =>
  typeof trust.sealed === 'boolean' ? trust.sealed : hasGatewaySeal(value) && trust.sealed(value);

/** Whether a queue-mode record (target in the attributes): its body is a bare argument, never resolved. */
const queueModeTarget = (record: SqsRecordInput) => {
  const attributes = record.messageAttributes ?? {};
  const workflowId = attributes[QUEUE_INGEST_ATTRIBUTES.workflowId]?.stringValue;
  const signal = attributes[QUEUE_INGEST_ATTRIBUTES.signal]?.stringValue;
  return workflowId !== undefined && signal !== undefined ? { workflowId, signal } : undefined;
};

/**
 * The stored payload a record carries, when it carries one (`undefined` otherwise, and for every
 * queue-mode record: its body is a producer's bare argument). A record that carries one without a
 * gateway seal that verifies is the problem that dead-letters it: only the gateway's sealer can make
 * a message carry a reference, so a producer can never make the queue handler read an S3 object.
 */
export function storedPayloadOf(
  record: SqsRecordInput,
  trust: SqsTrust = { sealed: false },
): Result<StoredPayloadMessage | undefined> {
  const { body: text } = record;
  // A cheap look first: nearly every message carries its payload inline and is parsed once, later.
  const mentioned =
    text.includes(`"${STORED_PAYLOAD_FIELDS.signal}"`) ||
    text.includes(`"${STORED_PAYLOAD_FIELDS.webhookBody}"`);
  if (!mentioned || queueModeTarget(record)) return ok(undefined);
  const body = parseBody(text);
  if (!body.ok) return ok(undefined); // parseSqsRecord names the problem
  const stored = storedReferenceIn(body.value);
  if (!stored) return ok(undefined);
  if (!isSealed(trust, body.value)) return fail(unverifiedEnvelopeProblem());
  return ok({ message: body.value as Record<string, unknown>, ...stored });
}

/**
 * The deliveries of a sealed message whose stored payload the adapter has put back in place
 * (`payload`, or `webhook.body`): routed as the same message carried inline, its body held to the
 * limit the HTTP paths take with a large payload store instead of the queue's.
 */
export function routeResolvedSqsMessage(
  config: GatewayConfig,
  record: SqsRecordInput,
  message: Record<string, unknown>,
): Result<RoutedCommand[]> {
  return routeSqsMessage(config, record, message, true, MAX_OFFLOADED_INPUT_BYTES);
}

function signalDelivery(
  config: GatewayConfig,
  input: {
    workflowId: string;
    signal: string;
    payload: unknown;
    eventId: string;
    suppliedId?: string | undefined;
    neverStart?: boolean;
  },
): Result<RoutedCommand[]> {
  const { neverStart, ...command } = input;
  const prepared = prepareSignal(config, { ...command, source: EVENT_SOURCES.sqs });
  if (!prepared.ok) return prepared;
  const delivery = neverStart ? neverStartingSignal(prepared.value) : prepared.value;
  return ok([{ route: 'direct', kind: 'signal', ...delivery }]);
}

/**
 * The event id of a record whatever is wrong with it, for the DLQ attributes: the body's `eventId`
 * (or a CloudEvent's `id`) when it has a usable one, else the `messageId` — the id a redrive keeps.
 * As the producer wrote it, not namespaced: the redrive writes it back into a body that lacks one,
 * and the queue handler namespaces it again on the way in.
 */
export function sqsRecordEventId(record: SqsRecordInput): string {
  const attributes = record.messageAttributes ?? {};
  if (attributes[QUEUE_INGEST_ATTRIBUTES.workflowId] && attributes[QUEUE_INGEST_ATTRIBUTES.signal]) {
    return record.messageId;
  }
  const body = parseBody(record.body);
  if (!body.ok || typeof body.value !== 'object' || body.value === null) return record.messageId;
  const value = body.value as Record<string, unknown>;
  const webhook = looksLikeWebhookEnvelope(value)
    ? (value.webhook as Record<string, unknown> | null)
    : undefined;
  const id = webhook ? webhook?.eventId : looksLikeCloudEvent(value) ? value.id : value.eventId;
  return typeof id === 'string' && id.length > 0 ? id : record.messageId;
}

/** The problem that dead-letters a message claiming to be gateway-made without the seal. */
export const unverifiedEnvelopeProblem = () =>
  problem(
    'unverified-envelope',
    'The message claims to be made by the gateway (a verified webhook envelope or a sealed message) but ' +
      "carries no valid gateway seal: only the gateway's functions can make one. Nothing was delivered.",
    'body',
  );

/** A producer's id under the queue's namespace (`@sqs:queue:<id>`). */
const producerId = (config: GatewayConfig, supplied: string, field: string) =>
  namespaceEventId(config, {
    entry: EVENT_ID_ENTRIES.sqs,
    caller: QUEUE_PRODUCERS_CALLER,
    supplied,
    field,
  });

/**
 * The deliveries one SQS record asks for, or the permanent problem that sends it to the DLQ.
 * `trust.sealed`: whether the body carries a gateway seal that verifies — known already, or the
 * adapter's check (adapters/envelope-seal.ts), run on the body parsed here, only when the body
 * carries a seal at all; by default a message is a producer's.
 */
export function parseSqsRecord(
  config: GatewayConfig,
  record: SqsRecordInput,
  trust: SqsTrust = { sealed: false },
): Result<RoutedCommand[]> {
  const body = parseBody(record.body);
  if (!body.ok) return body;
  return routeSqsMessage(config, record, body.value, isSealed(trust, body.value));
}

function routeSqsMessage(
  config: GatewayConfig,
  record: SqsRecordInput,
  value: unknown,
  sealed: boolean,
  maxBodyBytes?: number,
): Result<RoutedCommand[]> {
  const target = queueModeTarget(record);
  if (target) {
    const ids = producerId(config, record.messageId, 'messageId');
    if (!ids.ok) return ids;
    return signalDelivery(config, { ...target, payload: value, ...ids.value });
  }

  // A stored reference is the gateway's too: unsealed, it would make the handler read an S3 object.
  const stored = storedReferenceIn(value);
  if (!sealed && (claimsGatewayOrigin(value) || stored)) return fail(unverifiedEnvelopeProblem());
  // Resolved by the handler before routing (storedPayloadOf); never delivered without its payload.
  if (stored) return fail(unresolvedStoredPayloadProblem());
  if (looksLikeWebhookEnvelope(value)) return routeWebhookEnvelope(config, value, maxBodyBytes);
  if (looksLikeCloudEvent(value)) {
    return routeCloudEvent(config, value, {
      namespace: { entry: EVENT_ID_ENTRIES.sqs, caller: QUEUE_PRODUCERS_CALLER },
    });
  }

  const checked = sqsSignalMessage(value);
  if (!checked.ok) {
    const field = issueField('body', checked.issue);
    return fail(
      problem(
        'invalid-request',
        `${field}: ${checked.issue.message} (expected { workflowId, signal, payload, eventId? } or a CloudEvent)`,
        field,
      ),
    );
  }
  const message = checked.value;
  // A sealed message was namespaced by the gateway before it was queued; a producer's is namespaced now.
  const ids =
    sealed && message.eventId !== undefined
      ? ok({ eventId: message.eventId, suppliedId: message.suppliedId })
      : message.eventId !== undefined
        ? producerId(config, message.eventId, 'body.eventId')
        : producerId(config, record.messageId, 'messageId');
  if (!ids.ok) return ids;
  return signalDelivery(config, {
    workflowId: message.workflowId,
    signal: message.signal,
    payload: message.payload,
    ...ids.value,
    ...(message.neverStart ? { neverStart: true } : {}),
  });
}
