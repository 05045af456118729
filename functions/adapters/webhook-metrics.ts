/**
 * Webhook outcome counts and the direct path's end-to-end latency as CloudWatch metrics, written as
 * EMF log lines by Powertools (no API call on the request path). `WebhookIgnored` per source shows a
 * provider sending types no route wants; `WebhookEndToEndLatency` per source how long a delivered
 * event took from its arrival to Temporal accepting its signal.
 *
 * Powertools' metrics module is imported on the first metric, not at cold start: a function that
 * takes only direct signals (ingest) or only sealed envelopes (queue) never writes one, and the
 * module is 13 KiB of every cold start otherwise. A metric asked for while it loads is written as
 * soon as it has loaded; whoever answers the request awaits {@link DeferredMetrics.settled} first
 * (http-app's webhook route, {@link withMetricsWritten}), so every line is out before the answer and
 * before Lambda may freeze the process.
 */
import type * as PowertoolsMetrics from '@aws-lambda-powertools/metrics';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { GatewayLogger } from './logger';
import type { WebhookMetrics } from './ports';
import { UNVERIFIED_ENVELOPE_METRIC } from '../core/trust-metric-names';
import { WEBHOOK_LATENCY_METRIC, WEBHOOK_METRICS } from '../core/webhook-metric-names';

/** The metric name of each outcome, e.g. `WebhookIgnored`. */
export const WEBHOOK_METRIC_NAMES = {
  ignored: 'WebhookIgnored',
  'dead-lettered': 'WebhookDeadLettered',
  queued: 'WebhookQueued',
  delivered: 'WebhookDelivered',
} as const;

export const WEBHOOK_METRICS_NAMESPACE = WEBHOOK_METRICS.namespace;

type MetricsModule = typeof PowertoolsMetrics;
type Write = (metrics: Metrics, units: MetricsModule['MetricUnit']) => void;

/** Metrics whose lines may still be on their way while Powertools loads. */
export interface DeferredMetrics {
  /**
   * Resolves once every metric asked for so far is written; rejects if Powertools could not be
   * loaded (those metrics are lost, the event is not).
   */
  settled(): Promise<void>;
}

/** One Powertools `Metrics`, created with the module on its first metric. */
function deferredMetrics(create: (module: MetricsModule) => Metrics) {
  let loaded: { metrics: Metrics; units: MetricsModule['MetricUnit'] } | undefined;
  let loading: Promise<void> | undefined;
  const waiting: Write[] = [];

  const load = () =>
    (loading ??= import('@aws-lambda-powertools/metrics').then(
      (module) => {
        loaded = { metrics: create(module), units: module.MetricUnit };
        for (const write of waiting.splice(0)) write(loaded.metrics, loaded.units);
      },
      (error: unknown) => {
        // The next metric tries again; the ones waiting stay queued for it.
        loading = undefined;
        throw error;
      },
    ));

  return {
    emit(write: Write) {
      if (loaded) return write(loaded.metrics, loaded.units);
      waiting.push(write);
      // A failed load is reported by settled(), which the answering code awaits.
      load().catch(() => undefined);
    },
    settled: (): Promise<void> => (waiting.length > 0 ? load() : Promise.resolve()),
  };
}

export function createWebhookMetrics(
  serviceName: string = WEBHOOK_METRICS.service,
): WebhookMetrics & DeferredMetrics {
  const deferred = deferredMetrics(
    ({ Metrics }) => new Metrics({ namespace: WEBHOOK_METRICS_NAMESPACE, serviceName }),
  );
  return {
    endToEnd(source, milliseconds) {
      const value = Math.round(milliseconds);
      deferred.emit((metrics, units) => {
        const single = metrics.singleMetric();
        single.addDimension('source', source);
        single.addMetric(WEBHOOK_LATENCY_METRIC, units.Milliseconds, value);
      });
    },
    count(outcome, source) {
      // One EMF line per event, right away: a Lambda may freeze before any later flush.
      deferred.emit((metrics, units) => {
        const single = metrics.singleMetric();
        single.addDimension('source', source);
        single.addMetric(WEBHOOK_METRIC_NAMES[outcome], units.Count, 1);
      });
    },
    settled: deferred.settled,
  };
}

/**
 * Counts queue messages dead-lettered as `unverified-envelope` (CloudWatch EMF), in the function's
 * own namespace and service (POWERTOOLS_METRICS_NAMESPACE / _SERVICE_NAME, set by the construct),
 * which is where the construct's alarm looks.
 */
export function createTrustMetrics(): { unverifiedEnvelope(): void } & DeferredMetrics {
  const deferred = deferredMetrics(({ Metrics }) => new Metrics());
  return {
    unverifiedEnvelope() {
      deferred.emit((metrics, units) => {
        metrics.singleMetric().addMetric(UNVERIFIED_ENVELOPE_METRIC, units.Count, 1);
      });
    },
    settled: deferred.settled,
  };
}

/**
 * Waits until the metrics asked for so far are written (nothing to wait for without `settled`); a
 * metric that could not be written is logged, and fails nothing.
 */
export async function metricsWritten(
  metrics: Partial<DeferredMetrics> | undefined,
  logger: GatewayLogger,
): Promise<void> {
  try {
    await metrics?.settled?.();
  } catch (error) {
    logger.error('metrics not written: @aws-lambda-powertools/metrics did not load', {
      error: String(error),
    });
  }
}

/**
 * Wraps a handler so each invocation ends only once the metrics it asked for are written (see the
 * module comment); a metric that could not be written does not fail the invocation.
 */
export function withMetricsWritten<H extends (...args: never[]) => Promise<unknown>>(
  metrics: DeferredMetrics,
  logger: GatewayLogger,
  handler: H,
): H {
  const writing = async (...args: Parameters<H>) => {
    try {
      return await handler(...args);
    } finally {
      await metricsWritten(metrics, logger);
    }
  };
  return writing as H;
}
