/**
 * `POST /v1/webhooks/{source}` behind the route: verify with the source's preset, decide in core,
 * then deliver, queue or dead-letter. Every answer keeps the gateway's promise — a 2xx event is
 * delivered, queued durably or dead-lettered with its reason; when none of those is possible the
 * provider gets a non-2xx and retries.
 */
import type { GatewayConfig } from '../core/gateway-config-model';
import type { Delivery } from '../core/outcomes';
import { problem, type Problem } from '../core/problems';
import { fail, ok, type Result } from '../core/result';
import type { RoutedCommand } from '../core/routes';
import { envelopeHeaders, type WebhookEnvelope } from '../core/webhook-envelope';
import { decideWebhook, identifyWebhook } from '../core/webhook-routing';
import { signatureHeader } from '../core/webhook-verifiers';
import { routedOutcomes } from '../core/event-record-outcomes';
import type { Deliverer } from '../adapters/deliverer';
import { NO_EVENT_RECORDER, type EventRecorder } from '../adapters/event-log-recorder';
import { parseJsonBytes } from '../adapters/http-body';
import { problemDocument, type ProblemDocument } from '../adapters/http-problem';
import type { GatewayLogger } from '../adapters/logger';
import type { WebhookMetrics } from '../adapters/ports';
import type { SourceRuntime } from '../adapters/webhook-secrets';
import { annotateTrace, inSpan } from '../adapters/tracing';
import type { WebhookQueues } from '../adapters/webhook-queues';
import { webhookDigest } from '../adapters/webhook-verification';
import { senderProblem } from './delivery-answers';

export interface WebhookIngestDeps {
  config: GatewayConfig;
  sources: ReadonlyMap<string, SourceRuntime>;
  /** Delivers each routed command; the webhook queues the whole event itself, never one signal. */
  deliverer: Deliverer;
  logger: GatewayLogger;
  queues?: WebhookQueues;
  metrics?: WebhookMetrics;
  /**
   * Largest body: more than the input limit only when large payloads go to S3 (the queues then
   * carry a stored body's reference). @default core/input-limits' MAX_INPUT_BYTES
   */
  maxBodyBytes?: number;
  /** Records each verified event and its outcome in the event log (issue 30). @default none */
  recorder?: EventRecorder | undefined;
}

interface Delivered {
  route: string;
  workflowId: string;
  signal?: string;
  update?: string;
  start?: true;
}

/** What a provider is answered when the event was taken (a non-2xx is the Result's problem). */
export type WebhookReply =
  | { status: 200; body: { challenge: string } }
  | {
      status: 200 | 202;
      body: {
        status: 'delivered' | 'queued' | 'ignored' | 'dead-lettered';
        source: string;
        eventId: string;
        eventType?: string;
        deliveries?: Delivered[];
        reason?: ProblemDocument;
      };
    };

const describeDelivery = (routed: RoutedCommand): Delivered => {
  const base = { route: routed.route, workflowId: routed.command.workflowId };
  if (routed.kind === 'signal') return { ...base, signal: routed.command.signal };
  if (routed.kind === 'update') return { ...base, update: routed.command.update };
  return { ...base, start: true };
};

export function createWebhookIngest(deps: WebhookIngestDeps) {
  const { config, sources, deliverer, logger } = deps;
  const queues = deps.queues ?? {};
  const recorder = deps.recorder ?? NO_EVENT_RECORDER;

  /**
   * Starts every delivery; `first` is their results, or `late` when they take longer than the
   * provider may wait (only when a queue can take over). `work` settles in any case.
   */
  async function deliverWithin(deliveries: RoutedCommand[], budgetMs: number) {
    const work = Promise.all(deliveries.map((routed) => deliverer.deliver(routed)));
    if (!queues.enqueue) return { first: await work, work };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), budgetMs);
    });
    try {
      return { first: await Promise.race([work, late]), work };
    } finally {
      clearTimeout(timer);
    }
  }

  async function tryEnqueue(envelope: WebhookEnvelope): Promise<boolean> {
    if (!queues.enqueue) return false;
    try {
      // Its own span: the queue message carries this span's context, the visible queue hop.
      await inSpan('sqs fallback enqueue', 'client', {}, () => queues.enqueue!(envelope));
      return true;
    } catch (error) {
      logger.error('fallback queue refused the webhook', {
        eventId: envelope.webhook.eventId,
        error: String(error),
      });
      return false;
    }
  }

  return async function ingestWebhook(
    name: string,
    headers: Headers,
    bytes: Uint8Array,
  ): Promise<Result<WebhookReply>> {
    // The end-to-end latency's start: the request has arrived (its body read).
    const receivedAt = performance.now();
    const runtime = sources.get(name);
    if (!runtime) {
      return fail(
        problem('source-not-found', `No webhook source "${name.slice(0, 64)}" is declared.`, 'path.source'),
      );
    }
    if ('disabled' in runtime) return fail(problem('source-unavailable', runtime.disabled));
    const { source, verifier } = runtime;
    annotateTrace({ source: name });
    const verdict = await inSpan('verify webhook', 'internal', {}, () =>
      verifier.verify({ headers, body: bytes }),
    );
    if (!verdict.ok) {
      logger.info('webhook not authenticated', { source: name, field: verdict.problem.field });
      return fail(verdict.problem);
    }
    const parsed = parseJsonBytes(bytes, headers.get('content-type') ?? undefined, deps.maxBodyBytes);
    if (!parsed.ok) return parsed;
    const kept = envelopeHeaders(headers, signatureHeader(source.verifier));
    const document = { body: parsed.value, headers: kept };
    const identity = identifyWebhook(source, document, webhookDigest(bytes));
    annotateTrace({ eventId: identity.eventId });
    // Only verified events are recorded: an unauthenticated sender cannot fill the log.
    const recording = recorder.begin({
      eventId: identity.eventId,
      entry: { kind: 'webhook', source: name },
      eventType: identity.eventType,
      body: bytes,
      headers,
      signatureHeader: signatureHeader(source.verifier),
      verification: { result: 'verified', method: source.verifier.preset },
    });
    const decision = await inSpan('route webhook', 'internal', {}, () =>
      decideWebhook(config, source, document, identity),
    );
    // One delivery (the usual case) names the request's route and workflow on its span and log lines.
    const only =
      decision.kind === 'routed' && decision.deliveries.length === 1 ? decision.deliveries[0] : undefined;
    if (only) annotateTrace({ route: only.route, workflowId: only.command.workflowId });
    else if (decision.kind === 'unusable' && decision.route) annotateTrace({ route: decision.route });
    const base = {
      source: name,
      eventId: identity.eventId,
      ...(identity.eventType === undefined ? {} : { eventType: identity.eventType }),
    };
    const envelope: WebhookEnvelope = {
      webhook: {
        ...base,
        verifiedBy: source.verifier.preset,
        ...(identity.eventType === undefined ? {} : { eventType: identity.eventType.slice(0, 500) }),
        headers: kept,
        body: new TextDecoder().decode(bytes),
        receivedAt: new Date().toISOString(),
      },
    };

    const deadLetter = async (
      reason: Problem,
      route?: string,
      finished?: Delivery[],
    ): Promise<Result<WebhookReply>> => {
      const routes = (failed: 'dead-lettered' | 'failed') =>
        decision.kind === 'routed' && finished ? routedOutcomes(decision.deliveries, finished, failed) : [];
      if (!queues.deadLetter) {
        await recording.finish({ routes: routes('failed'), status: 'failed', problem: reason });
        return fail(reason);
      }
      try {
        await queues.deadLetter(envelope, reason, route);
      } catch (error) {
        logger.error('DLQ refused the webhook', { ...base, error: String(error) });
        const refused = problem(
          'queue-unavailable',
          `${reason.detail} The DLQ could not take the event either.`,
        );
        await recording.finish({ routes: routes('failed'), status: 'failed', problem: refused });
        return fail(refused);
      }
      await recording.finish({ routes: routes('dead-lettered'), status: 'dead-lettered', problem: reason });
      logger.warn('webhook dead-lettered', { ...base, route, errorType: reason.code });
      deps.metrics?.count('dead-lettered', name);
      return ok({ status: 202, body: { status: 'dead-lettered', ...base, reason: problemDocument(reason) } });
    };

    switch (decision.kind) {
      case 'handshake':
        return ok(
          'challenge' in decision.answer
            ? { status: 200, body: { challenge: decision.answer.challenge } }
            : { status: 200, body: { status: 'ignored', ...base } },
        );
      case 'ignored':
        logger.info('webhook ignored: no route wants it', base);
        deps.metrics?.count('ignored', name);
        await recording.finish({ routes: [], status: 'ignored' });
        return ok({ status: 200, body: { status: 'ignored', ...base } });
      case 'unusable':
        return deadLetter(decision.problem, decision.route);
      case 'routed':
        break;
    }

    const deliveries = decision.deliveries.map(describeDelivery);
    const routedCommands = decision.deliveries;
    const { first: results, work } = await deliverWithin(decision.deliveries, source.answerWithinMs);
    const transient =
      results === 'late' ? undefined : results.find((r) => r.status === 'failed' && r.transient);
    if (results === 'late' || transient) {
      // The whole event is queued: the queue handler re-routes it and deliveries already made dedupe.
      if (await tryEnqueue(envelope)) {
        logger.warn('webhook queued', {
          ...base,
          reason: results === 'late' ? 'Temporal slower than the answer budget' : 'transient failure',
        });
        deps.metrics?.count('queued', name);
        const made = results === 'late' ? [] : results;
        await recording.finish({ routes: routedOutcomes(decision.deliveries, made, 'queued') });
        return ok({ status: 202, body: { status: 'queued', ...base, deliveries } });
      }
      return settle(results === 'late' ? await work : results);
    }
    return settle(results);

    async function settle(finished: Delivery[]): Promise<Result<WebhookReply>> {
      const failed = finished.filter((r) => r.status === 'failed');
      const failure = failed.find((r) => r.transient) ?? failed[0];
      if (failure) {
        // Transient: the provider retries (503); permanent: acknowledged and dead-lettered.
        if (!failure.transient) return deadLetter(failure.problem, undefined, finished);
        const answer = senderProblem(failure, false);
        await recording.finish({ routes: routedOutcomes(routedCommands, finished), problem: answer });
        return fail(answer);
      }
      await recording.finish({ routes: routedOutcomes(routedCommands, finished) });
      deps.metrics?.count('delivered', name);
      deps.metrics?.endToEnd?.(name, performance.now() - receivedAt);
      logger.info('webhook delivered', { ...base, deliveries: deliveries.length });
      return ok({ status: 202, body: { status: 'delivered', ...base, deliveries } });
    }
  };
}
