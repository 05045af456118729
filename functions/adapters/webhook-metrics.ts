/**
 * Webhook outcome counts and the direct path's end-to-end latency as CloudWatch metrics, written as
 * EMF log lines by Powertools (no API call on the request path). `WebhookIgnored` per source shows a
 * provider sending types no route wants; `WebhookEndToEndLatency` per source how long a delivered
 * event took from its arrival to Temporal accepting its signal.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
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

export function createWebhookMetrics(serviceName: string = WEBHOOK_METRICS.service): WebhookMetrics {
  const metrics = new Metrics({ namespace: WEBHOOK_METRICS_NAMESPACE, serviceName });
  return {
    endToEnd(source, milliseconds) {
      const single = metrics.singleMetric();
      single.addDimension('source', source);
      single.addMetric(WEBHOOK_LATENCY_METRIC, MetricUnit.Milliseconds, Math.round(milliseconds));
    },
    count(outcome, source) {
      // One EMF line per event, right away: a Lambda may freeze before any later flush.
      const single = metrics.singleMetric();
      single.addDimension('source', source);
      single.addMetric(WEBHOOK_METRIC_NAMES[outcome], MetricUnit.Count, 1);
    },
  };
}

/**
 * Counts queue messages dead-lettered as `unverified-envelope` (CloudWatch EMF), in the function's
 * own namespace and service (POWERTOOLS_METRICS_NAMESPACE / _SERVICE_NAME, set by the construct),
 * which is where the construct's alarm looks.
 */
export function createTrustMetrics(): { unverifiedEnvelope(): void } {
  const metrics = new Metrics();
  return {
    unverifiedEnvelope() {
      const single = metrics.singleMetric();
      single.addMetric(UNVERIFIED_ENVELOPE_METRIC, MetricUnit.Count, 1);
    },
  };
}
