/**
 * The HTTP API's schemas, shared by request validation and the generated OpenAPI document. Path
 * parameter rules are the core's, so the document and the checks cannot drift apart.
 */
import { z } from '@hono/zod-openapi';
import { EventIdSchema, OperationNameSchema, WorkflowIdSchema } from '../core/commands';

/**
 * The core's schemas may be created before @hono/zod-openapi extends zod (import order), and only
 * instances created after that have `.openapi`: a clone is such an instance, with the same checks.
 */
const documented = <T extends z.ZodType>(schema: T): T => schema.clone() as T;

export const WorkflowIdParam = documented(WorkflowIdSchema).openapi({
  param: { name: 'workflowId', in: 'path' },
  example: 'staged-order-42',
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
export const WorkflowParams = z.object({ workflowId: WorkflowIdParam });

export const IdempotencyHeaders = z.object({
  'idempotency-key': documented(EventIdSchema).optional().openapi({
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
    status: z.enum(['delivered', 'queued']),
    workflowId: z.string(),
    signal: z.string(),
    eventId: z.string(),
  })
  .openapi('SignalAccepted');

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

export const problemResponses = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((status) => [
      status,
      { description: 'Problem', content: { 'application/problem+json': { schema: ProblemSchema } } },
    ]),
  );
