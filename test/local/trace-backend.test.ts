import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portAcceptsConnections } from '../../local/java-process';
import { startTraceBackend, type TraceBackend } from '../../local/trace-backend';

// The first run fetches Zipkin's jar and builds the collector (minutes); `npm run tools` does it ahead.
const SETUP_TIMEOUT_MS = 15 * 60_000;

let backend: TraceBackend;
beforeAll(async () => {
  backend = await startTraceBackend({ zipkinPort: 0 });
}, SETUP_TIMEOUT_MS);
afterAll(async () => {
  await backend?.stop();
});

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const portOf = (endpoint: string) =>
  Number(new URL(endpoint.includes('://') ? endpoint : `tcp://${endpoint}`).port);

/** One span in an OTLP/HTTP JSON export request, as an OTel SDK's exporter would send it. */
function otlpRequest(span: {
  traceId: string;
  spanId: string;
  service: string;
  name: string;
  attributes: Record<string, string>;
}) {
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: span.service } }] },
        scopeSpans: [
          {
            scope: { name: 'trace-backend.test' },
            spans: [
              {
                traceId: span.traceId,
                spanId: span.spanId,
                name: span.name,
                kind: 2, // SERVER
                startTimeUnixNano: String(nowNs - 5_000_000n),
                endTimeUnixNano: String(nowNs),
                attributes: Object.entries(span.attributes).map(([key, value]) => ({
                  key,
                  value: { stringValue: value },
                })),
                status: {},
              },
            ],
          },
        ],
      },
    ],
  };
}

describe('startTraceBackend', () => {
  it('listens on loopback only and serves the Zipkin UI', async () => {
    for (const endpoint of [backend.zipkinUrl, backend.otlpHttpEndpoint, backend.otlpGrpcEndpoint]) {
      expect(endpoint).toMatch(/^(http:\/\/)?127\.0\.0\.1:\d+$/);
      expect(await portAcceptsConnections(portOf(endpoint))).toBe(true);
    }
    expect(backend.uiUrl).toBe(`${backend.zipkinUrl}/zipkin/`);
    const ui = await fetch(backend.uiUrl);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('<title>Zipkin</title>');
  });

  it('stores a span sent over OTLP/HTTP, found in Zipkin by its trace id with its service and attributes', async () => {
    const traceId = hex(16);
    const spanId = hex(8);
    const response = await fetch(`${backend.otlpHttpEndpoint}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(
        otlpRequest({
          traceId,
          spanId,
          service: 'event-gateway-ingest',
          name: 'POST /webhooks/stripe',
          attributes: { 'event_gateway.source': 'stripe', 'event_gateway.event_id': 'evt_trace_test' },
        }),
      ),
    });
    expect(response.status).toBe(200);

    const spans = await backend.findTrace(traceId);
    expect(spans).toHaveLength(1);
    expect(spans[0]).toMatchObject({
      traceId,
      id: spanId,
      name: 'post /webhooks/stripe', // Zipkin lower-cases span names
      kind: 'SERVER',
      localEndpoint: { serviceName: 'event-gateway-ingest' },
      tags: { 'event_gateway.source': 'stripe', 'event_gateway.event_id': 'evt_trace_test' },
    });
    // Waiting for spans by name: found once each is there as often as listed, else named as missing.
    await expect(backend.findTrace(traceId, { spanNames: ['post /webhooks/stripe'] })).resolves.toHaveLength(
      1,
    );
    await expect(
      backend.findTrace(traceId, {
        spanNames: ['post /webhooks/stripe', 'post /webhooks/stripe'],
        timeoutMs: 0,
      }),
    ).rejects.toThrow(/spans named post \/webhooks\/stripe\./);
    // An unknown trace is not found (the query API answers 404, not an empty trace).
    await expect(backend.findTrace(hex(16), { timeoutMs: 0 })).rejects.toThrow(/had 0 span/);
  });
});
