/**
 * The gateway's own spans and OTLP/HTTP JSON exporter (tracing-otel.ts, tracing-otlp-json.ts): the
 * request body says what the SDK's own JSON serializer says of the same spans, and the spans the
 * gateway starts reach a stand-in OTLP endpoint with their parents, kinds, attributes and status.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind, SpanStatusCode, trace, ROOT_CONTEXT } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { Resource } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SamplingDecision,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { createOtlpSpanStarter, GatewaySpan, SPAN_ATTRIBUTES } from '../../functions/adapters/tracing-otel';
import { newTraceId } from '../../functions/adapters/tracing-ids';
import { otlpJsonTraceRequest } from '../../functions/adapters/tracing-otlp-json';
import { samplerFromEnv } from '../../functions/adapters/tracing-sampler';

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: OtlpRequest;
}

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: { key: string; value: { stringValue?: string } }[];
  status: { code: number; message?: string };
}

interface OtlpRequest {
  resourceSpans: {
    resource: { attributes: { key: string; value: { stringValue?: string } }[] };
    scopeSpans: { scope: { name: string }; spans: OtlpSpan[] }[];
  }[];
}

const servers: { close(): void }[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** A stand-in OTLP/HTTP endpoint answering 200 and keeping the JSON it received. */
async function otlpEndpoint(): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        headers: req.headers,
        body: JSON.parse(Buffer.concat(chunks).toString()) as OtlpRequest,
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`, received };
}

/** The SDK's JSON with the fields OTLP lets an encoder leave out when they are empty or zero removed. */
function withoutDefaults(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutDefaults);
  if (value === null || typeof value !== 'object') return value;
  const kept = Object.entries(value).filter(
    ([key, field]) =>
      !(/^dropped.*Count$/.test(key) && field === 0) && !(Array.isArray(field) && field.length === 0),
  );
  return Object.fromEntries(kept.map(([key, field]) => [key, withoutDefaults(field)]));
}

const spansOf = (request: OtlpRequest) =>
  request.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));

const attribute = (span: OtlpSpan, key: string) =>
  span.attributes.find((a) => a.key === key)?.value.stringValue;

describe('otlpJsonTraceRequest', () => {
  it('encodes spans as the SDK’s own OTLP JSON serializer does', () => {
    const memory = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: new Resource({ 'service.name': 'gateway-test' }),
      spanProcessors: [new SimpleSpanProcessor(memory)],
    });
    const tracer = provider.getTracer('temporal-event-gateway');
    const parent = tracer.startSpan('POST /v1/webhooks/stripe', {
      kind: SpanKind.SERVER,
      attributes: { 'event_gateway.source': 'stripe', count: 3, ratio: 1.5, flag: true, list: ['a', 'b'] },
    });
    const parentContext = trace.setSpan(
      ROOT_CONTEXT,
      trace.wrapSpanContext({ ...parent.spanContext(), traceState: new TraceState('congo=t61rcWkgMzE') }),
    );
    const child = tracer.startSpan('temporal signal', { kind: SpanKind.CLIENT }, parentContext);
    child.addEvent('retry', { attempt: 2 });
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'Temporal is down' });
    child.end();
    parent.end();
    const spans = memory.getFinishedSpans();

    const ours = JSON.parse(otlpJsonTraceRequest(spans)) as unknown;
    const sdk = JSON.parse(new TextDecoder().decode(JsonTraceSerializer.serializeRequest(spans))) as unknown;
    expect(ours).toEqual(withoutDefaults(sdk));
  });

  it('writes escapes, text beyond ASCII and times of any width as the SDK does', () => {
    const memory = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: new Resource({ 'service.name': 'gateway-tëst' }),
      spanProcessors: [new SimpleSpanProcessor(memory)],
    });
    const tracer = provider.getTracer('temporal-event-gateway');
    const names = [
      'POST /v1/webhooks/"quoted"\\path',
      'ünïcödé 😀 \u2028',
      'tab\there\nnew line \u0001',
      'del\u007f',
      'back\\slash',
    ];
    names.forEach((name, index) => {
      const span = tracer.startSpan(name, {
        startTime: [index, 5 * 10 ** index],
        attributes: { [name]: name, 'event_gateway.event_id': `evt_${index}`, 'lone surrogate': '\ud800x' },
      });
      span.setStatus({ code: SpanStatusCode.ERROR, message: name });
      span.end([index + 1, 7]);
    });
    const spans = memory.getFinishedSpans();

    const ours = JSON.parse(otlpJsonTraceRequest(spans)) as unknown;
    const sdk = JSON.parse(new TextDecoder().decode(JsonTraceSerializer.serializeRequest(spans))) as unknown;
    expect(ours).toEqual(withoutDefaults(sdk));
  });
});

describe('the gateway’s spans', () => {
  it('exports a request span and its child with parents, kinds, attributes and status', async () => {
    const endpoint = await otlpEndpoint();
    const spans = createOtlpSpanStarter({
      url: endpoint.url,
      serviceName: 'gateway-test',
      env: { OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=acme%20corp' },
    });
    const request = spans.start('POST /v1/webhooks/stripe', 'server', undefined, { source: 'stripe' });
    const call = spans.start('temporal signal', 'client', request.context, {
      source: 'stripe',
      workflowId: 'order-1',
    });
    request.setFields({ eventId: 'stripe:evt_1', route: 'paid' });
    call.fail('Temporal is down');
    call.end();
    request.end();
    await spans.flush();

    expect(endpoint.received).toHaveLength(1);
    const [sent] = endpoint.received;
    expect(sent!.headers['content-type']).toBe('application/json');
    expect(sent!.headers['x-tenant']).toBe('acme corp');
    const resource = sent!.body.resourceSpans[0]!.resource.attributes;
    expect(resource.find((a) => a.key === 'service.name')?.value.stringValue).toBe('gateway-test');
    const [exportedCall, exportedRequest] = spansOf(sent!.body);

    expect(request.context.traceparent).toBe(`00-${exportedRequest!.traceId}-${exportedRequest!.spanId}-01`);
    expect(call.context.traceparent).toBe(`00-${exportedRequest!.traceId}-${exportedCall!.spanId}-01`);
    expect(exportedRequest!.parentSpanId).toBeUndefined();
    expect(exportedCall!.parentSpanId).toBe(exportedRequest!.spanId);
    expect([exportedRequest!.kind, exportedCall!.kind]).toEqual([2, 3]); // OTLP's SERVER, CLIENT
    expect(attribute(exportedRequest!, SPAN_ATTRIBUTES.eventId)).toBe('stripe:evt_1');
    expect(attribute(exportedRequest!, SPAN_ATTRIBUTES.route)).toBe('paid');
    expect(attribute(exportedCall!, SPAN_ATTRIBUTES.workflowId)).toBe('order-1');
    expect(exportedCall!.status).toEqual({ code: 2, message: 'Temporal is down' });
    expect(exportedRequest!.status).toEqual({ code: 0 });
    expect(BigInt(exportedCall!.endTimeUnixNano)).toBeGreaterThanOrEqual(
      BigInt(exportedCall!.startTimeUnixNano),
    );
    expect(BigInt(exportedRequest!.endTimeUnixNano)).toBeGreaterThanOrEqual(
      BigInt(exportedCall!.endTimeUnixNano),
    );
  });

  it('posts a batch once it holds OTEL_BSP_MAX_EXPORT_BATCH_SIZE spans, the rest on flush', async () => {
    const endpoint = await otlpEndpoint();
    const spans = createOtlpSpanStarter({
      url: endpoint.url,
      serviceName: 'gateway-test',
      env: { OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '2' },
    });
    const started = ['first', 'second', 'third'].map((name) => spans.start(name, 'internal', undefined, {}));
    for (const span of started) span.end();
    await spans.flush();

    expect(endpoint.received.map((request) => spansOf(request.body).map((span) => span.name))).toEqual([
      ['first', 'second'],
      ['third'],
    ]);
  });

  it('continues a sender’s unsampled trace without exporting it, keeping its tracestate', async () => {
    const endpoint = await otlpEndpoint();
    const spans = createOtlpSpanStarter({ url: endpoint.url, serviceName: 'gateway-test', env: {} });
    const incoming = {
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00',
      tracestate: 'congo=t61rcWkgMzE',
    };
    const request = spans.start('POST /v1/events', 'server', incoming, {});
    expect(request.context.traceparent).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-00$/);
    expect(request.context.traceparent).not.toContain('00f067aa0ba902b7');
    expect(request.context.tracestate).toBe('congo=t61rcWkgMzE');
    request.end();
    await spans.flush();
    expect(endpoint.received).toHaveLength(0);
  });
});

describe('a GatewaySpan as the SDK reads it', () => {
  it('serializes through the SDK’s protobuf serializer (the X-Ray exporter’s) and JSON one alike', () => {
    const spans = createOtlpSpanStarter({ url: 'http://127.0.0.1:9/v1/traces', serviceName: 'gw', env: {} });
    const span = spans.start('temporal signal', 'client', undefined, { workflowId: 'order-1' });
    span.end();
    expect(span).toBeInstanceOf(GatewaySpan);
    const gatewaySpan = span as GatewaySpan;
    const protobuf = Buffer.from(ProtobufTraceSerializer.serializeRequest([gatewaySpan])!);
    expect(protobuf.includes(Buffer.from('temporal signal'))).toBe(true);
    expect(protobuf.includes(Buffer.from(gatewaySpan.spanContext().traceId, 'hex'))).toBe(true);
    expect(protobuf.includes(Buffer.from('order-1'))).toBe(true);
    const sdkJson = JSON.parse(
      new TextDecoder().decode(JsonTraceSerializer.serializeRequest([gatewaySpan])),
    ) as unknown;
    expect(JSON.parse(otlpJsonTraceRequest([gatewaySpan]))).toEqual(withoutDefaults(sdkJson));
  });
});

describe('head sampling (OTEL_TRACES_SAMPLER)', () => {
  it('keeps the traces the SDK’s trace-id ratio sampler keeps', () => {
    const ours = samplerFromEnv({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' });
    const sdk = new TraceIdRatioBasedSampler(0.25);
    const traceIds = Array.from({ length: 2_000 }, () => newTraceId());
    const kept = traceIds.filter((traceId) => ours.sample(traceId));
    expect(kept).toEqual(
      traceIds.filter(
        (traceId) => sdk.shouldSample(ROOT_CONTEXT, traceId).decision === SamplingDecision.RECORD_AND_SAMPLED,
      ),
    );
    expect(kept.length).toBeGreaterThan(300);
    expect(kept.length).toBeLessThan(700);
    expect(ours.parentBased).toBe(false);
    expect(samplerFromEnv({}).parentBased).toBe(true);
  });

  it('answers an unsampled trace (flag 00) and exports none of its spans', async () => {
    const endpoint = await otlpEndpoint();
    const spans = createOtlpSpanStarter({
      url: endpoint.url,
      serviceName: 'gateway-test',
      env: { OTEL_TRACES_SAMPLER: 'parentbased_always_off' },
    });
    const request = spans.start('POST /v1/events', 'server', undefined, {});
    const call = spans.start('temporal signal', 'client', request.context, {});
    expect(request.context.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    expect(call.context.traceparent.slice(0, 36)).toBe(request.context.traceparent.slice(0, 36));
    call.end();
    request.end();
    await spans.flush();
    expect(endpoint.received).toHaveLength(0);
  });
});
