/**
 * The HTTP API's request checks as zod schemas: path parameters, the `Idempotency-Key` header, the
 * callback token and the replay request. They are the source of two things built ahead of the
 * Lambda: the generated `Check` functions the routes run (`checks.generated.js` beside this module,
 * written by scripts/generate-validators.ts) and, cloned with their documentation, the OpenAPI
 * document's schemas (handlers/openapi/). The Lambda imports neither this module nor zod.
 */
import * as z from 'zod';
import { EventIdSchema, OperationNameSchema, WorkflowIdSchema } from '../core/identifiers';

/** A JWS compact serialization; long enough for a JSON Schema in the claims, bounded all the same. */
export const CallbackTokenSchema = z
  .string()
  .max(8_192)
  .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'must be a callback token');

/** `POST /v1/event-log/replay`: which recorded event, where to find it, and whether to deliver it anew. */
export const ReplayRequestSchema = z.object({
  eventId: z.string().min(1).max(512),
  // A UTC time only: it names the day folder the log is read from, never a path of the caller's choosing.
  receivedAt: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/)
    .optional(),
  asNew: z.boolean().optional(),
});

/**
 * Every request part a route checks before its handler runs, by the name of its generated check.
 * Objects are open (extra keys pass), as the route validators took them.
 */
export const HTTP_CHECKED_SCHEMAS = {
  workflowParams: z.object({ workflowId: WorkflowIdSchema }),
  signalParams: z.object({ workflowId: WorkflowIdSchema, signal: OperationNameSchema }),
  updateParams: z.object({ workflowId: WorkflowIdSchema, update: OperationNameSchema }),
  queryParams: z.object({ workflowId: WorkflowIdSchema, query: OperationNameSchema }),
  idempotencyHeaders: z.object({ 'idempotency-key': EventIdSchema.optional() }),
  callbackTokenParams: z.object({ token: CallbackTokenSchema }),
  replayRequest: ReplayRequestSchema,
} satisfies Record<string, z.ZodType>;

/** What each check answers when the request part passes. */
export type HttpCheckedValues = {
  [K in keyof typeof HTTP_CHECKED_SCHEMAS]: z.output<(typeof HTTP_CHECKED_SCHEMAS)[K]>;
};
