/**
 * `POST /v1/event-log/replay` as OpenAPI declares it (build only; http-event-routes.ts serves it): in
 * the document of a gateway that keeps an event log.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { ReplayAnswer } from '../../../contract/event-replay';
import { ReplayRequestSchema } from '../http-checked-schemas';
import { callerSecurity } from './operation-routes';
import { documented, jsonResponse, problemResponses } from './schemas';

const { eventId, receivedAt, asNew } = ReplayRequestSchema.shape;

const ReplayRequestDocumented = z
  .object({
    eventId: documented(eventId).openapi({ example: 'stripe:evt_1' }),
    receivedAt: documented(receivedAt).openapi({
      description: 'When it was received (ISO 8601, UTC): spares a search of the retention window.',
    }),
    asNew: documented(asNew).openapi({
      description: 'Deliver under a new event id (`<eventId>~replay-<ms>`): workflows apply it again.',
    }),
  })
  .openapi('ReplayRequest');

const ReplayRouteSchema = z.object({
  route: z.string(),
  kind: z.string(),
  workflowId: z.string().optional(),
  operation: z.string().optional(),
  runId: z.string().optional(),
  status: z.string(),
  problem: z.object({ code: z.string(), detail: z.string() }).partial().optional(),
});

const ReplayAnswerSchema = z
  .object({
    eventId: z.string(),
    deliveredAs: z.string().optional(),
    status: z.enum(['delivered', 'duplicate', 'skipped', 'failed', 'not-found']),
    reason: z.string().optional(),
    routes: z.array(ReplayRouteSchema),
  })
  .openapi('ReplayAnswer');

// The contract's type and the documented schema stay one shape: a change to either fails here.
const answerMatchesSchema = (answer: ReplayAnswer): z.infer<typeof ReplayAnswerSchema> => answer;
void answerMatchesSchema;

export const replayRoute = createRoute({
  method: 'post',
  path: '/v1/event-log/replay',
  summary: 'Deliver a recorded event again, read from the gateway’s own event log',
  description:
    'Same event id unless `asNew`: what a run applied is answered `duplicate`. 404 `not-found` when the log has no such event. ' +
    'Caller authentication only (api-key, or IAM/JWT at API Gateway).',
  security: callerSecurity,
  request: {
    body: { content: { 'application/json': { schema: ReplayRequestDocumented } }, required: true },
  },
  responses: {
    200: jsonResponse('What the replay did, per route', ReplayAnswerSchema),
    404: jsonResponse('No such event in the log', ReplayAnswerSchema),
    ...problemResponses(400, 401, 403),
  },
});
