/**
 * The routes that address workflows: `POST /v1/workflows/{id}/signals/{signal}`, `…/updates/{update}`,
 * `POST /v1/workflows/{id}` (start) — one acceptance path for all three, each answering its own
 * success body — the describe and query reads, and `POST /v1/events` (CloudEvents, routed by
 * configuration). Every route resolves its target in core before anything reaches Temporal, and
 * hands what it accepted to the Deliverer.
 */
import type { Context, Hono } from 'hono';
import { EVENT_SOURCES } from '../../contract/temporal-headers';
import {
  checkOperation,
  prepareSignal,
  prepareStart,
  prepareUpdate,
  resolveTarget,
  type CommandInput,
  type Prepared,
} from '../core/commands';
import { ANONYMOUS_CALLER, EVENT_ID_ENTRIES, namespaceEventId } from '../core/event-ids';
import { summarizeDeliveries } from '../core/event-outcome';
import type { GatewayConfig, Target } from '../core/gateway-config-model';
import { wireArguments } from '../core/operation-arguments';
import type { Delivery } from '../core/outcomes';
import type { Problem } from '../core/problems';
import { ok, type Result } from '../core/result';
import { routeCloudEvent } from '../core/routes';
import { readCloudEvent } from '../adapters/cloud-event-http';
import { routedOutcomes, routeOutcome } from '../core/event-record-outcomes';
import type { Deliverable, Deliverer } from '../adapters/deliverer';
import { NO_EVENT_RECORDER, type EventRecorder } from '../adapters/event-log-recorder';
import { bodyBytes, parseJsonBytes } from '../adapters/http-body';
import { problemDocument } from '../adapters/http-problem';
import type { GatewayLogger } from '../adapters/logger';
import type { Reader } from '../adapters/temporal-reader';
import { deliveryReport, senderProblem } from './delivery-answers';
import type { AppEnv } from './http-app-env';
import { checkedIdempotencyKey, checkedParams, checks } from './http-request-checks';

export interface WorkflowRouteDeps {
  config: GatewayConfig;
  deliverer: Deliverer;
  reader: Reader;
  logger: GatewayLogger;
  /** Ends the request with a problem document; typed routes return only their success bodies. */
  fail: (p: Problem, path: string) => never;
  newEventId: () => string;
  /** Largest operation body (core/input-limits: more when large payloads go to S3). @default MAX_INPUT_BYTES */
  maxBodyBytes?: number;
  /** Records each accepted event and its outcome in the event log (issue 30). @default none */
  recorder?: EventRecorder | undefined;
}

type Delivered = Extract<Delivery, { status: 'delivered' | 'queued' }>;

/** The operation a path-addressed request names. */
type Operation = { kind: 'signal'; signal: string } | { kind: 'update'; update: string } | { kind: 'start' };

/** How a caller was authenticated, from its segment (caller-identity.ts): `api-key`, `iam`, `jwt`, a signature preset. */
function callerMethod(caller: string): string {
  const kind = caller.split('-')[0]!;
  if (kind === 'key') return 'api-key';
  return kind === 'signed' ? caller.slice('signed-'.length) : kind;
}

export function registerWorkflowRoutes(app: Hono<AppEnv>, deps: WorkflowRouteDeps): void {
  const { config, deliverer, reader, logger, fail } = deps;
  const recorder = deps.recorder ?? NO_EVENT_RECORDER;

  /** The event log's start of an accepted request (its caller's verdict, its allow-listed headers). */
  const beginRecord = async (c: Context<AppEnv>, eventId: string, route: string, eventType?: string) => {
    const caller = c.get('caller');
    return recorder.begin({
      eventId,
      entry: { kind: 'http', route },
      eventType,
      body: await bodyBytes(c),
      headers: c.req.raw.headers,
      verification:
        caller && caller !== ANONYMOUS_CALLER
          ? { result: 'verified', method: callerMethod(caller) }
          : { result: 'none' },
    });
  };

  /**
   * The event id of a request: the caller's `Idempotency-Key` under the caller's namespace
   * (`@http:<caller>:<key>`, core/event-ids.ts), else a fresh id. 422 for a reserved key.
   */
  const eventIdOf = (c: Context<AppEnv>, header: string | undefined) =>
    header === undefined
      ? ok({ eventId: deps.newEventId() })
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
    return bytes.length === 0
      ? ok(undefined)
      : parseJsonBytes(bytes, c.req.header('content-type'), deps.maxBodyBytes);
  };

  /** The command a request asks for, checked in core against its target (already resolved). */
  function prepare(operation: Operation, input: CommandInput, target: Target): Result<Deliverable> {
    const kinded = <K extends Operation['kind'], C>(kind: K, prepared: Result<Prepared<C>>) =>
      prepared.ok ? ok({ kind, ...prepared.value }) : prepared;
    switch (operation.kind) {
      case 'signal':
        return kinded('signal', prepareSignal(config, { ...input, signal: operation.signal }, target));
      case 'update':
        return kinded('update', prepareUpdate(config, { ...input, update: operation.update }, target));
      case 'start':
        return kinded('start', prepareStart(config, input, target));
    }
  }

  /**
   * The one path of a signal, an update and a start: resolve the target (an undeclared target is
   * 403 whatever the body says), read the argument and the event id, prepare the command in core,
   * deliver it. A failure ends the request with the sender's problem; what comes back was delivered
   * (or, for a signal, queued).
   */
  async function operate(
    c: Context<AppEnv>,
    workflowId: string,
    operation: Operation,
  ): Promise<{ eventId: string; delivery: Delivered }> {
    const path = c.req.path;
    // Checked before anything else, as the route's header validator did.
    const idempotencyKey = checkedIdempotencyKey(c);
    const target = resolveTarget(config, workflowId);
    if (!target.ok) return fail(target.problem, path);
    const body = await argumentOf(c);
    if (!body.ok) return fail(body.problem, path);
    const ids = eventIdOf(c, idempotencyKey);
    if (!ids.ok) return fail(ids.problem, path);
    const input = { workflowId, payload: body.value, ...ids.value, source: EVENT_SOURCES.http };
    const prepared = prepare(operation, input, target.value);
    if (!prepared.ok) return fail(prepared.problem, path);
    const recording = recorder.enabled ? await beginRecord(c, ids.value.eventId, operation.kind) : undefined;
    const delivery = await deliverer.deliver(prepared.value, { queue: true });
    const name =
      operation.kind === 'signal'
        ? operation.signal
        : operation.kind === 'update'
          ? operation.update
          : 'start';
    await recording?.finish({
      routes: [
        routeOutcome({ route: operation.kind, kind: operation.kind, workflowId, operation: name }, delivery),
      ],
    });
    if (delivery.status === 'failed') {
      return fail(senderProblem(delivery, operation.kind !== 'signal'), path);
    }
    return { eventId: ids.value.eventId, delivery };
  }

  app.post('/v1/workflows/:workflowId/signals/:signal', async (c) => {
    const { workflowId, signal } = checkedParams(c, checks.signalParams);
    const { eventId, delivery } = await operate(c, workflowId, { kind: 'signal', signal });
    const status = delivery.status === 'delivered' && delivery.duplicate ? 'duplicate' : delivery.status;
    return c.json({ status, workflowId, signal, eventId }, 202);
  });

  app.post('/v1/events', async (c) => {
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
    const firstId = routed.value[0]?.command.eventId ?? authEventId ?? event.id;
    const recording = recorder.enabled ? await beginRecord(c, firstId, 'events', event.type) : undefined;
    const made = await Promise.all(routed.value.map((one) => deliverer.deliver(one, { queue: true })));
    await recording?.finish({ routes: routedOutcomes(routed.value, made) });
    const reports = routed.value.map((one, index) => deliveryReport(one, made[index]!));
    const summary = summarizeDeliveries(reports);
    if (!summary.ok) return fail(summary.problem, path);
    const eventId = routed.value[0]?.command.eventId ?? authEventId ?? event.id;
    logger.info('event routed', { eventId, status: summary.value, deliveries: reports.length });
    const deliveries = reports.map((report) => ({
      route: report.route,
      workflowId: report.workflowId,
      ...(report.kind === 'start' ? { start: true as const } : { [report.kind]: report.operation }),
      status: report.status,
      ...(report.result === undefined ? {} : { result: report.result }),
      ...(report.problem ? { problem: problemDocument(report.problem) } : {}),
    }));
    return c.json({ status: summary.value, eventId, deliveries }, 202);
  });

  app.post('/v1/workflows/:workflowId/updates/:update', async (c) => {
    const { workflowId, update } = checkedParams(c, checks.updateParams);
    const { eventId, delivery } = await operate(c, workflowId, { kind: 'update', update });
    // An update is never queued: what comes back is the workflow's answer.
    const answered = delivery.status === 'delivered' ? delivery : undefined;
    const duplicate = answered?.duplicate ? { status: 'duplicate' as const } : {};
    return c.json({ result: answered?.result, workflowId, update, eventId, ...duplicate }, 200);
  });

  app.get('/v1/workflows/:workflowId', async (c) => {
    const { workflowId } = checkedParams(c, checks.workflowParams);
    const target = resolveTarget(config, workflowId);
    if (!target.ok) return fail(target.problem, c.req.path);
    const result = await reader.describe(workflowId);
    return result.ok ? c.json(result.value, 200) : fail(result.problem, c.req.path);
  });

  app.post('/v1/workflows/:workflowId', async (c) => {
    const { workflowId } = checkedParams(c, checks.workflowParams);
    const { eventId, delivery } = await operate(c, workflowId, { kind: 'start' });
    const run = delivery.status === 'delivered' && delivery.run ? delivery.run : undefined;
    const answer = { status: run?.status ?? 'started', workflowId, runId: run?.runId ?? '', eventId };
    return run?.status === 'started' ? c.json(answer, 201) : c.json(answer, 200);
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

  app.get('/v1/workflows/:workflowId/queries/:query', async (c) => {
    const { workflowId, query } = checkedParams(c, checks.queryParams);
    return c.json(await runQuery(workflowId, query, undefined, c.req.path), 200);
  });

  app.post('/v1/workflows/:workflowId/queries/:query', async (c) => {
    const { workflowId, query } = checkedParams(c, checks.queryParams);
    const path = c.req.path;
    // An undeclared target is 403 whatever the body says.
    const target = resolveTarget(config, workflowId);
    if (!target.ok) return fail(target.problem, path);
    const body = await argumentOf(c);
    if (!body.ok) return fail(body.problem, path);
    return c.json(await runQuery(workflowId, query, body.value, path), 200);
  });
}
