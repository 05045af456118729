/**
 * The gateway's OTLP/HTTP JSON span exporter (an SDK `SpanExporter`): the request body written
 * straight from the spans as the OTLP JSON encoding defines it (hex ids, nanosecond times as strings,
 * the enums as numbers; https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding), without the
 * SDK transformer's intermediate objects and its HTTP exporter's retry queue, and posted with
 * node:http(s). It honours the OTLP exporter's headers, timeout and gzip variables as the SDK's does.
 */
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Attributes, AttributeValue, HrTime } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { PendingExports, postOtlp } from './tracing-otlp-post';

const gzipAsync = promisify(gzip);

type Env = Readonly<Record<string, string | undefined>>;

export interface OtlpJsonTraceExporterOptions {
  /** The OTLP/HTTP traces URL (`…/v1/traces`). */
  readonly url: string;
  /** `OTEL_EXPORTER_OTLP_[TRACES_]HEADERS`, `…_TIMEOUT`, `…_COMPRESSION` are read from it. */
  readonly env: Env;
}

/** The trace-specific variable, else the general one (the OTLP exporter's precedence). */
const otlpSetting = (env: Env, name: string) =>
  env[`OTEL_EXPORTER_OTLP_TRACES_${name}`] ?? env[`OTEL_EXPORTER_OTLP_${name}`];

/** `key1=value1,key2=value2` (values URL-encoded), the general variable's entries under the trace one's. */
function headersOf(env: Env): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const list of [env.OTEL_EXPORTER_OTLP_HEADERS, env.OTEL_EXPORTER_OTLP_TRACES_HEADERS]) {
    for (const entry of list?.split(',') ?? []) {
      const at = entry.indexOf('=');
      if (at <= 0) continue;
      headers[decodeURIComponent(entry.slice(0, at).trim())] = decodeURIComponent(entry.slice(at + 1).trim());
    }
  }
  return headers;
}

const nanos = ([seconds, nanoseconds]: HrTime) =>
  seconds === 0 ? String(nanoseconds) : `${seconds}${String(nanoseconds).padStart(9, '0')}`;

const json = JSON.stringify;

/** An attribute's OTLP `AnyValue`, as JSON text. */
function anyValue(value: AttributeValue | null | undefined): string {
  if (typeof value === 'string') return `{"stringValue":${json(value)}}`;
  if (typeof value === 'boolean') return `{"boolValue":${value}}`;
  if (typeof value === 'number')
    return Number.isInteger(value) ? `{"intValue":${value}}` : `{"doubleValue":${json(value)}}`;
  if (value == null) return '{}';
  return `{"arrayValue":{"values":[${value.map(anyValue).join(',')}]}}`;
}

/** `,"attributes":[{"key":…,"value":…}…]`, or nothing when there are none (OTLP's default). */
function keyValues(attributes: Attributes | undefined, lead = ','): string {
  let out = '';
  for (const key in attributes) {
    const value = attributes[key];
    if (value !== undefined) out += `${out ? ',' : ''}{"key":${json(key)},"value":${anyValue(value)}}`;
  }
  return out ? `${lead}"attributes":[${out}]` : '';
}

/** One span's JSON text; the ids are hex already, as OTLP JSON wants them. */
function otlpSpan(span: ReadableSpan): string {
  const ids = span.spanContext();
  const { status } = span;
  const events = span.events.map(
    (event) =>
      `{"name":${json(event.name)},"timeUnixNano":"${nanos(event.time)}"${keyValues(event.attributes)}}`,
  );
  const links = span.links.map(
    (link) =>
      `{"traceId":"${link.context.traceId}","spanId":"${link.context.spanId}"${keyValues(link.attributes)}}`,
  );
  return (
    `{"traceId":"${ids.traceId}","spanId":"${ids.spanId}"` +
    (span.parentSpanId ? `,"parentSpanId":"${span.parentSpanId}"` : '') +
    (ids.traceState ? `,"traceState":${json(ids.traceState.serialize())}` : '') +
    // OTLP's SpanKind counts from UNSPECIFIED = 0; the API's from INTERNAL = 0.
    `,"name":${json(span.name)},"kind":${span.kind + 1}` +
    `,"startTimeUnixNano":"${nanos(span.startTime)}","endTimeUnixNano":"${nanos(span.endTime)}"` +
    keyValues(span.attributes) +
    (events.length > 0 ? `,"events":[${events.join(',')}]` : '') +
    (links.length > 0 ? `,"links":[${links.join(',')}]` : '') +
    `,"status":{"code":${status.code}${status.message ? `,"message":${json(status.message)}` : ''}}}`
  );
}

/** The OTLP JSON `ExportTraceServiceRequest` of `spans`, grouped by resource and instrumentation scope. */
export function otlpJsonTraceRequest(spans: readonly ReadableSpan[]): string {
  const byResource = new Map<ReadableSpan['resource'], Map<string, ReadableSpan[]>>();
  for (const span of spans) {
    let scopes = byResource.get(span.resource);
    if (!scopes) byResource.set(span.resource, (scopes = new Map<string, ReadableSpan[]>()));
    const scope = span.instrumentationLibrary;
    const key = `${scope.name}@${scope.version ?? ''}`;
    const list = scopes.get(key);
    if (list) list.push(span);
    else scopes.set(key, [span]);
  }
  const resourceSpans = [...byResource].map(([resource, scopes]) => {
    const scopeSpans = [...scopes.values()].map((scoped) => {
      const { name, version } = scoped[0]!.instrumentationLibrary;
      const scope = `{"name":${json(name)}${version ? `,"version":${json(version)}` : ''}}`;
      return `{"scope":${scope},"spans":[${scoped.map(otlpSpan).join(',')}]}`;
    });
    return `{"resource":{${keyValues(resource.attributes, '')}},"scopeSpans":[${scopeSpans.join(',')}]}`;
  });
  return `{"resourceSpans":[${resourceSpans.join(',')}]}`;
}

/** Posts spans as OTLP/HTTP JSON to a collector (or any OTLP/HTTP endpoint). */
export class OtlpJsonTraceExporter implements SpanExporter {
  private readonly pending = new PendingExports();
  private readonly target: URL;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly gzip: boolean;

  constructor(options: OtlpJsonTraceExporterOptions) {
    this.target = new URL(options.url);
    this.gzip = otlpSetting(options.env, 'COMPRESSION') === 'gzip';
    this.headers = {
      ...headersOf(options.env),
      'content-type': 'application/json',
      ...(this.gzip ? { 'content-encoding': 'gzip' } : {}),
    };
    this.timeoutMs = Number(otlpSetting(options.env, 'TIMEOUT')) || 10_000;
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    const json = otlpJsonTraceRequest(spans);
    const sending = (this.gzip ? gzipAsync(json) : Promise.resolve(json)).then((body) =>
      postOtlp({
        target: this.target,
        headers: this.headers,
        body,
        timeoutMs: this.timeoutMs,
        label: 'OTLP endpoint',
      }),
    );
    this.pending.track(sending, done);
  }

  forceFlush(): Promise<void> {
    return this.pending.settled();
  }

  shutdown(): Promise<void> {
    return this.forceFlush();
  }
}
