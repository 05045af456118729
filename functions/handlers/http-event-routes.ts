/**
 * `POST /v1/event-log/replay` (issue 30): an event the gateway recorded, delivered again through the
 * gateway's TRUSTED path — the gateway reads the event from its own event log (it wrote it after
 * verifying the sender), never from a caller's body or a producer's queue, re-routes it with today's
 * configuration and hands each delivery to the Deliverer.
 *
 * - The SAME event id by default: Temporal's request id and the worker's dedupe interceptor skip what
 *   a run already applied; a route whose latest run's history already holds the event id is answered
 *   `duplicate` without a call. `asNew` delivers under a new id derived from the old one
 *   ({@link asNewEventId}), so a workflow applies it again.
 * - Replayable: webhooks (re-routed by their source's routes) and direct HTTP signals, updates and
 *   starts (re-sent to the workflow and operation recorded). CloudEvents, callbacks (one-time
 *   tokens) and producers' SQS messages are answered `skipped` with the reason.
 * - Every replay leaves a `replay` record with its outcomes, so `events show` tells the story.
 */
import type { Context, Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ReplayAnswer } from '../../contract/event-replay';
import { isCallerAuthMode, type AuthMode } from '../core/auth-settings';
import { prepareSignal, prepareStart, prepareUpdate } from '../core/commands';
import type { RouteOutcome } from '../core/event-record';
import { routeOutcome } from '../core/event-record-outcomes';
import type { EventView } from '../core/event-record-view';
import type { GatewayConfig } from '../core/gateway-config-model';
import { problem, type Problem } from '../core/problems';
import { decideWebhook } from '../core/webhook-routing';
import type { Deliverable, Deliverer } from '../adapters/deliverer';
import { createEventRecorder } from '../adapters/event-log-recorder';
import { bodyBytes, parseJsonBytes } from '../adapters/http-body';
import type { GatewayLogger } from '../adapters/logger';
import type { EventLog } from '../adapters/ports';
import type { TemporalClientProvider } from '../adapters/temporal-connection';
import type { TemporalDataConverter } from '../adapters/temporal-data-converter';
import { latestRunApplied } from '../adapters/temporal-history';
import type { SourceRuntime } from '../adapters/webhook-secrets';
import type { AppEnv } from './http-app-env';
import { checked, checks } from './http-request-checks';

export type { ReplayAnswer } from '../../contract/event-replay';

/** What a replay came to: every route delivered (or some delivered, the rest duplicates), all duplicates, nothing to do, or a failure. */
export type ReplayStatus = 'delivered' | 'duplicate' | 'skipped' | 'failed' | 'not-found';

export interface EventRouteDeps {
  config: GatewayConfig;
  deliverer: Deliverer;
  logger: GatewayLogger;
  eventLog: EventLog;
  sources: ReadonlyMap<string, SourceRuntime>;
  authMode: AuthMode;
  fail: (p: Problem, path: string) => never;
  /** Checks a run's history before re-sending under the same id. Absent: the Deliverer's answer stands. */
  clients?: TemporalClientProvider | undefined;
  deadlineMs?: number | undefined;
  /** Decodes a body the log kept through the payload codecs. */
  dataConverter?: Pick<TemporalDataConverter, 'decodePayloads'> | undefined;
  now?: () => Date;
}

/** The new id an `asNew` replay delivers under: the old one, marked, with the replay's time. */
export const asNewEventId = (eventId: string, at: Date): string =>
  `${eventId.slice(0, 480)}~replay-${at.getTime().toString(36)}`;

const fromBase64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));

/** The raw body as received: plain, or decoded through the gateway's codecs. */
async function bodyBytesOf(
  view: EventView,
  converter?: Pick<TemporalDataConverter, 'decodePayloads'>,
): Promise<Uint8Array> {
  const body = view.body;
  if (!body) return new Uint8Array(0);
  if ('text' in body) return new TextEncoder().encode(body.text);
  if ('base64' in body) return fromBase64(body.base64);
  if (!converter) throw new Error('the body is encoded and this gateway has no payload codec');
  const metadata = Object.fromEntries(
    Object.entries(body.payload.metadata).map(([k, v]) => [k, fromBase64(v)]),
  );
  const [decoded] = await converter.decodePayloads([{ metadata, data: fromBase64(body.payload.data) }]);
  return decoded?.data ?? new Uint8Array(0);
}

type Plan = { deliveries: Deliverable[] } | { skipped: string };

/** What the recorded event comes to today: its deliveries under `eventId`, or why none. */
function planReplay(deps: EventRouteDeps, view: EventView, bytes: Uint8Array, eventId: string): Plan {
  const { entry } = view;
  const headers = view.headers ?? {};
  const parsed = () => (bytes.length === 0 ? undefined : parseJsonBytes(bytes, headers['content-type']));
  if (entry.kind === 'webhook') {
    const runtime = deps.sources.get(entry.source);
    if (!runtime || 'disabled' in runtime)
      return { skipped: `webhook source "${entry.source}" is not usable here` };
    const body = parsed();
    if (!body?.ok) return { skipped: 'the recorded body is not JSON' };
    const identity = { eventId, ...(view.eventType !== undefined ? { eventType: view.eventType } : {}) };
    const decision = decideWebhook(deps.config, runtime.source, { body: body.value, headers }, identity);
    if (decision.kind === 'routed') return { deliveries: decision.deliveries };
    if (decision.kind === 'unusable') return { skipped: decision.problem.detail };
    return { skipped: decision.kind === 'ignored' ? 'no route wants it' : 'a handshake, not an event' };
  }
  if (entry.kind === 'http') {
    const direct = view.routes.filter((route) => ['signal', 'update', 'start'].includes(route.kind));
    if (direct.length === 0 || direct.some((route) => route.workflowId === undefined))
      return {
        skipped: `HTTP entry "${entry.route}" is not replayed (only direct signals, updates and starts)`,
      };
    const body = parsed();
    if (body && !body.ok) return { skipped: 'the recorded body is not JSON' };
    const deliveries: Deliverable[] = [];
    for (const route of direct) {
      const input = { workflowId: route.workflowId!, payload: body?.value, eventId, source: 'http' };
      const prepared =
        route.kind === 'signal'
          ? prepareSignal(deps.config, { ...input, signal: route.operation ?? '' })
          : route.kind === 'update'
            ? prepareUpdate(deps.config, { ...input, update: route.operation ?? '' })
            : prepareStart(deps.config, input);
      if (!prepared.ok) return { skipped: prepared.problem.detail };
      deliveries.push({ kind: route.kind, ...prepared.value } as Deliverable);
    }
    return { deliveries };
  }
  return {
    skipped:
      entry.kind === 'callback'
        ? 'a callback redeems a one-time token: not replayed'
        : "a producer's SQS message: replay it from its queue (dlq redrive)",
  };
}

/** The route a deliverable is recorded under: a routed command's name, else its kind. */
const targetOf = (item: Deliverable) => ({
  route: 'route' in item && typeof item.route === 'string' ? item.route : item.kind,
  kind: item.kind,
  workflowId: item.command.workflowId,
  ...(item.kind === 'signal' ? { operation: item.command.signal } : {}),
  ...(item.kind === 'update' ? { operation: item.command.update } : {}),
  ...(item.kind === 'start' ? { operation: 'start' } : {}),
});

function replayStatus(routes: readonly RouteOutcome[]): ReplayStatus {
  if (routes.some((route) => !['delivered', 'duplicate'].includes(route.status))) return 'failed';
  return routes.every((route) => route.status === 'duplicate') ? 'duplicate' : 'delivered';
}

/** Replays one recorded event; never throws for a per-route failure (it is in the answer). */
export async function replayEvent(
  deps: EventRouteDeps,
  request: { eventId: string; receivedAt?: string | undefined; asNew?: boolean | undefined },
): Promise<ReplayAnswer> {
  const view = await deps.eventLog.get(
    request.eventId,
    request.receivedAt ? { receivedAt: request.receivedAt } : undefined,
  );
  if (!view)
    return { eventId: request.eventId, status: 'not-found', reason: 'not in the event log', routes: [] };
  const now = (deps.now ?? (() => new Date()))();
  const eventId = request.asNew ? asNewEventId(view.eventId, now) : view.eventId;
  let bytes: Uint8Array;
  try {
    bytes = await bodyBytesOf(view, deps.dataConverter);
  } catch (error) {
    return {
      eventId: view.eventId,
      status: 'failed',
      reason: `body not readable: ${String(error)}`,
      routes: [],
    };
  }
  const plan = planReplay(deps, view, bytes, eventId);
  const base = { eventId: view.eventId, ...(request.asNew ? { deliveredAs: eventId } : {}) };
  if ('skipped' in plan) return { ...base, status: 'skipped', reason: plan.skipped, routes: [] };

  const routes = await Promise.all(
    plan.deliveries.map(async (item): Promise<RouteOutcome> => {
      const target = targetOf(item);
      if (!request.asNew && deps.clients && deps.deadlineMs !== undefined) {
        const applied = await latestRunApplied(
          deps.clients,
          target.workflowId,
          eventId,
          Date.now() + deps.deadlineMs,
        ).catch(() => false);
        if (applied) return { ...target, status: 'duplicate' };
      }
      return routeOutcome(target, await deps.deliverer.deliver(item));
    }),
  );
  const recorder = createEventRecorder({ writer: deps.eventLog, logger: deps.logger });
  await recorder
    .begin(
      {
        eventId,
        entry: view.entry,
        receivedAt: request.asNew ? now.toISOString() : view.receivedAt,
        eventType: view.eventType,
      },
      'replay',
    )
    .finish({ routes });
  const status = replayStatus(routes);
  deps.logger.info('event replayed', { eventId, status, asNew: request.asNew === true });
  return { ...base, status, routes: [...routes] };
}

/** A JSON content type as the route's body declaration accepted it (parameters allowed). */
const JSON_CONTENT_TYPE = /^application\/([a-z-.]+\+)?json(;\s*[a-zA-Z0-9-]+=([^;]+))*$/i;
/** A JSON media type, the body then parsed (else it is taken as `{}`). */
const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

/**
 * The replay request from a JSON body, checked as the OpenAPI runtime did: another content type,
 * or a body without one, is 415; malformed JSON 400 (both plain text); a request that fails the
 * schema the 400 problem naming `json.<field>`.
 */
async function replayRequestOf(c: Context<AppEnv>) {
  const contentType = c.req.header('content-type');
  if (contentType ? !JSON_CONTENT_TYPE.test(contentType) : (await bodyBytes(c)).length > 0)
    throw new HTTPException(415, { message: 'Unsupported Media Type' });
  let body: unknown = {};
  if (contentType && JSON_MEDIA_TYPE.test(contentType.split(';')[0]!.trim())) {
    try {
      body = await c.req.json();
    } catch {
      throw new HTTPException(400, { message: 'Malformed JSON in request body' });
    }
  }
  return checked(checks.replayRequest, 'json', body, c.req.path);
}

export function registerEventRoutes(app: Hono<AppEnv>, deps: EventRouteDeps): void {
  app.post('/v1/event-log/replay', async (c) => {
    const request = await replayRequestOf(c);
    // An operator's action: like the path-addressed routes, never taken on a signed body's word.
    if (!isCallerAuthMode(deps.authMode)) {
      return deps.fail(
        problem(
          'unauthenticated',
          `GATEWAY_AUTH=${deps.authMode} verifies signed bodies: replay takes caller authentication.`,
        ),
        c.req.path,
      );
    }
    const answer = await replayEvent(deps, request);
    return answer.status === 'not-found' ? c.json(answer, 404) : c.json(answer, 200);
  });
}
