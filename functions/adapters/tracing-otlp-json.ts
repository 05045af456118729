/**
 * OTLP/HTTP JSON of the gateway's spans, written straight from them as the OTLP JSON encoding defines
 * it (hex ids, nanosecond times as strings, the enums as numbers;
 * https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding) into bytes, without the SDK
 * transformer's intermediate objects nor a string per span. Held equal to the SDK's own
 * `JsonTraceSerializer` by test; posted in batches by tracing-otlp-json-export.ts.
 */
import type { Attributes, AttributeValue, HrTime } from '@opentelemetry/api';
import type { InstrumentationLibrary } from '@opentelemetry/core';
import type { IResource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** An HrTime as OTLP's decimal nanoseconds. */
function nanos([seconds, nanoseconds]: HrTime): string {
  return seconds === 0 ? String(nanoseconds) : `${seconds}${String(nanoseconds).padStart(9, '0')}`;
}

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

/** `,"events":[…]` and `,"links":[…]`, or nothing (the gateway's own spans have neither). */
function eventsAndLinks(span: ReadableSpan): string {
  const { events, links } = span;
  let out = '';
  if (events.length > 0) {
    const each = events.map(
      (event) =>
        `{"name":${json(event.name)},"timeUnixNano":"${nanos(event.time)}"${keyValues(event.attributes)}}`,
    );
    out += `,"events":[${each.join(',')}]`;
  }
  if (links.length > 0) {
    const each = links.map(
      (link) =>
        `{"traceId":"${link.context.traceId}","spanId":"${link.context.spanId}"${keyValues(link.attributes)}}`,
    );
    out += `,"links":[${each.join(',')}]`;
  }
  return out;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * OTLP JSON written straight into bytes: the fragments and what is ASCII by char code, a string
 * needing no escape between its quotes as it is, anything else as JSON.stringify's text in UTF-8. A
 * span's text is no string of its own, nor the concatenations and copy that building one costs.
 */
export class JsonBytes {
  private bytes: Buffer;
  private at = 0;

  constructor(private readonly initialBytes: number) {
    this.bytes = Buffer.allocUnsafe(initialBytes);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.at;
  }

  /** Text known to be ASCII (the format's own fragments, hex ids, numbers). */
  ascii(text: string): void {
    const { length } = text;
    this.room(length);
    const { bytes } = this;
    let at = this.at;
    for (let i = 0; i < length; i += 1) bytes[at++] = text.charCodeAt(i);
    this.at = at;
  }

  /** A non-negative integer's decimal digits, zero-padded to `width`. */
  digits(value: number, width = 1): void {
    let count = 1;
    for (let rest = Math.floor(value / 10); rest > 0; rest = Math.floor(rest / 10)) count += 1;
    count = Math.max(count, width);
    this.room(count);
    let rest = value;
    for (let at = this.at + count - 1; at >= this.at; at -= 1) {
      this.bytes[at] = 0x30 + (rest % 10);
      rest = Math.floor(rest / 10);
    }
    this.at += count;
  }

  /** Any JSON text, as UTF-8. */
  text(text: string): void {
    this.room(text.length * 3);
    this.at += this.bytes.write(text, this.at);
  }

  /** `value` as a JSON string literal. */
  string(value: string): void {
    const { length } = value;
    this.room(length + 2);
    const { bytes } = this;
    const from = this.at;
    let at = from;
    bytes[at++] = QUOTE;
    for (let i = 0; i < length; i += 1) {
      const code = value.charCodeAt(i);
      if (code < 0x20 || code > 0x7e || code === QUOTE || code === BACKSLASH) {
        this.at = from;
        this.text(json(value));
        return;
      }
      bytes[at++] = code;
    }
    bytes[at++] = QUOTE;
    this.at = at;
  }

  /** The bytes written, handed over: the next write starts a buffer of its own. */
  take(): Buffer {
    const taken = this.bytes.subarray(0, this.at);
    this.bytes = Buffer.allocUnsafe(this.initialBytes);
    this.at = 0;
    return taken;
  }

  /** The bytes written, as text. */
  toString(): string {
    return this.bytes.toString('utf8', 0, this.at);
  }

  private room(bytes: number): void {
    if (this.bytes.length - this.at >= bytes) return;
    const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.at + bytes));
    this.bytes.copy(grown, 0, 0, this.at);
    this.bytes = grown;
  }
}

/** `,"attributes":[…]` of `attributes` (none: nothing, OTLP's default), string values written directly. */
function writeAttributes(out: JsonBytes, attributes: Attributes): void {
  let first = true;
  for (const key in attributes) {
    const value = attributes[key];
    if (value === undefined) continue;
    out.ascii(first ? ',"attributes":[{"key":' : ',{"key":');
    first = false;
    out.string(key);
    if (typeof value === 'string') {
      out.ascii(',"value":{"stringValue":');
      out.string(value);
      out.ascii('}}');
    } else {
      out.text(`,"value":${anyValue(value)}}`);
    }
  }
  if (!first) out.ascii(']');
}

/** An HrTime as OTLP's decimal nanoseconds, between quotes (as {@link nanos} writes it). */
function writeNanos(out: JsonBytes, [seconds, nanoseconds]: HrTime): void {
  out.ascii('"');
  if (seconds === 0) out.digits(nanoseconds);
  else {
    out.digits(seconds);
    out.digits(nanoseconds, 9);
  }
  out.ascii('"');
}

/**
 * One span's OTLP JSON; the ids are hex already, as OTLP JSON wants them. Written piece by piece
 * (the format's fragments are literals), so no string is built for the span's text.
 */
export function writeSpan(out: JsonBytes, span: ReadableSpan): void {
  const ids = span.spanContext();
  const { status } = span;
  out.ascii('{"traceId":"');
  out.ascii(ids.traceId);
  out.ascii('","spanId":"');
  out.ascii(ids.spanId);
  if (span.parentSpanId) {
    out.ascii('","parentSpanId":"');
    out.ascii(span.parentSpanId);
  }
  out.ascii('"');
  if (ids.traceState) {
    out.ascii(',"traceState":');
    out.string(ids.traceState.serialize());
  }
  out.ascii(',"name":');
  out.string(span.name);
  // OTLP's SpanKind counts from UNSPECIFIED = 0; the API's from INTERNAL = 0.
  out.ascii(',"kind":');
  out.digits(span.kind + 1);
  out.ascii(',"startTimeUnixNano":');
  writeNanos(out, span.startTime);
  out.ascii(',"endTimeUnixNano":');
  writeNanos(out, span.endTime);
  writeAttributes(out, span.attributes);
  const rest = eventsAndLinks(span);
  if (rest) out.text(rest);
  out.ascii(',"status":{"code":');
  out.digits(status.code);
  if (status.message) {
    out.ascii(',"message":');
    out.string(status.message);
  }
  out.ascii('}}');
}

/** `{"resource":…,"scopeSpans":[` — a resource's entry up to its scopes. */
const resourceOpen = (resource: IResource) =>
  `{"resource":{${keyValues(resource.attributes, '')}},"scopeSpans":[`;

/** `{"scope":…,"spans":[` — a scope's entry up to its spans. */
const scopeOpen = ({ name, version }: InstrumentationLibrary) =>
  `{"scope":{"name":${json(name)}${version ? `,"version":${json(version)}` : ''}},"spans":[`;

/** The head of a request of one resource's spans of one scope, up to the spans (then {@link REQUEST_TAIL}). */
export const otlpJsonRequestHead = (resource: IResource, scope: InstrumentationLibrary) =>
  `{"resourceSpans":[${resourceOpen(resource)}${scopeOpen(scope)}`;

/** The end of a request begun by {@link otlpJsonRequestHead}. */
export const REQUEST_TAIL = ']}]}]}';

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
  const out = new JsonBytes(16 * 1024);
  out.ascii('{"resourceSpans":[');
  [...byResource].forEach(([resource, scopes], r) => {
    out.text(`${r > 0 ? ',' : ''}${resourceOpen(resource)}`);
    [...scopes.values()].forEach((scoped, s) => {
      out.text(`${s > 0 ? ',' : ''}${scopeOpen(scoped[0]!.instrumentationLibrary)}`);
      scoped.forEach((span, index) => {
        if (index > 0) out.ascii(',');
        writeSpan(out, span);
      });
      out.ascii(']}');
    });
    out.ascii(']}');
  });
  out.ascii(']}');
  return out.toString();
}
