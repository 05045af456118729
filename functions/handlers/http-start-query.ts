/**
 * `POST /v1/workflows/{workflowId}` (start) and `GET`/`POST …/queries/{query}`: the operations that
 * read a workflow or begin one, registered on the HTTP app with the app's own helpers (problem
 * answers, body and event-id reading), as the callback routes are.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { EVENT_SOURCES } from '../../contract/temporal-headers';
import { checkOperation, prepareStart, resolveTarget } from '../core/commands';
import type { GatewayConfig } from '../core/gateway-config-model';
import { wireArguments } from '../core/operation-arguments';
import { problem, type Problem } from '../core/problems';
import type { Result } from '../core/result';
import type { GatewayLogger } from '../adapters/logger';
import type { Reader } from '../adapters/temporal-reader';
import type { Starter } from '../adapters/temporal-starter';
import { queryRoute, queryWithArgumentRoute, startRoute, type AppEnv } from './http-operation-routes';

export interface StartAndQueryDeps {
  config: GatewayConfig;
  starter: Starter;
  reader: Reader;
  logger: GatewayLogger;
  /** Ends the request with a problem document. */
  fail: (p: Problem, path: string) => never;
  /** The body as the operation's argument (`undefined`: no body). */
  argumentOf: (c: Context<AppEnv>) => Promise<Result<unknown>>;
  /** The event id of the request: its namespaced Idempotency-Key, else a fresh one. */
  eventIdOf: (
    c: Context<AppEnv>,
    header: string | undefined,
  ) => Result<{ eventId: string; suppliedId?: string | undefined }>;
}

export function registerStartAndQueryRoutes(app: OpenAPIHono<AppEnv>, deps: StartAndQueryDeps): void {
  const { config, starter, reader, logger, fail, argumentOf, eventIdOf } = deps;

  app.openapi(startRoute, async (c) => {
    const { workflowId } = c.req.valid('param');
    const path = c.req.path;
    const target = resolveTarget(config, workflowId);
    if (!target.ok) return fail(target.problem, path);
    const body = await argumentOf(c);
    if (!body.ok) return fail(body.problem, path);
    const ids = eventIdOf(c, c.req.valid('header')['idempotency-key']);
    if (!ids.ok) return fail(ids.problem, path);
    const prepared = prepareStart(config, {
      workflowId,
      payload: body.value,
      ...ids.value,
      source: EVENT_SOURCES.http,
    });
    if (!prepared.ok) return fail(prepared.problem, path);
    const outcome = await starter.start(prepared.value.command, prepared.value.target);
    if (outcome.status === 'failed') {
      const details = { eventId: outcome.command.eventId, problem: outcome.problem.code };
      if (outcome.transient) logger.warn('start not made', details);
      else logger.info('start refused', details);
      const transient = outcome.transient && outcome.problem.code !== 'deadline-exceeded';
      return fail(
        transient ? problem('temporal-unavailable', outcome.problem.detail) : outcome.problem,
        path,
      );
    }
    const answer = {
      status: outcome.status,
      workflowId,
      runId: outcome.runId,
      eventId: outcome.command.eventId,
    };
    return outcome.status === 'started' ? c.json(answer, 201) : c.json(answer, 200);
  });

  /** A declared query with its argument (undefined: none), as its handler takes it. */
  async function runQuery(workflowId: string, query: string, argument: unknown, path: string) {
    const target = resolveTarget(config, workflowId);
    if (!target.ok) return fail(target.problem, path);
    const allowed = checkOperation(target.value, 'query', query, argument);
    if (!allowed.ok) return fail(allowed.problem, path);
    const args = wireArguments(target.value, 'query', query, allowed.value);
    const result = await reader.query(workflowId, query, args);
    if (result.ok) return { result: result.value };
    // The handler refused what it was given: name the argument when there was one.
    const refused = result.problem.code === 'query-failed' && args.length > 0;
    return fail(refused ? { ...result.problem, field: 'body' } : result.problem, path);
  }

  app.openapi(queryRoute, async (c) => {
    const { workflowId, query } = c.req.valid('param');
    return c.json(await runQuery(workflowId, query, undefined, c.req.path), 200);
  });

  app.openapi(queryWithArgumentRoute, async (c) => {
    const { workflowId, query } = c.req.valid('param');
    const path = c.req.path;
    // An undeclared target is 403 whatever the body says.
    const target = resolveTarget(config, workflowId);
    if (!target.ok) return fail(target.problem, path);
    const body = await argumentOf(c);
    if (!body.ok) return fail(body.problem, path);
    return c.json(await runQuery(workflowId, query, body.value, path), 200);
  });
}
