/**
 * The ingest function's webhook metrics as the EMF lines Powertools prints: CloudWatch turns each into
 * a metric under the namespace, `service` and `source` dimensions the construct's dashboard searches.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createTrustMetrics,
  createWebhookMetrics,
  WEBHOOK_METRIC_NAMES,
  withMetricsWritten,
} from '../../../functions/adapters/webhook-metrics';
import { silentLogger } from '../../../functions/adapters/logger';
import { UNVERIFIED_ENVELOPE_METRIC } from '../../../functions/core/trust-metric-names';
import { WEBHOOK_LATENCY_METRIC, WEBHOOK_METRICS } from '../../../functions/core/webhook-metric-names';

interface EmfLine {
  _aws: {
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [field: string]: unknown;
}

/** Every JSON line written to stdout while `work` runs (Powertools loads on the first metric). */
async function emfLines(work: () => Promise<void>): Promise<EmfLine[]> {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    await work();
  } finally {
    spy.mockRestore();
  }
  return lines
    .flatMap((text) => text.split('\n'))
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as EmfLine);
}

afterEach(() => vi.restoreAllMocks());

describe('createWebhookMetrics', () => {
  it('writes a delivered webhook end-to-end latency in milliseconds per source, where the dashboard looks', async () => {
    const metrics = createWebhookMetrics();
    const [line, ...more] = await emfLines(async () => {
      metrics.endToEnd?.('stripe', 41.6);
      await metrics.settled();
    });
    expect(more).toEqual([]);
    const [directive] = line!._aws.CloudWatchMetrics;
    expect(directive?.Namespace).toBe(WEBHOOK_METRICS.namespace);
    expect(directive?.Dimensions[0]).toEqual(expect.arrayContaining(['service', 'source']));
    expect(directive?.Metrics).toEqual([{ Name: WEBHOOK_LATENCY_METRIC, Unit: 'Milliseconds' }]);
    expect(line).toMatchObject({
      service: WEBHOOK_METRICS.service,
      source: 'stripe',
      [WEBHOOK_LATENCY_METRIC]: 42,
    });
  });

  it('writes every count asked for while Powertools loads, in order, once settled', async () => {
    const metrics = createWebhookMetrics();
    const lines = await emfLines(async () => {
      metrics.count('ignored', 'github');
      metrics.count('delivered', 'stripe');
      await metrics.settled();
      metrics.count('queued', 'stripe');
    });
    expect(lines.map((line) => [line.source, line._aws.CloudWatchMetrics[0]?.Metrics[0]?.Name])).toEqual([
      ['github', WEBHOOK_METRIC_NAMES.ignored],
      ['stripe', WEBHOOK_METRIC_NAMES.delivered],
      ['stripe', WEBHOOK_METRIC_NAMES.queued],
    ]);
  });
});

describe('withMetricsWritten', () => {
  it('ends an invocation only once the metrics it asked for are written', async () => {
    const trust = createTrustMetrics();
    const handler = withMetricsWritten(trust, silentLogger, (count: number) => {
      for (let i = 0; i < count; i++) trust.unverifiedEnvelope();
      return Promise.resolve('done');
    });
    let answer: string | undefined;
    const lines = await emfLines(async () => {
      answer = await handler(2);
    });
    expect(answer).toBe('done');
    expect(lines.map((line) => line[UNVERIFIED_ENVELOPE_METRIC])).toEqual([1, 1]);
  });
});
