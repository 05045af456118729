/**
 * The local stacks' trace backend (local/trace-backend.ts startDevTraceBackend): off when the
 * OpenTelemetry SDK's own variables say so, the developer's OTLP endpoint used as it is, else Zipkin
 * and the collector started with the gateway's and the worker's OTLP endpoint pointing at them.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startDevTraceBackend, type DevTraces } from '../../local/trace-backend';

const started: DevTraces[] = [];
afterAll(async () => {
  for (const traces of started) await traces.backend?.stop();
});

describe('startDevTraceBackend', () => {
  it('starts nothing with OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none', async () => {
    for (const env of [{ OTEL_SDK_DISABLED: 'true' }, { OTEL_TRACES_EXPORTER: 'none' }]) {
      const traces = await startDevTraceBackend(env);
      expect(traces.backend).toBeUndefined();
      expect(traces.env).toEqual({});
      expect(traces.description).toMatch(/^off/);
    }
  });

  it("uses the developer's own OTLP endpoint as it is", async () => {
    const traces = await startDevTraceBackend({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel.example:4318' });
    expect(traces).toEqual({
      backend: undefined,
      env: {},
      description: 'your OTLP endpoint http://otel.example:4318',
    });
  });

  it(
    'otherwise starts Zipkin and the collector, and points the stack at the collector',
    { timeout: 180_000 },
    async () => {
      const traces = await startDevTraceBackend({}, { log: () => undefined });
      started.push(traces);
      const backend = traces.backend!;
      expect(traces.env).toEqual({ OTEL_EXPORTER_OTLP_ENDPOINT: backend.otlpHttpEndpoint });
      expect(traces.description).toContain(backend.uiUrl);
      expect(traces.description).toContain('OTEL_SDK_DISABLED=true');
      expect((await fetch(`${backend.zipkinUrl}/health`)).ok).toBe(true);
      const exported = await fetch(`${backend.otlpHttpEndpoint}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"resourceSpans":[]}',
      });
      expect(exported.status).toBe(200);
    },
  );
});
