/**
 * The OpenTelemetry SDK parts the gateway exports spans with, imported only when tracing is on and
 * only on the first request (tracing.ts): a tracer provider with a batch processor and the OTLP/HTTP
 * exporter, and the W3C propagator to read and write `traceparent`. Nothing is registered globally:
 * every span is started under an explicit parent context, so no context manager is needed either.
 */
import {
  ROOT_CONTEXT,
  SpanKind as OtelSpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { TraceContext } from '../core/trace-context';
import type { EventTraceFields, LiveSpan, SpanKind, SpanStarter } from './tracing-spans';
import { XrayOtlpExporter, xrayOtlpRegion, type AwsCredentials } from './xray-otlp-exporter';

/** Span attribute names of the event's fields (the worker's interceptors use `temporalWorkflowId`, `run_id`). */
export const SPAN_ATTRIBUTES = {
  eventId: 'event_gateway.event_id',
  source: 'event_gateway.source',
  route: 'event_gateway.route',
  workflowId: 'temporalWorkflowId',
  runId: 'run_id',
} as const satisfies Record<keyof EventTraceFields, string>;

const KINDS: Record<SpanKind, OtelSpanKind> = {
  server: OtelSpanKind.SERVER,
  consumer: OtelSpanKind.CONSUMER,
  client: OtelSpanKind.CLIENT,
  internal: OtelSpanKind.INTERNAL,
};

type Carrier = { traceparent?: string; tracestate?: string };
const getter: TextMapGetter<Carrier> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key as keyof Carrier],
};
const setter: TextMapSetter<Carrier> = {
  set: (carrier, key, value) => {
    if (key === 'traceparent' || key === 'tracestate') carrier[key] = value;
  },
};

function attributesOf(fields: EventTraceFields): Attributes {
  const attributes: Attributes = {};
  for (const key of Object.keys(SPAN_ATTRIBUTES) as (keyof EventTraceFields)[]) {
    const value = fields[key];
    if (value !== undefined) attributes[SPAN_ATTRIBUTES[key]] = value;
  }
  return attributes;
}

export interface OtlpSpanStarterOptions {
  /** The OTLP/HTTP traces URL (`…/v1/traces`). */
  readonly url: string;
  readonly serviceName: string;
  /** The function's credentials: an X-Ray OTLP URL is posted to signed with them (xray-otlp-exporter.ts). */
  readonly credentials?: AwsCredentials | undefined;
}

/** X-Ray's OTLP endpoint needs SigV4, which the SDK's exporter cannot do; any other takes plain OTLP/HTTP. */
function exporterFor(options: OtlpSpanStarterOptions) {
  const region = xrayOtlpRegion(options.url);
  return region && options.credentials
    ? new XrayOtlpExporter({ url: options.url, region, credentials: options.credentials })
    : new OTLPTraceExporter({ url: options.url });
}

/** Spans exported over OTLP/HTTP (protobuf-free JSON is the exporter's default here). */
export function createOtlpSpanStarter(options: OtlpSpanStarterOptions): SpanStarter {
  const provider = new BasicTracerProvider({
    resource: new Resource({ 'service.name': options.serviceName }),
    // Batches in a long-lived process; the Lambda entries flush before they answer.
    spanProcessors: [new BatchSpanProcessor(exporterFor(options), { scheduledDelayMillis: 1_000 })],
  });
  const tracer = provider.getTracer('temporal-event-gateway');
  const propagator = new W3CTraceContextPropagator();

  const wrap = (span: Span): LiveSpan => {
    const carrier: Carrier = {};
    propagator.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, setter);
    const context: TraceContext = {
      traceparent: carrier.traceparent ?? '',
      ...(carrier.tracestate ? { tracestate: carrier.tracestate } : {}),
    };
    return {
      context,
      setFields: (fields) => span.setAttributes(attributesOf(fields)),
      fail: (message) => span.setStatus({ code: SpanStatusCode.ERROR, message }),
      end: () => span.end(),
    };
  };

  return {
    start(name, kind, parent, fields) {
      const parentContext = parent ? propagator.extract(ROOT_CONTEXT, { ...parent }, getter) : ROOT_CONTEXT;
      return wrap(
        tracer.startSpan(name, { kind: KINDS[kind], attributes: attributesOf(fields) }, parentContext),
      );
    },
    flush: () => provider.forceFlush(),
  };
}
