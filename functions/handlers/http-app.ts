/**
 * The HTTP API v1 as one Hono app: the same object serves API Gateway (via hono/aws-lambda) and the
 * local Node server. Every route resolves its target in core before anything reaches Temporal.
 */
import { OpenAPIHono, createRoute, type z } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { prepareSignal, checkOperation, resolveTarget, type SignalCommand } from '../core/commands';
import type { GatewayConfig } from '../core/gateway-config';
import type { DeliveryOutcome } from '../core/outcomes';
import { problem, type Problem } from '../core/problems';
import { readJsonBody } from '../adapters/http-body';
import { problemResponse } from '../adapters/http-problem';
import type { GatewayLogger } from '../adapters/logger';
import type { Reader } from '../adapters/temporal-reader';
import type { Signaler } from '../adapters/temporal-signaler';
import {
  HealthSchema,
  IdempotencyHeaders,
  JsonBody,
  QueryParams,
  QueryResultSchema,
  SignalAcceptedSchema,
  SignalParams,
  WorkflowDescriptionSchema,
  WorkflowParams,
  problemResponses,
} from './http-schemas';

type SignalAccepted = z.infer<typeof SignalAcceptedSchema>;

/** Large enough for any real signal argument, small against Temporal's 2 MiB payload limit. */
export const MAX_BODY_BYTES = 256 * 1024;

/** Takes a command Temporal could not take right now, durably (the SQS fallback). */
export interface FallbackQueue {
  enqueue(command: SignalCommand): Promise<void>;
}

export interface HttpAppDeps {
  config: GatewayConfig;
  signaler: Signaler;
  reader: Reader;
  logger: GatewayLogger;
  /** Where a transiently failed signal goes instead of a 503; absent = answer 503. */
  fallback?: FallbackQueue;
  newEventId?: () => string;
  maxBodyBytes?: number;
}

const signalRoute = createRoute({
  method: 'post',
  path: '/v1/workflows/{workflowId}/signals/{signal}',
  summary: 'Send a signal to a workflow (signal-with-start where the target allows it)',
  request: {
    params: SignalParams,
    headers: IdempotencyHeaders,
    body: { content: { 'application/json': { schema: JsonBody } }, required: true },
  },
  responses: {
    202: {
      description: 'Delivered, or queued durably',
      content: { 'application/json': { schema: SignalAcceptedSchema } },
    },
    ...problemResponses(400, 403, 404, 409, 413, 415, 422, 503),
  },
});

const describeRoute = createRoute({
  method: 'get',
  path: '/v1/workflows/{workflowId}',
  summary: 'Describe a workflow',
  request: { params: WorkflowParams },
  responses: {
    200: {
      description: 'The workflow',
      content: { 'application/json': { schema: WorkflowDescriptionSchema } },
    },
    ...problemResponses(400, 403, 404, 503, 504),
  },
});

const queryRoute = createRoute({
  method: 'get',
  path: '/v1/workflows/{workflowId}/queries/{query}',
  summary: 'Run a declared query',
  request: { params: QueryParams },
  responses: {
    200: { description: 'The query result', content: { 'application/json': { schema: QueryResultSchema } } },
    ...problemResponses(400, 403, 404, 422, 503, 504),
  },
});

const healthRoute = createRoute({
  method: 'get',
  path: '/healthz',
  summary: 'Readiness: Temporal answers',
  responses: {
    200: { description: 'Ready', content: { 'application/json': { schema: HealthSchema } } },
    ...problemResponses(503),
  },
});

export function createHttpApp(deps: HttpAppDeps) {
  const { config, signaler, reader, logger } = deps;
  const newEventId = deps.newEventId ?? (() => crypto.randomUUID());

  const app = new OpenAPIHono({
    // Schema violations in params or headers: 400 naming the first offending field.
    defaultHook: (result, c) => {
      if (result.success) return;
      const issue = result.error.issues[0];
      const where =
        result.target === 'param' ? 'path' : result.target === 'header' ? 'header' : result.target;
      const field = [where, ...(issue?.path ?? []).map(String)].join('.');
      return problemResponse(
        problem('invalid-request', `${field}: ${issue?.message ?? 'invalid'}`, field),
        c.req.path,
      );
    },
  });

  /** Ends the request with a problem document; typed routes return only their success bodies. */
  const fail = (p: Problem, path: string): never => {
    const res = problemResponse(p, path);
    throw new HTTPException(res.status as 400, { res });
  };

  async function acceptOutcome(outcome: DeliveryOutcome, path: string): Promise<SignalAccepted> {
    if (outcome.status === 'failed' && outcome.transient && outcome.command && deps.fallback) {
      try {
        await deps.fallback.enqueue(outcome.command);
        logger.warn('signal queued after a transient failure', {
          workflowId: outcome.command.workflowId,
          eventId: outcome.command.eventId,
          reason: outcome.problem.detail,
        });
        return accepted({ status: 'queued', command: outcome.command });
      } catch (error) {
        logger.error('fallback queue refused the event', {
          eventId: outcome.command.eventId,
          error: String(error),
        });
        return fail(
          problem('temporal-unavailable', `${outcome.problem.detail} The fallback queue failed too.`),
          path,
        );
      }
    }
    if (outcome.status === 'failed') {
      const details = { eventId: outcome.command?.eventId, problem: outcome.problem.code };
      if (outcome.transient) logger.error('signal not delivered', details);
      else logger.info('signal refused', details);
      return fail(
        outcome.transient ? problem('temporal-unavailable', outcome.problem.detail) : outcome.problem,
        path,
      );
    }
    return accepted(outcome);
  }

  function accepted(outcome: Extract<DeliveryOutcome, { status: 'delivered' | 'queued' }>): SignalAccepted {
    const { workflowId, signal, eventId } = outcome.command;
    return { status: outcome.status, workflowId, signal, eventId };
  }

  app.use(
    '/v1/*',
    bodyLimit({
      maxSize: deps.maxBodyBytes ?? MAX_BODY_BYTES,
      onError: (c) =>
        problemResponse(
          problem(
            'payload-too-large',
            `The body exceeds ${deps.maxBodyBytes ?? MAX_BODY_BYTES} bytes.`,
            'body',
          ),
          c.req.path,
        ),
    }),
  );

  app.openapi(signalRoute, async (c) => {
    const { workflowId, signal } = c.req.valid('param');
    const path = c.req.path;
    // Resolve the target before reading the body: an undeclared target is 403 whatever it sends.
    const target = resolveTarget(config, workflowId);
    if (!target.ok) return fail(target.problem, path);
    const body = await readJsonBody(c.req.raw);
    if (!body.ok) return fail(body.problem, path);
    const eventId = c.req.valid('header')['idempotency-key'] ?? newEventId();
    const prepared = prepareSignal(config, { workflowId, signal, payload: body.value, eventId });
    if (!prepared.ok) return fail(prepared.problem, path);
    const outcome = await signaler.signal(prepared.value.command, prepared.value.target);
    return c.json(await acceptOutcome(outcome, path), 202);
  });

  app.openapi(describeRoute, async (c) => {
    const { workflowId } = c.req.valid('param');
    const target = resolveTarget(config, workflowId);
    if (!target.ok) return fail(target.problem, c.req.path);
    const result = await reader.describe(workflowId);
    return result.ok ? c.json(result.value, 200) : fail(result.problem, c.req.path);
  });

  app.openapi(queryRoute, async (c) => {
    const { workflowId, query } = c.req.valid('param');
    const target = resolveTarget(config, workflowId);
    if (!target.ok) return fail(target.problem, c.req.path);
    const allowed = checkOperation(target.value, 'query', query);
    if (!allowed.ok) return fail(allowed.problem, c.req.path);
    const result = await reader.query(workflowId, query);
    return result.ok ? c.json({ result: result.value }, 200) : fail(result.problem, c.req.path);
  });

  app.openapi(healthRoute, async (c) => {
    const result = await reader.health();
    return result.ok
      ? c.json({ status: 'ok' as const, temporal: result.value }, 200)
      : fail(problem('temporal-unavailable', result.problem.detail), c.req.path);
  });

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Temporal Event Gateway',
      version: 'v1',
      description:
        'Turns external events into Temporal signals, updates and queries. Errors are RFC 9457 problem+json.',
    },
  });

  app.notFound((c) =>
    fail(problem('route-not-found', `No endpoint ${c.req.method} ${c.req.path}.`), c.req.path),
  );
  app.onError((error, c) => {
    if (error instanceof HTTPException) return error.getResponse();
    // Only a bug gets here; the sender still gets a problem document, never a stack trace.
    logger.error('unhandled error', { error: String(error), path: c.req.path });
    return new Response(
      JSON.stringify({
        type: 'about:blank',
        title: 'Internal error',
        status: 500,
        detail: 'Unexpected error.',
      }),
      { status: 500, headers: { 'content-type': 'application/problem+json' } },
    );
  });

  return app;
}

export type HttpApp = ReturnType<typeof createHttpApp>;
