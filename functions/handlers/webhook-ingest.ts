/**
 * `POST /v1/webhooks/{source}` behind the route: verify with the source's preset, decide in core,
 * then deliver, queue or dead-letter. Every answer keeps the gateway's promise — a 2xx event is
 * delivered, queued durably or dead-lettered with its reason; when none of those is possible the
 * provider gets a non-2xx and retries.
 */
import type { GatewayConfig } from '../core/gateway-config-model';
import { problem, type Problem } from '../core/problems';
import type { RoutedCommand } from '../core/routes';
import { NO_STARTER, type Starter } from '../adapters/temporal-starter';
import { envelopeHeaders, type WebhookEnvelope } from '../core/webhook-envelope';
import { decideWebhook, identifyWebhook } from '../core/webhook-routing';
import { signatureHeader } from '../core/webhook-verifiers';
import { parseJsonBytes } from '../adapters/http-body';
import { problemDocument, type ProblemDocument } from '../adapters/http-problem';
import type { GatewayLogger } from '../adapters/logger';
import type { Signaler } from '../adapters/temporal-signaler';
import type { Updater } from '../adapters/temporal-updater';
import type { SourceRuntime } from '../adapters/webhook-secrets';
import type { WebhookQueues } from '../adapters/webhook-queues';
import { webhookDigest } from '../adapters/webhook-verification';

/** Counts webhook outcomes per source (CloudWatch EMF in Lambda). */
export interface WebhookMetrics {
  count(outcome: 'ignored' | 'dead-lettered' | 'queued' | 'delivered', source: string): void;
}

export interface WebhookIngestDeps {
  config: GatewayConfig;
  sources: ReadonlyMap<string, SourceRuntime>;
  signaler: Signaler;
  updater: Updater;
  /** Starts workflows for start routes; absent = every start refused. */
  starter?: Starter;
  logger: GatewayLogger;
  queues?: WebhookQueues;
  metrics?: WebhookMetrics;
}

interface Delivered {
  route: string;
  workflowId: string;
  signal?: string;
  update?: string;
  start?: true;
}

export type WebhookAnswer =
  | { ok: true; status: 200; body: { challenge: string } }
  | {
      ok: true;
      status: 200 | 202;
      body: {
        status: 'delivered' | 'queued' | 'ignored' | 'dead-lettered';
        source: string;
        eventId: string;
        eventType?: string;
        deliveries?: Delivered[];
        reason?: ProblemDocument;
      };
    }
  | { ok: false; problem: Problem };

type DeliveryResult = { ok: true } | { ok: false; transient: boolean; problem: Problem };

const describeDelivery = (routed: RoutedCommand): Delivered => {
  const base = { route: routed.route, workflowId: routed.command.workflowId };
  if (routed.kind === 'signal') return { ...base, signal: routed.command.signal };
  if (routed.kind === 'update') return { ...base, update: routed.command.update };
  return { ...base, start: true };
};

export function createWebhookIngest(deps: WebhookIngestDeps) {
  const { config, sources, signaler, updater, logger } = deps;
  const queues = deps.queues ?? {};

  async function deliverOne(routed: RoutedCommand): Promise<DeliveryResult> {
    try {
      const outcome =
        routed.kind === 'signal'
          ? await signaler.signal(routed.command, routed.target)
          : routed.kind === 'update'
            ? await updater.update(routed.command, routed.target)
            : await (deps.starter ?? NO_STARTER).start(routed.command, routed.target);
      if (outcome.status !== 'failed') return { ok: true };
      return { ok: false, transient: outcome.transient, problem: outcome.problem };
    } catch (error) {
      // The adapters classify their own errors; anything else is treated as worth retrying later.
      return { ok: false, transient: true, problem: problem('temporal-unavailable', String(error)) };
    }
  }

  /**
   * Starts every delivery; `first` is their results, or `late` when they take longer than the
   * provider may wait (only when a queue can take over). `work` settles in any case.
   */
  async function deliverWithin(deliveries: RoutedCommand[], budgetMs: number) {
    const work = Promise.all(deliveries.map(deliverOne));
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
      await queues.enqueue(envelope);
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
  ): Promise<WebhookAnswer> {
    const runtime = sources.get(name);
    if (!runtime) {
      return {
        ok: false,
        problem: problem(
          'source-not-found',
          `No webhook source "${name.slice(0, 64)}" is declared.`,
          'path.source',
        ),
      };
    }
    if ('disabled' in runtime) return { ok: false, problem: problem('source-unavailable', runtime.disabled) };
    const { source, verifier } = runtime;
    const verdict = verifier.verify({ headers, body: bytes });
    if (!verdict.ok) {
      logger.info('webhook not authenticated', { source: name, field: verdict.problem.field });
      return verdict;
    }
    const parsed = parseJsonBytes(bytes, headers.get('content-type') ?? undefined);
    if (!parsed.ok) return parsed;
    const kept = envelopeHeaders(headers, signatureHeader(source.verifier));
    const document = { body: parsed.value, headers: kept };
    const identity = identifyWebhook(source, document, webhookDigest(bytes));
    const decision = decideWebhook(config, source, document, identity);
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

    const deadLetter = async (reason: Problem, route?: string): Promise<WebhookAnswer> => {
      if (!queues.deadLetter) return { ok: false, problem: reason };
      try {
        await queues.deadLetter(envelope, reason, route);
      } catch (error) {
        logger.error('DLQ refused the webhook', { ...base, error: String(error) });
        return {
          ok: false,
          problem: problem('queue-unavailable', `${reason.detail} The DLQ could not take the event either.`),
        };
      }
      logger.warn('webhook dead-lettered', { ...base, route, errorType: reason.code });
      deps.metrics?.count('dead-lettered', name);
      return {
        ok: true,
        status: 202,
        body: { status: 'dead-lettered', ...base, reason: problemDocument(reason) },
      };
    };

    switch (decision.kind) {
      case 'handshake':
        return 'challenge' in decision.answer
          ? { ok: true, status: 200, body: { challenge: decision.answer.challenge } }
          : { ok: true, status: 200, body: { status: 'ignored', ...base } };
      case 'ignored':
        logger.info('webhook ignored: no route wants it', base);
        deps.metrics?.count('ignored', name);
        return { ok: true, status: 200, body: { status: 'ignored', ...base } };
      case 'unusable':
        return deadLetter(decision.problem, decision.route);
      case 'routed':
        break;
    }

    const deliveries = decision.deliveries.map(describeDelivery);
    const { first: results, work } = await deliverWithin(decision.deliveries, source.answerWithinMs);
    const transient = results === 'late' ? undefined : results.find((r) => !r.ok && r.transient);
    if (results === 'late' || transient) {
      // The whole event is queued: the queue handler re-routes it and deliveries already made dedupe.
      if (await tryEnqueue(envelope)) {
        logger.warn('webhook queued', {
          ...base,
          reason: results === 'late' ? 'Temporal slower than the answer budget' : 'transient failure',
        });
        deps.metrics?.count('queued', name);
        return { ok: true, status: 202, body: { status: 'queued', ...base, deliveries } };
      }
      return settle(results === 'late' ? await work : results);
    }
    return settle(results);

    async function settle(finished: DeliveryResult[]): Promise<WebhookAnswer> {
      const failure = finished.find((r) => !r.ok && r.transient) ?? finished.find((r) => !r.ok);
      if (failure && !failure.ok) {
        if (failure.transient)
          return { ok: false, problem: problem('temporal-unavailable', failure.problem.detail) };
        return deadLetter(failure.problem);
      }
      deps.metrics?.count('delivered', name);
      logger.info('webhook delivered', { ...base, deliveries: deliveries.length });
      return { ok: true, status: 202, body: { status: 'delivered', ...base, deliveries } };
    }
  };
}
