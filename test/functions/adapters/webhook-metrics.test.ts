/**
 * The ingest function's webhook metrics as the EMF lines Powertools prints: CloudWatch turns each into
 * a metric under the namespace, `service` and `source` dimensions the construct's dashboard searches.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createWebhookMetrics } from '../../../functions/adapters/webhook-metrics';
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

/** Every JSON line written to stdout while `work` runs. */
function emfLines(work: () => void): EmfLine[] {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    work();
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
  it('writes a delivered webhook end-to-end latency in milliseconds per source, where the dashboard looks', () => {
    const metrics = createWebhookMetrics();
    const [line, ...more] = emfLines(() => metrics.endToEnd?.('stripe', 41.6));
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
});
