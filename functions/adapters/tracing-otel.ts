/**
 * The gateway's exported spans, imported only when tracing is on and only on the first request
 * (tracing.ts). Its spans are few and known (a request or queue record, verification, routing, one per
 * Temporal call or enqueue), each started under an explicit parent: so instead of the SDK's tracer —
 * a context object, a sampler, attribute limits, a propagator's parse and format, and closures per
 * span — a {@link GatewaySpan} is one plain object that is both the scope's {@link LiveSpan} and the
 * SDK's `ReadableSpan`: written as OTLP JSON into its batch's bytes when it ends (tracing-otlp-json-export.ts),
 * or, for X-Ray, handed to the SDK's `BatchSpanProcessor` and its protobuf exporter
 * (xray-otlp-exporter.ts). Nothing is registered globally.
 */
import {
  SpanKind as OtelSpanKind,
  SpanStatusCode,
  TraceFlags,
  type Attributes,
  type HrTime,
  type SpanContext,
  type SpanStatus,
} from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { Resource, type IResource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { TraceContext } from '../core/trace-context';
import { newSpanId, newTraceId } from './tracing-ids';
import { OtlpJsonBatchExporter } from './tracing-otlp-json-export';
import { samplerFromEnv, type GatewaySampler } from './tracing-sampler';
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

const FIELD_NAMES = Object.keys(SPAN_ATTRIBUTES) as (keyof EventTraceFields)[];

const KINDS: Record<SpanKind, OtelSpanKind> = {
  server: OtelSpanKind.SERVER,
  consumer: OtelSpanKind.CONSUMER,
  client: OtelSpanKind.CLIENT,
  internal: OtelSpanKind.INTERNAL,
};

/** The instrumentation scope every gateway span is exported under. */
const SCOPE = { name: 'temporal-event-gateway' } as const;

/** What a span without links, events or a status set shares with every other (no objects per span). */
const NONE: never[] = Object.freeze([]) as never[];
const UNSET: SpanStatus = Object.freeze({ code: SpanStatusCode.UNSET });

/** The longest an ended span waits to be exported from a long-lived process. */
const EXPORT_DELAY_MS = 1_000;

function addAttributes(attributes: Attributes, fields: EventTraceFields): void {
  for (const key of FIELD_NAMES) {
    const value = fields[key];
    if (value !== undefined) attributes[SPAN_ATTRIBUTES[key]] = value;
  }
}

/** Epoch ms (as `performance.timeOrigin + performance.now()` gives it) as OpenTelemetry's [s, ns]. */
function hrTimeOf(epochMs: number): HrTime {
  const seconds = Math.floor(epochMs / 1000);
  const nanos = Math.round((epochMs - seconds * 1000) * 1e6);
  return nanos >= 1e9 ? [seconds + 1, nanos - 1e9] : [seconds, nanos];
}

const nowMs = () => performance.timeOrigin + performance.now();

const isSampled = (ids: SpanContext) => (ids.traceFlags & TraceFlags.SAMPLED) !== 0;

const flags = (sampled: boolean) => (sampled ? TraceFlags.SAMPLED : TraceFlags.NONE);

/**
 * One span: what the scope needs while it runs ({@link LiveSpan}) and what the SDK's processors and
 * exporters read once it ended (`ReadableSpan`). Times stay epoch ms until an exporter asks for them.
 */
export class GatewaySpan implements LiveSpan, ReadableSpan {
  readonly context: TraceContext;
  readonly attributes: Attributes = {};
  status: SpanStatus = UNSET;
  ended = false;
  readonly links = NONE;
  readonly events = NONE;
  readonly droppedAttributesCount = 0;
  readonly droppedEventsCount = 0;
  readonly droppedLinksCount = 0;
  readonly instrumentationLibrary = SCOPE;
  private readonly startMs = nowMs();
  private endMs = 0;

  constructor(
    readonly name: string,
    readonly kind: OtelSpanKind,
    private readonly ids: SpanContext,
    readonly parentSpanId: string | undefined,
    readonly resource: IResource,
    private readonly onEnded: ((span: GatewaySpan) => void) | undefined,
  ) {
    const sampled = isSampled(ids);
    const traceparent = `00-${ids.traceId}-${ids.spanId}-${sampled ? '01' : '00'}`;
    const tracestate = ids.traceState?.serialize();
    this.context = tracestate ? { traceparent, tracestate } : { traceparent };
  }

  spanContext(): SpanContext {
    return this.ids;
  }

  get startTime(): HrTime {
    return hrTimeOf(this.startMs);
  }

  get endTime(): HrTime {
    return hrTimeOf(this.endMs);
  }

  get duration(): HrTime {
    const ms = this.endMs - this.startMs;
    const seconds = Math.floor(ms / 1000);
    return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
  }

  setFields(fields: EventTraceFields): void {
    addAttributes(this.attributes, fields);
  }

  fail(message: string): void {
    this.status = { code: SpanStatusCode.ERROR, message };
  }

  end(): void {
    if (this.ended) return;
    this.endMs = nowMs();
    this.ended = true;
    this.onEnded?.(this);
  }
}

export interface OtlpSpanStarterOptions {
  /** The OTLP/HTTP traces URL (`…/v1/traces`). */
  readonly url: string;
  readonly serviceName: string;
  /** The function's credentials: an X-Ray OTLP URL is posted to signed with them (xray-otlp-exporter.ts). */
  readonly credentials?: AwsCredentials | undefined;
  /** The environment: the sampler's `OTEL_TRACES_SAMPLER[_ARG]`, the exporter's `OTEL_EXPORTER_OTLP_*` headers, timeout and compression. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Where ended spans go, batched, until they are posted. */
interface SpanBatches {
  add(span: GatewaySpan): void;
  flush(): Promise<void>;
}

/**
 * X-Ray's OTLP endpoint needs SigV4 and protobuf (the SDK's serializer, behind its batch processor);
 * any other takes OTLP/HTTP JSON, written span by span as they end.
 */
function batchesFor(options: OtlpSpanStarterOptions, resource: IResource): SpanBatches {
  const region = xrayOtlpRegion(options.url);
  if (region && options.credentials) {
    const xray = new XrayOtlpExporter({ url: options.url, region, credentials: options.credentials });
    const processor = new BatchSpanProcessor(xray, { scheduledDelayMillis: EXPORT_DELAY_MS });
    return { add: (span) => processor.onEnd(span), flush: () => processor.forceFlush() };
  }
  const env = options.env ?? process.env;
  return new OtlpJsonBatchExporter({
    url: options.url,
    env,
    resource,
    scope: SCOPE,
    delayMs: EXPORT_DELAY_MS,
  });
}

/**
 * The ids of a span under `parent` (a sender's context, a queue message's, or the scope's own span):
 * its trace, a new span id, and whether it is sampled — the parent's flag under a parent-based
 * sampler, else the sampler's decision on the trace id.
 */
function childIds(
  parent: TraceContext | undefined,
  sampler: GatewaySampler,
): { ids: SpanContext; parentSpanId?: string } {
  if (!parent) {
    const traceId = newTraceId();
    return { ids: { traceId, spanId: newSpanId(), traceFlags: flags(sampler.sample(traceId)) } };
  }
  // Every context here passed acceptTraceContext (version 00's fixed layout) or was made by a span.
  const { traceparent, tracestate } = parent;
  const traceId = traceparent.slice(3, 35);
  const sampled = sampler.parentBased
    ? (Number.parseInt(traceparent.slice(53, 55), 16) & 1) === 1
    : sampler.sample(traceId);
  return {
    ids: {
      traceId,
      spanId: newSpanId(),
      traceFlags: flags(sampled),
      ...(tracestate ? { traceState: new TraceState(tracestate) } : {}),
    },
    parentSpanId: traceparent.slice(36, 52),
  };
}

/** Spans batched (the SDK's `BatchSpanProcessor`) and exported over OTLP/HTTP. */
export function createOtlpSpanStarter(options: OtlpSpanStarterOptions): SpanStarter {
  const env = options.env ?? process.env;
  const sampler = samplerFromEnv(env);
  const resource = Resource.default().merge(new Resource({ 'service.name': options.serviceName }));
  // Batches in a long-lived process; the Lambda entries flush before they answer.
  const batches = batchesFor(options, resource);
  const toBatch = (span: GatewaySpan) => batches.add(span);

  return {
    start(name, kind, parent, fields) {
      const { ids, parentSpanId } = childIds(parent, sampler);
      // An unsampled span is answered and passed on (flag 00) but not exported.
      const exported = isSampled(ids);
      const span = new GatewaySpan(
        name,
        KINDS[kind],
        ids,
        parentSpanId,
        resource,
        exported ? toBatch : undefined,
      );
      addAttributes(span.attributes, fields);
      return span;
    },
    flush: () => batches.flush(),
  };
}
