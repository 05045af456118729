/**
 * The HTTP API's schemas as the OpenAPI document states them (build only: scripts/openapi.ts). The
 * request parts the routes check are clones of the very schemas their generated checks are made
 * from (core/identifiers, ../http-checked-schemas), so the document and the checks cannot drift apart.
 */
import { z } from '@hono/zod-openapi';
import { z as zod } from 'zod';
import { CloudEventSchema } from '../../core/checked-schemas';
import { EventIdSchema, OperationNameSchema, WorkflowIdSchema } from '../../core/identifiers';

/**
 * The core's schemas may be created before @hono/zod-openapi extends zod (import order), and only
 * instances created after that have `.openapi`: a clone is such an instance, with the same checks.
 */
export const documented = <T extends z.ZodType>(schema: T): T => schema.clone();

/**
 * `WORKFLOW_ID_PATTERN` as the document states it: the same excluded characters spelled as `\uXXXX`
 * ranges instead of Unicode property escapes, which most non-JavaScript validators and generators
 * (Python's `re`: schemathesis, jsonschema) cannot compile. It agrees with the core's pattern on
 * every BMP character (a test holds it to that); the few astral format characters (U+110BD,
 * U+E0001, tags…) it cannot name portably pass the document and get the core's 400.
 */
export const DOCUMENTED_WORKFLOW_ID_PATTERN =
  '^[^\\u0000-\\u001F\\u007F-\\u009F\\u00AD\\u0600-\\u0605\\u061C\\u06DD\\u070F\\u0890-\\u0891\\u08E2\\u180E' +
  '\\u200B-\\u200F\\u2028-\\u202E\\u2060-\\u2064\\u2066-\\u206F\\uFEFF\\uFFF9-\\uFFFB]+$';

/** The document's header. */
export const OPENAPI_INFO = {
  openapi: '3.1.0',
  info: {
    title: 'Temporal Event Gateway',
    version: 'v1',
    description:
      'Turns external events into Temporal signals, updates and queries. Errors are RFC 9457 problem+json naming the offending `field`. ' +
      'Each deployment authenticates /v1 requests in exactly one way, chosen by GATEWAY_AUTH (none, api-key, standard-webhooks, github, stripe); ' +
      'the security alternatives list them all, the empty one standing for `none`. A body signature does not cover the URL, so the ' +
      'path-addressed /v1/workflows/… endpoints take caller authentication only (api-key, or IAM/JWT at API Gateway with `none`). ' +
      'Provider webhooks go to /v1/webhooks/{source}, verified by each source’s own preset and secrets.',
  },
} as const;

export const WorkflowIdParam = documented(WorkflowIdSchema).openapi({
  param: { name: 'workflowId', in: 'path' },
  example: 'staged-order-42',
  // The generator would print the RegExp with its flags (`…$/u`), which no validator compiles.
  pattern: DOCUMENTED_WORKFLOW_ID_PATTERN,
  description: 'Workflow ID; must match a declared target pattern.',
});

const operationParam = (name: string, example: string) =>
  documented(OperationNameSchema).openapi({ param: { name, in: 'path' }, example });

export const SignalParams = z.object({
  workflowId: WorkflowIdParam,
  signal: operationParam('signal', 'advanceStage'),
});
export const QueryParams = z.object({
  workflowId: WorkflowIdParam,
  query: operationParam('query', 'progress'),
});
export const UpdateParams = z.object({
  workflowId: WorkflowIdParam,
  update: operationParam('update', 'setStage'),
});
export const WorkflowParams = z.object({ workflowId: WorkflowIdParam });

export const IdempotencyHeaders = z.object({
  'idempotency-key': documented(EventIdSchema)
    .optional()
    .openapi({
      param: { name: 'idempotency-key', in: 'header' },
      description: 'Event id: posting the same key again is applied once.',
      example: 'order-42-stage-1',
    }),
});

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    field: z.string().optional().openapi({ description: 'The offending field, e.g. `body.stage`.' }),
    instance: z.string().optional(),
  })
  .openapi('Problem');

export const SignalAcceptedSchema = z
  .object({
    status: z.enum(['delivered', 'queued', 'duplicate']).openapi({
      description:
        '`duplicate`: the workflow has closed, and its latest run had already applied this event (a retry).',
    }),
    workflowId: z.string(),
    signal: z.string(),
    eventId: z.string(),
  })
  .openapi('SignalAccepted');

export const UpdateResultSchema = z
  .object({
    result: z.unknown().openapi({
      description: "The update handler's return value.",
      example: { stage: 2, activitiesCompleted: 1 },
    }),
    workflowId: z.string(),
    update: z.string(),
    eventId: z.string().openapi({ description: 'The event id the update id derives from.' }),
    status: z.literal('duplicate').optional().openapi({
      description:
        'Present when the workflow had closed and `result` is the one its latest run recorded for this event.',
    }),
  })
  .openapi('UpdateResult');

export const StartAcceptedSchema = z
  .object({
    status: z.enum(['started', 'already-started', 'running']).openapi({
      description:
        '`started`: this request started the run; `already-started`: an earlier request of the same event did; ' +
        "`running`: another event's run is running and the target uses it (`use-existing`): this input was not applied.",
    }),
    workflowId: z.string(),
    runId: z.string(),
    eventId: z.string().openapi({ description: 'The event id the start request id derives from.' }),
  })
  .openapi('StartAccepted');

export const DeliverySchema = z
  .object({
    route: z.string().openapi({ description: 'The route that produced this delivery.' }),
    workflowId: z.string(),
    signal: z.string().optional(),
    update: z.string().optional(),
    start: z.literal(true).optional().openapi({ description: 'The route starts the workflow.' }),
    status: z.enum(['delivered', 'queued', 'failed']),
    result: z.unknown().optional().openapi({
      description:
        "An update's result; for a start, `{ status, runId }` as `POST /v1/workflows/{workflowId}` answers.",
    }),
    problem: ProblemSchema.optional().openapi({ description: 'Why a failed delivery failed.' }),
  })
  .openapi('Delivery');

export const EventAcceptedSchema = z
  .object({
    status: z.enum(['delivered', 'queued', 'partial']).openapi({
      description:
        '`delivered`: every delivery reached its workflow; `queued`: some were queued durably; `partial`: some failed permanently (see `deliveries`).',
    }),
    eventId: z.string(),
    deliveries: z.array(DeliverySchema),
  })
  .openapi('EventAccepted');

/** Binary-mode attributes; structured-mode events carry them in the body instead. */
const ceHeader = (name: string, example: string) =>
  z
    .string()
    .optional()
    .openapi({
      param: { name, in: 'header' },
      description: `Binary mode: the event's ${name.slice(3)}.`,
      example,
    });

export const CloudEventHeaders = z.object({
  'ce-specversion': ceHeader('ce-specversion', '1.0'),
  'ce-id': ceHeader('ce-id', 'evt-42-1'),
  'ce-source': ceHeader('ce-source', '/orders'),
  'ce-type': ceHeader('ce-type', 'com.example.stage.advanced'),
});

/**
 * The structured-mode body, documented from the very schema the gateway checks events against. A
 * plain schema object (not zod), so the gateway's own parser reads the body — see `JsonBody`.
 */
const { $schema: _dialect, ...cloudEventJsonSchema } = zod.toJSONSchema(CloudEventSchema, { io: 'input' });
export const CloudEventBody = {
  ...(cloudEventJsonSchema as object),
  type: 'object' as const,
  description: 'A CloudEvents 1.0 event in structured mode; routes read `data` and the attributes.',
  example: {
    specversion: '1.0',
    id: 'evt-42-1',
    source: '/orders',
    type: 'com.example.stage.advanced',
    data: { workflowKey: 'order-42', stage: 1 },
  },
};

export const BinaryEventData = {
  description: 'Binary mode: the event data; the attributes are the ce-* headers.',
  example: { workflowKey: 'order-42', stage: 1 },
};

export const WorkflowDescriptionSchema = z
  .object({
    workflowId: z.string(),
    runId: z.string(),
    workflowType: z.string(),
    status: z.string().openapi({ example: 'RUNNING' }),
    startTime: z.string().nullable(),
    closeTime: z.string().nullable(),
    taskQueue: z.string().nullable(),
    historyLength: z.number().int(),
  })
  .openapi('WorkflowDescription');

export const QueryResultSchema = z.object({ result: z.unknown() }).openapi('QueryResult');
export const HealthSchema = z
  .object({ status: z.literal('ok'), temporal: z.object({ namespace: z.string() }) })
  .openapi('Health');

/**
 * A plain OpenAPI schema object, not zod: the body is read and validated by the gateway itself
 * (415/413/400 as problem documents) against the schema the target declares for the operation.
 */
export const JsonBody = {
  description: "The operation's argument, validated against the JSON Schema the target declares for it.",
  example: { stage: 1 },
};

/**
 * An operation's argument as the SDK's handlers take it, each form of which the target declares:
 * no body (declared without a schema: the workflow receives no argument), one JSON value, or a
 * JSON array spread into positional arguments (a tuple schema, `prefixItems`).
 */
export const OperationArgument = {
  description:
    'The argument, as the target declares the operation: no body when it is declared without a `schema` (the workflow ' +
    'receives no argument, not null); one JSON value validated against its `schema`; or, for a tuple schema ' +
    '(`"type": "array"` with `prefixItems`), a JSON array whose items are the positional arguments.',
  examples: [{ stage: 1 }, ['alice', 'bob', 100]],
};

/** A response whose body is JSON of `schema`, as a route declares it. */
export const jsonResponse = <S>(description: string, schema: S) => ({
  description,
  content: { 'application/json': { schema } },
});

export const problemResponses = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((status) => [
      status,
      { description: 'Problem', content: { 'application/problem+json': { schema: ProblemSchema } } },
    ]),
  );

/**
 * Every way a deployment may authenticate senders. Exactly one applies, chosen by GATEWAY_AUTH; the
 * empty requirement in `API_SECURITY` stands for `none`, the local default.
 */
export const SECURITY_SCHEMES = {
  apiKey: {
    type: 'apiKey',
    in: 'header',
    name: 'x-api-key',
    description: 'GATEWAY_AUTH=api-key: one of the keys in GATEWAY_API_KEYS.',
  },
  bearerApiKey: {
    type: 'http',
    scheme: 'bearer',
    description: 'GATEWAY_AUTH=api-key: an API key sent as `Authorization: Bearer <key>`.',
  },
  standardWebhooks: {
    type: 'apiKey',
    in: 'header',
    name: 'webhook-signature',
    description:
      'GATEWAY_AUTH=standard-webhooks: `webhook-id`, `webhook-timestamp` (within 5 minutes) and `webhook-signature` over the raw body (standardwebhooks.com). The webhook-id is the event id.',
  },
  githubSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'x-hub-signature-256',
    description: 'GATEWAY_AUTH=github: `sha256=<hex HMAC-SHA256 of the raw body>`.',
  },
  stripeSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'stripe-signature',
    description:
      'GATEWAY_AUTH=stripe: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`, within 5 minutes.',
  },
} as const;

export const API_SECURITY: Record<string, string[]>[] = [
  {},
  ...Object.keys(SECURITY_SCHEMES).map((name) => ({ [name]: [] })),
];
