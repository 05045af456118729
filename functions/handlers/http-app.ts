/**
 * The HTTP API v1 as one Hono app: the same object serves API Gateway (via hono/aws-lambda) and the
 * local Node server. This module sets the app up — body limit, authentication, problem answers,
 * unknown paths — and registers the routes of its concepts: the workflow routes
 * (http-workflow-routes.ts), callback URLs (http-callbacks.ts) and provider webhooks
 * (webhook-ingest.ts), all delivering through one Deliverer, and the codec server for the Temporal
 * UI and CLI (http-codec-routes.ts).
 *
 * The body is read once (Hono caches it): the authenticator verifies those bytes and the handlers
 * parse the same bytes, so a signature always covers exactly what is delivered.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { CALLBACK_PATH } from '../../contract/callbacks';
import { isCallerAuthMode } from '../core/auth-settings';
import type { GatewayConfig } from '../core/gateway-config-model';
import { problem, type Problem } from '../core/problems';
import type { CallbackVerifier } from '../adapters/callback-tokens';
import { callerOf } from '../adapters/caller-identity';
import type { Deliverer } from '../adapters/deliverer';
import { bodyBytes } from '../adapters/http-body';
import { createAuthenticator, type Authenticator } from '../adapters/http-auth';
import { problemResponse } from '../adapters/http-problem';
import type { GatewayLogger } from '../adapters/logger';
import type { EventLog, WebhookMetrics } from '../adapters/ports';
import type { EventRecorder } from '../adapters/event-log-recorder';
import { metricsWritten, type DeferredMetrics } from '../adapters/webhook-metrics';
import type { TemporalClientProvider } from '../adapters/temporal-connection';
import type { Reader } from '../adapters/temporal-reader';
import type { WebhookQueues } from '../adapters/webhook-queues';
import type { SourceRuntime } from '../adapters/webhook-secrets';
import { incomingTraceContext, tracingFromEnv, type GatewayTracing } from '../adapters/tracing';
import { redactCallbackPath, registerCallbackRoutes } from './http-callbacks';
import { registerCodecRoutes, type CodecDeps } from './http-codec-routes';
import { registerEventRoutes } from './http-event-routes';
import type { AppEnv } from './http-app-env';
import { allowedMethods } from './http-methods';
import { serveOpenApiDocument } from './http-openapi-document';
import { registerWorkflowRoutes } from './http-workflow-routes';
import { createWebhookIngest } from './webhook-ingest';

/** Large enough for any real signal argument, small against Temporal's 2 MiB payload limit. */
export const MAX_BODY_BYTES = 256 * 1024;

export interface HttpAppDeps {
  config: GatewayConfig;
  /**
   * Delivers every signal, update, start and activity completion; its fallback queue (if any)
   * takes transiently failed signals instead of a 503.
   */
  deliverer: Deliverer;
  reader: Reader;
  logger: GatewayLogger;
  /** Verifies senders on /v1; absent = no authentication (GATEWAY_AUTH=none). */
  authenticator?: Authenticator;
  newEventId?: () => string;
  /**
   * Largest body of any request; the workflow operations and webhooks take up to this (a webhook too
   * large for a queue message is queued as a stored reference), callbacks and CloudEvents stay at
   * core/input-limits' default.
   * @default MAX_BODY_BYTES
   */
  maxBodyBytes?: number;
  /** Verifies callback tokens (`POST /v1/callbacks/{token}`); absent = callbacks are off. */
  callbacks?: CallbackVerifier;
  /** The webhook sources' verifiers, by name (`POST /v1/webhooks/{source}`). */
  sources?: ReadonlyMap<string, SourceRuntime>;
  /** Where acknowledged webhooks go when not delivered at once (fallback queue, DLQ). */
  webhookQueues?: WebhookQueues;
  /** With `settled` (webhook-metrics.ts), a webhook's answer waits until its metric lines are written. */
  metrics?: WebhookMetrics & Partial<DeferredMetrics>;
  /** The codec server's converter, authenticator and UI origins; absent = `/v1/codec` refuses everyone. */
  codec?: CodecDeps;
  /**
   * Each request's trace: continued from its `traceparent` or new, answered in `traceparent`.
   * @default trace context only, no spans exported
   */
  tracing?: GatewayTracing;
  /**
   * The event log the gateway records into (issue 30): with it, `POST /v1/event-log/replay` delivers
   * a recorded event again (http-event-routes.ts). @default no replay route
   */
  eventLog?: EventLog;
  /** Records each event the routes take into the event log (the runtime's). @default none */
  recorder?: EventRecorder;
  /** Temporal, for replay's check of a run's history (the runtime's). */
  clients?: TemporalClientProvider;
  deadlineMs?: number;
}

const EMPTY = new Uint8Array(0);

export function createHttpApp(deps: HttpAppDeps) {
  const { config, deliverer, reader, logger } = deps;
  const authenticator = deps.authenticator ?? createAuthenticator({ mode: 'none' });
  const newEventId = deps.newEventId ?? (() => crypto.randomUUID());

  // Hono's core app: the routes check their parameters, headers and bodies themselves with the
  // checks generated at build (http-request-checks.ts), and the OpenAPI document is a file. The
  // default router (measured at init against hono/quick and hono/tiny: within 1–3 ms of CPU, noise
  // on this machine) is the one that keeps paths strict: the other two also match `/healthz/`.
  const app = new Hono<AppEnv>();

  /** Ends the request with a problem document; typed routes return only their success bodies. */
  const fail = (p: Problem, path: string): never => {
    const res = problemResponse(p, path);
    throw new HTTPException(res.status as 400, { res });
  };

  // Before everything, so every answer (a problem, a 404, the codec server's) returns its trace.
  const tracing = deps.tracing ?? tracingFromEnv({});
  app.use('*', async (c, next) => {
    const incoming = incomingTraceContext((name) => c.req.header(name));
    const name = `${c.req.method} ${redactCallbackPath(c.req.path)}`;
    await tracing.inRequest(name, 'server', incoming, async (context) => {
      await next();
      try {
        c.res.headers.set('traceparent', context.traceparent);
      } catch {
        // A response with immutable headers (one passed through from fetch): copy it.
        c.res = new Response(c.res.body, c.res);
        c.res.headers.set('traceparent', context.traceparent);
      }
    });
  });

  // First: the codec server has its own CORS, body limit and authentication (never open), and its
  // routes answer before the middleware below runs.
  registerCodecRoutes(app, { codec: deps.codec, logger });

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

  const common = { config, deliverer, reader, logger, recorder: deps.recorder };
  registerWorkflowRoutes(app, { ...common, fail, newEventId, maxBodyBytes });

  registerCallbackRoutes(app, { ...common, verifier: deps.callbacks });

  if (deps.eventLog) {
    registerEventRoutes(app, {
      config,
      deliverer,
      logger,
      fail,
      eventLog: deps.eventLog,
      sources: deps.sources ?? new Map(),
      authMode: authenticator.mode,
      clients: deps.clients,
      deadlineMs: deps.deadlineMs,
      dataConverter: deps.codec?.dataConverter,
    });
  }

  const ingestWebhook = createWebhookIngest({
    config,
    deliverer,
    logger,
    recorder: deps.recorder,
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
    sources: deps.sources ?? new Map(),
    ...(deps.webhookQueues ? { queues: deps.webhookQueues } : {}),
    // Set only when large payloads go to S3: the webhook queues then store a body too large for a message.
    ...(deps.maxBodyBytes ? { maxBodyBytes: deps.maxBodyBytes } : {}),
  });
  // Any source name passes to the ingest: an unknown (or malformed) one is a 404 like any path that names nothing.
  app.post('/v1/webhooks/:source', async (c) => {
    let answer;
    try {
      answer = await ingestWebhook(c.req.param('source'), c.req.raw.headers, await bodyBytes(c));
    } finally {
      // Powertools loads on the first metric: its lines are out before the answer (and a freeze).
      await metricsWritten(deps.metrics, logger);
    }
    if (!answer.ok) return fail(answer.problem, c.req.path);
    const { status, body } = answer.value;
    return status === 200 ? c.json(body, 200) : c.json(body, 202);
  });

  app.get('/healthz', async (c) => {
    const result = await reader.health();
    return result.ok
      ? c.json({ status: 'ok' as const, temporal: result.value }, 200)
      : fail(problem('temporal-unavailable', result.problem.detail), c.req.path);
  });

  app.get('/openapi.json', serveOpenApiDocument({ eventLog: deps.eventLog !== undefined }));

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
