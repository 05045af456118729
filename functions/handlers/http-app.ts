/**
 * The HTTP API v1 as one Hono app: the same object serves API Gateway (via hono/aws-lambda) and the
 * local Node server. Every route resolves its target in core before anything reaches Temporal.
 *
 * The body is read once (Hono caches it): the authenticator verifies those bytes and the handlers
 * parse the same bytes, so a signature always covers exactly what is delivered.
 */
import { OpenAPIHono, createRoute, type z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { prepareSignal, prepareUpdate, resolveTarget, type SignalCommand } from '../core/commands';
import { EVENT_SOURCES } from '../../contract/temporal-headers';
import {
  ANONYMOUS_CALLER,
  EVENT_ID_ENTRIES,
  namespaceEventId,
  type SuppliedEventId,
} from '../core/event-ids';
import { ok, type Result } from '../core/result';
import { callerOf } from '../adapters/caller-identity';
import { summarizeDeliveries, type DeliveryReport } from '../core/event-outcome';
import type { GatewayConfig } from '../core/gateway-config';
import type { DeliveryOutcome, UpdateOutcome } from '../core/outcomes';
import { problem, type Problem } from '../core/problems';
import { routeCloudEvent, type RoutedCommand } from '../core/routes';
import { readCloudEvent } from '../adapters/cloud-event-http';
import { bodyBytes, parseJsonBytes } from '../adapters/http-body';
import { createAuthenticator, type Authenticator } from '../adapters/http-auth';
import { problemDocument, problemResponse } from '../adapters/http-problem';
import type { GatewayLogger } from '../adapters/logger';
import type { Reader } from '../adapters/temporal-reader';
import type { Signaler } from '../adapters/temporal-signaler';
import type { Updater } from '../adapters/temporal-updater';
import { NO_STARTER, type Starter } from '../adapters/temporal-starter';
import type { CallbackVerifier } from '../adapters/callback-tokens';
import type { ActivityCompleter } from '../adapters/temporal-activity-completer';
import { CALLBACK_PATH } from '../../contract/callbacks';
import { redactCallbackPath, registerCallbackRoutes, type SettledCallbackSignal } from './http-callbacks';
import { allowedMethods } from './http-methods';
import type { WebhookQueues } from '../adapters/webhook-queues';
import type { SourceRuntime } from '../adapters/webhook-secrets';
import { isCallerAuthMode } from '../core/auth-settings';
import { createWebhookIngest, type WebhookMetrics } from './webhook-ingest';
import { webhookRoute } from './webhook-schemas';
import { callerSecurity, signalRoute, updateRoute, type AppEnv } from './http-operation-routes';
import { registerStartAndQueryRoutes } from './http-start-query';
import {
  API_SECURITY,
  BinaryEventData,
  CloudEventBody,
  CloudEventHeaders,
  EventAcceptedSchema,
  HealthSchema,
  SECURITY_SCHEMES,
  WorkflowDescriptionSchema,
  WorkflowParams,
  problemResponses,
} from './http-schemas';
import type { SignalAcceptedSchema } from './http-schemas';

type SignalAccepted = z.infer<typeof SignalAcceptedSchema>;
type Delivery = z.infer<typeof EventAcceptedSchema>['deliveries'][number];

/** Large enough for any real signal argument, small against Temporal's 2 MiB payload limit. */
export const MAX_BODY_BYTES = 256 * 1024;

/** Takes a command Temporal could not take right now, durably (the SQS fallback). */
export interface FallbackQueue {
  enqueue(command: SignalCommand): Promise<void>;
}

export interface HttpAppDeps {
  config: GatewayConfig;
  signaler: Signaler;
  updater: Updater;
  /** Starts workflows (`POST /v1/workflows/{id}`, start routes); absent = every start refused. */
  starter?: Starter;
  reader: Reader;
  logger: GatewayLogger;
  /** Verifies senders on /v1; absent = no authentication (GATEWAY_AUTH=none). */
  authenticator?: Authenticator;
  /** Where a transiently failed signal goes instead of a 503; absent = answer 503. */
  fallback?: FallbackQueue;
  newEventId?: () => string;
  maxBodyBytes?: number;
  /** Verifies callback tokens (`POST /v1/callbacks/{token}`); absent = callbacks are off. */
  callbacks?: CallbackVerifier;
  /** Completes activities redeemed through activity callbacks. */
  completer?: ActivityCompleter;
  /** The webhook sources' verifiers, by name (`POST /v1/webhooks/{source}`). */
  sources?: ReadonlyMap<string, SourceRuntime>;
  /** Where acknowledged webhooks go when not delivered at once (fallback queue, DLQ). */
  webhookQueues?: WebhookQueues;
  metrics?: WebhookMetrics;
}

/** The document's header; `scripts/openapi.ts` and the served document share it. */
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

const security = API_SECURITY;

const eventsRoute = createRoute({
  method: 'post',
  path: '/v1/events',
  summary: 'Deliver a CloudEvent to every workflow its matching routes name',
  description:
    'Structured mode (`application/cloudevents+json`) or binary mode (`ce-*` headers). The CloudEvent `id` is the event id: ' +
    'posting the same event again is applied once. One event may match several routes (fan-out). Routing is all or nothing: ' +
    'if any matching route cannot use the event (missing field, undeclared target, bad argument) nothing is delivered and the ' +
    'answer is that 4xx. Delivery: if any delivery fails transiently and cannot be queued, the answer is 503/504 and the sender ' +
    'retries the whole event (deliveries that succeeded are deduplicated); if all fail permanently, the first failure is the ' +
    'answer; otherwise 202 with `delivered`, `queued` or `partial` and each delivery’s status.',
  security,
  request: {
    headers: CloudEventHeaders,
    body: {
      content: {
        'application/cloudevents+json': { schema: CloudEventBody },
        'application/json': { schema: BinaryEventData },
      },
      required: true,
    },
  },
  responses: {
    202: {
      description: 'Accepted: every delivery delivered or queued, or some failed permanently (`partial`)',
      content: { 'application/json': { schema: EventAcceptedSchema } },
    },
    ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422, 503, 504),
  },
});

const describeRoute = createRoute({
  method: 'get',
  path: '/v1/workflows/{workflowId}',
  summary: 'Describe a workflow',
  security: callerSecurity,
  request: { params: WorkflowParams },
  responses: {
    200: {
      description: 'The workflow',
      content: { 'application/json': { schema: WorkflowDescriptionSchema } },
    },
    ...problemResponses(400, 401, 403, 404, 503, 504),
  },
});

const healthRoute = createRoute({
  method: 'get',
  path: '/healthz',
  summary: 'Readiness: Temporal answers (no credentials needed)',
  security: [],
  responses: {
    200: { description: 'Ready', content: { 'application/json': { schema: HealthSchema } } },
    ...problemResponses(503),
  },
});

/** What a signal came to once the fallback had its chance. */
type SettledSignal =
  | { status: 'delivered' | 'queued' | 'duplicate' }
  | { status: 'failed'; transient: boolean; problem: Problem };

const EMPTY = new Uint8Array(0);

export function createHttpApp(deps: HttpAppDeps) {
  const { config, signaler, updater, reader, logger } = deps;
  const starter = deps.starter ?? NO_STARTER;
  const authenticator = deps.authenticator ?? createAuthenticator({ mode: 'none' });
  const newEventId = deps.newEventId ?? (() => crypto.randomUUID());

  const app = new OpenAPIHono<AppEnv>({
    // Schema violations in params or headers: 400 naming the first offending field.
    defaultHook: (result, c) => {
      if (result.success) return;
      const issue = result.error.issues[0];
      const where =
        result.target === 'param' ? 'path' : result.target === 'header' ? 'header' : result.target;
      const field = [where, ...(issue?.path ?? []).map(String)].join('.');
      return problemResponse(
        problem('invalid-request', `${field}: ${issue?.message ?? 'invalid'}`, field),
        redactCallbackPath(c.req.path),
      );
    },
  });

  for (const [name, scheme] of Object.entries(SECURITY_SCHEMES)) {
    app.openAPIRegistry.registerComponent('securitySchemes', name, scheme);
  }

  /** Ends the request with a problem document; typed routes return only their success bodies. */
  const fail = (p: Problem, path: string): never => {
    const res = problemResponse(p, path);
    throw new HTTPException(res.status as 400, { res });
  };

  /**
   * The event id of a signal or update: the caller's `Idempotency-Key` under the caller's namespace
   * (`@http:<caller>:<key>`, core/event-ids.ts), else a fresh id. 422 for a reserved key.
   */
  const eventIdOf = (
    c: Context<AppEnv>,
    header: string | undefined,
  ): Result<SuppliedEventId | { eventId: string }> =>
    header === undefined
      ? ok({ eventId: newEventId() })
      : namespaceEventId(config, {
          entry: EVENT_ID_ENTRIES.http,
          caller: c.get('caller') ?? ANONYMOUS_CALLER,
          supplied: header,
          field: 'header.idempotency-key',
        });

  /**
   * The operation's argument from the body: `undefined` for no body (an operation declared without
   * a schema takes none), else the parsed JSON — checked against the declaration by the core.
   */
  const argumentOf = async (c: Context<AppEnv>): Promise<Result<unknown>> => {
    const bytes = await bodyBytes(c);
    return bytes.length === 0 ? ok(undefined) : parseJsonBytes(bytes, c.req.header('content-type'));
  };

  async function settleSignal(outcome: DeliveryOutcome): Promise<SettledSignal> {
    if (outcome.status === 'failed' && outcome.transient && outcome.command && deps.fallback) {
      try {
        await deps.fallback.enqueue(outcome.command);
        logger.warn('signal queued after a transient failure', {
          workflowId: outcome.command.workflowId,
          eventId: outcome.command.eventId,
          reason: outcome.problem.detail,
        });
        return { status: 'queued' };
      } catch (error) {
        logger.error('fallback queue refused the event', {
          eventId: outcome.command.eventId,
          error: String(error),
        });
        return {
          status: 'failed',
          transient: true,
          problem: problem(
            'temporal-unavailable',
            `${outcome.problem.detail} The fallback queue failed too.`,
          ),
        };
      }
    }
    if (outcome.status === 'failed') {
      const details = { eventId: outcome.command?.eventId, problem: outcome.problem.code };
      if (outcome.transient) logger.error('signal not delivered', details);
      else logger.info('signal refused', details);
      return {
        status: 'failed',
        transient: outcome.transient,
        // A signal that could not be delivered nor queued is retried by the sender: 503 + Retry-After.
        problem: outcome.transient
          ? problem('temporal-unavailable', outcome.problem.detail)
          : outcome.problem,
      };
    }
    if (outcome.status === 'delivered' && outcome.duplicate) return { status: 'duplicate' };
    return { status: outcome.status };
  }

  /** An update failure as the sender sees it: the deadline is 504, other transient trouble 503. */
  function updateProblem(outcome: Extract<UpdateOutcome, { status: 'failed' }>): Problem {
    const details = { eventId: outcome.command.eventId, problem: outcome.problem.code };
    if (outcome.transient) logger.warn('update not answered', details);
    else logger.info('update refused', details);
    if (!outcome.transient || outcome.problem.code === 'deadline-exceeded') return outcome.problem;
    return problem('temporal-unavailable', outcome.problem.detail);
  }

  async function deliver(routed: RoutedCommand): Promise<DeliveryReport> {
    const base = { route: routed.route, kind: routed.kind, workflowId: routed.command.workflowId };
    if (routed.kind === 'start') {
      const outcome = await starter.start(routed.command, routed.target);
      if (outcome.status !== 'failed') {
        const result = { status: outcome.status, runId: outcome.runId };
        return { ...base, operation: 'start', status: 'delivered', result };
      }
      return {
        ...base,
        operation: 'start',
        status: 'failed',
        transient: outcome.transient,
        problem: outcome.transient
          ? problem('temporal-unavailable', outcome.problem.detail)
          : outcome.problem,
      };
    }
    if (routed.kind === 'signal') {
      const settled = await settleSignal(await signaler.signal(routed.command, routed.target));
      // A fan-out report says delivered for an event the workflow already had.
      const status = settled.status === 'duplicate' ? 'delivered' : settled.status;
      return { ...base, operation: routed.command.signal, ...settled, status };
    }
    const outcome = await updater.update(routed.command, routed.target);
    return outcome.status === 'completed'
      ? { ...base, operation: routed.command.update, status: 'delivered', result: outcome.result }
      : {
          ...base,
          operation: routed.command.update,
          status: 'failed',
          transient: outcome.transient,
          problem: updateProblem(outcome),
        };
  }

  function deliveryOnWire(report: DeliveryReport): Delivery {
    return {
      route: report.route,
      workflowId: report.workflowId,
      ...(report.kind === 'start' ? { start: true as const } : { [report.kind]: report.operation }),
      status: report.status,
      ...(report.result === undefined ? {} : { result: report.result }),
      ...(report.problem ? { problem: problemDocument(report.problem) } : {}),
    };
  }

  const maxBodyBytes = deps.maxBodyBytes ?? MAX_BODY_BYTES;
  const tooLarge = (c: { req: { path: string } }) =>
    problemResponse(
      problem('payload-too-large', `The body exceeds ${maxBodyBytes} bytes.`, 'body'),
      redactCallbackPath(c.req.path),
    );
  const streamedBodyLimit: MiddlewareHandler<AppEnv> = bodyLimit({
    maxSize: maxBodyBytes,
    onError: tooLarge,
  });
  const limitBody: MiddlewareHandler<AppEnv> = (c, next) => {
    // hono's bodyLimit trusts a declared Content-Length too, but first reads `c.req.raw.body`, which
    // makes @hono/node-server build a full Request for every request (measured: 0.84 → 0.66 ms of
    // gateway CPU per signal without it). Only a body of undeclared length is capped while streamed.
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      return Number.parseInt(length, 10) > maxBodyBytes ? Promise.resolve(tooLarge(c)) : next();
    }
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    return streamedBodyLimit(c, next);
  };
  app.use('/v1/*', limitBody);

  app.use('/v1/*', async (c, next) => {
    // A callback URL carries its own credential (the signed token); the deployment's auth is for
    // the workflow endpoints and would lock out the partner the URL was minted for.
    if (c.req.path.startsWith(`${CALLBACK_PATH}/`)) return next();
    // A webhook source verifies its provider itself (webhook-ingest), whatever GATEWAY_AUTH says.
    if (c.req.path.startsWith('/v1/webhooks/')) return next();
    // A signature covers a body, never the URL: a signed request replayed to another workflow's
    // path would verify. Path-addressed endpoints take caller authentication only.
    if (!isCallerAuthMode(authenticator.mode) && c.req.path.startsWith('/v1/workflows/')) {
      logger.info('path-addressed request refused in a signature mode', { mode: authenticator.mode });
      return problemResponse(
        problem(
          'unauthenticated',
          `GATEWAY_AUTH=${authenticator.mode} verifies signed bodies, which do not cover the URL: /v1/workflows/… take caller authentication (api-key, or IAM/JWT at API Gateway). Send provider webhooks to /v1/webhooks/{source}.`,
        ),
        c.req.path,
      );
    }
    const body = authenticator.needsBody ? await bodyBytes(c) : EMPTY;
    const verdict = authenticator.verify({ headers: c.req.raw.headers, body });
    if (!verdict.ok) {
      logger.info('request not authenticated', { mode: authenticator.mode, field: verdict.problem.field });
      const res = problemResponse(verdict.problem, c.req.path);
      if (verdict.challenge) res.headers.set('www-authenticate', verdict.challenge);
      return res;
    }
    c.set('authEventId', verdict.eventId);
    c.set('caller', callerOf(c.env, verdict.ok ? verdict.caller : undefined));
    await next();
  });

  app.openapi(signalRoute, async (c) => {
    const { workflowId, signal } = c.req.valid('param');
    const path = c.req.path;
    // Resolve the target before reading the body: an undeclared target is 403 whatever it sends.
    const target = resolveTarget(config, workflowId);
    if (!target.ok) return fail(target.problem, path);
    const body = await argumentOf(c);
    if (!body.ok) return fail(body.problem, path);
    const ids = eventIdOf(c, c.req.valid('header')['idempotency-key']);
    if (!ids.ok) return fail(ids.problem, path);
    const prepared = prepareSignal(config, {
      workflowId,
      signal,
      payload: body.value,
      ...ids.value,
      source: EVENT_SOURCES.http,
    });
    if (!prepared.ok) return fail(prepared.problem, path);
    const { command } = prepared.value;
    const settled = await settleSignal(await signaler.signal(command, prepared.value.target));
    if (settled.status === 'failed') return fail(settled.problem, path);
    const accepted: SignalAccepted = {
      status: settled.status,
      workflowId: command.workflowId,
      signal: command.signal,
      eventId: command.eventId,
    };
    return c.json(accepted, 202);
  });

  app.openapi(eventsRoute, async (c) => {
    const path = c.req.path;
    const read = await readCloudEvent(c.req.raw.headers, await bodyBytes(c));
    if (!read.ok) return fail(read.problem, path);
    const { mode, event } = read.value;
    const authEventId = c.get('authEventId');
    const namespace = { entry: EVENT_ID_ENTRIES.cloudEvent, caller: c.get('caller') ?? ANONYMOUS_CALLER };
    const routed = routeCloudEvent(config, event, {
      ...(authEventId ? { eventId: authEventId } : {}),
      namespace,
    });
    if (!routed.ok) {
      const p = routed.problem;
      // In binary mode the attributes are headers: name the header the sender has to fix.
      const inHeader = mode === 'binary' && (p.field === 'id' || p.field === 'type');
      return fail(inHeader ? { ...p, field: `header.ce-${p.field}` } : p, path);
    }
    const reports = await Promise.all(routed.value.map(deliver));
    const summary = summarizeDeliveries(reports);
    if (!summary.ok) return fail(summary.problem, path);
    const eventId = routed.value[0]?.command.eventId ?? authEventId ?? event.id;
    logger.info('event routed', { eventId, status: summary.value, deliveries: reports.length });
    return c.json({ status: summary.value, eventId, deliveries: reports.map(deliveryOnWire) }, 202);
  });

  app.openapi(updateRoute, async (c) => {
    const { workflowId, update } = c.req.valid('param');
    const path = c.req.path;
    const target = resolveTarget(config, workflowId);
    if (!target.ok) return fail(target.problem, path);
    const body = await argumentOf(c);
    if (!body.ok) return fail(body.problem, path);
    const ids = eventIdOf(c, c.req.valid('header')['idempotency-key']);
    if (!ids.ok) return fail(ids.problem, path);
    const { eventId } = ids.value;
    const prepared = prepareUpdate(config, {
      workflowId,
      update,
      payload: body.value,
      ...ids.value,
      source: EVENT_SOURCES.http,
    });
    if (!prepared.ok) return fail(prepared.problem, path);
    const outcome = await updater.update(prepared.value.command, prepared.value.target);
    if (outcome.status === 'failed') return fail(updateProblem(outcome), path);
    const duplicate = outcome.duplicate ? { status: 'duplicate' as const } : {};
    return c.json({ result: outcome.result, workflowId, update, eventId, ...duplicate }, 200);
  });

  app.openapi(describeRoute, async (c) => {
    const { workflowId } = c.req.valid('param');
    const target = resolveTarget(config, workflowId);
    if (!target.ok) return fail(target.problem, c.req.path);
    const result = await reader.describe(workflowId);
    return result.ok ? c.json(result.value, 200) : fail(result.problem, c.req.path);
  });

  registerStartAndQueryRoutes(app, {
    config,
    starter,
    reader,
    logger,
    fail,
    argumentOf,
    eventIdOf,
  });

  registerCallbackRoutes(app, {
    config,
    verifier: deps.callbacks,
    signaler,
    updater,
    reader,
    completer: deps.completer ?? {
      complete: () => Promise.reject(new Error('no activity completer configured')),
    },
    logger,
    // A callback's answer knows delivered or queued; a duplicate was delivered, before.
    settleSignal: async (outcome): Promise<SettledCallbackSignal> => {
      const settled = await settleSignal(outcome);
      if (settled.status === 'failed') return settled;
      return { status: settled.status === 'queued' ? 'queued' : 'delivered' };
    },
    updateProblem,
  });

  const ingestWebhook = createWebhookIngest({
    ...deps,
    sources: deps.sources ?? new Map(),
    ...(deps.webhookQueues ? { queues: deps.webhookQueues } : {}),
  });
  app.openapi(webhookRoute, async (c) => {
    const answer = await ingestWebhook(c.req.valid('param').source, c.req.raw.headers, await bodyBytes(c));
    if (!answer.ok) return fail(answer.problem, c.req.path);
    return answer.status === 200 ? c.json(answer.body, 200) : c.json(answer.body, 202);
  });

  app.openapi(healthRoute, async (c) => {
    const result = await reader.health();
    return result.ok
      ? c.json({ status: 'ok' as const, temporal: result.value }, 200)
      : fail(problem('temporal-unavailable', result.problem.detail), c.req.path);
  });

  app.doc31('/openapi.json', OPENAPI_INFO);

  app.notFound((c) => {
    // A callback token is a bearer capability: it never appears in an answer or a log line.
    const path = redactCallbackPath(c.req.path);
    const allow = allowedMethods(app.routes, c.req.path);
    if (allow.length === 0) {
      return fail(problem('route-not-found', `No endpoint ${c.req.method} ${path}.`), path);
    }
    const res = problemResponse(
      problem('method-not-allowed', `${path} supports ${allow.join(', ')}, not ${c.req.method}.`),
      path,
    );
    res.headers.set('allow', allow.join(', '));
    return res;
  });
  app.onError((error, c) => {
    if (error instanceof HTTPException) return error.getResponse();
    // Only a bug gets here; the sender still gets a problem document, never a stack trace.
    logger.error('unhandled error', { error: String(error), path: redactCallbackPath(c.req.path) });
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

/** The OpenAPI 3.1 document of an app, exactly as `GET /openapi.json` serves it. */
export function openApiDocument(app: HttpApp) {
  return app.getOpenAPI31Document(OPENAPI_INFO);
}
