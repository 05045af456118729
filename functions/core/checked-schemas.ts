/**
 * What the functions check at run time, as zod schemas: the identifiers a request names, the
 * CloudEvent, the SQS signal message, the webhook envelope and the callback token's claims. They are
 * the source of the `Check` functions the functions run (`checks.generated.js` beside this module,
 * written by `npm run generate:validators`) and of the API document's schemas. No module a Lambda
 * loads imports this one: zod stays at build, at synth and in tests.
 */
import * as z from 'zod';
import { DeliveryEventIdSchema, EventIdSchema, OperationNameSchema, WorkflowIdSchema } from './identifiers';

const nonEmpty = z.string().min(1, 'must be a non-empty string');

/** The attributes every event is checked against; also the API document's CloudEvent schema. */
export const CloudEventSchema = z.looseObject({
  specversion: z.literal('1.0', 'must be "1.0"'),
  id: nonEmpty,
  source: nonEmpty,
  type: nonEmpty,
  subject: nonEmpty.optional(),
  time: z.iso.datetime({ offset: true, message: 'must be an RFC 3339 timestamp' }).optional(),
  datacontenttype: nonEmpty.optional(),
  dataschema: nonEmpty.optional(),
  data_base64: z.string().optional(),
});

/** A verified webhook as a queue message (core/webhook-envelope.ts). */
export const WebhookEnvelopeSchema = z.strictObject({
  webhook: z.strictObject({
    /** The source it arrived on. */
    source: z.string().min(1).max(64),
    /** The preset that verified its signature on arrival (`stripe`, `shopify`, …). */
    verifiedBy: z.string().min(1).max(64),
    eventId: EventIdSchema,
    eventType: z.string().max(500).optional(),
    /** The request headers, lower-cased, without credentials. */
    headers: z.record(z.string(), z.string()),
    /** The raw body, exactly as signed. */
    body: z.string(),
    receivedAt: z.string(),
  }),
  /** The gateway's seal over the envelope (checked by the queue handler before this schema). */
  gatewaySeal: z.string().optional(),
});

/** The gateway's command on a queue (core/sqs-message.ts). */
export const SqsSignalMessageSchema = z.object({
  workflowId: z.string(),
  signal: z.string(),
  payload: z.unknown(),
  eventId: z.string().optional(),
  /** The id as its caller supplied it (sealed gateway messages only; a producer's is ignored). */
  suppliedId: z.string().optional(),
  /** Deliver only to a running workflow, never start it (set by the HTTP fallback for callbacks). */
  neverStart: z.boolean().optional(),
});

/** The claims' shape, checked again after the signature: a key holder's mistake is still a 401. */
export const CallbackClaimsSchema = z.object({
  jti: z.string().min(1).max(255),
  exp: z.number().int(),
  iat: z.number().int(),
  wid: WorkflowIdSchema,
  act: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('signal'), name: z.string().min(1) }),
    z.object({ kind: z.literal('update'), name: z.string().min(1) }),
    z.object({
      kind: z.literal('activity'),
      taskToken: z
        .string()
        .regex(/^[A-Za-z0-9_-]+$/)
        .min(1),
    }),
  ]),
  sch: z.record(z.string(), z.unknown()).optional(),
});

/** The body of `POST …/fail`: why the partner could not do the step. */
export const CallbackFailureBodySchema = z.object({ reason: z.string().min(1).max(2_000) });

/** Every schema the core checks at run time, by the name of its generated check. */
export const CORE_CHECKED_SCHEMAS = {
  workflowId: WorkflowIdSchema,
  operationName: OperationNameSchema,
  eventId: EventIdSchema,
  deliveryEventId: DeliveryEventIdSchema,
  cloudEvent: CloudEventSchema,
  webhookEnvelope: WebhookEnvelopeSchema,
  sqsSignalMessage: SqsSignalMessageSchema,
  callbackClaims: CallbackClaimsSchema,
  callbackFailureBody: CallbackFailureBodySchema,
} satisfies Record<string, z.ZodType>;
