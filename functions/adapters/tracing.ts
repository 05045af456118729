/**
 * The gateway's trace context, request by request: each HTTP request and each queue record runs in
 * a scope (AsyncLocalStorage) that holds its W3C trace context and the event's fields (event id,
 * source, route, workflow id, run id). The Temporal header, the SQS message attributes and every log
 * line read the scope, so no port's signature carries it.
 *
 * Tracing off (no OTLP endpoint): a scope still has a trace context — the sender's, or a new one —
 * which is answered, logged and passed on, but no span is made and no OpenTelemetry module is loaded.
 * Tracing on: spans are exported over OTLP by the SDK parts in tracing-otel.ts, imported on the first
 * request rather than at cold start (the init cost is what issue 29 measures).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  acceptTraceContext,
  formatTraceparent,
  OTEL_ENV,
  TRACE_CONTEXT_KEYS,
  traceIdOf,
  type TraceContext,
} from '../core/trace-context';
import type { Env } from './secrets';
import { newSpanId, newTraceId } from './tracing-ids';
import type { EventTraceFields, LiveSpan, SpanKind, SpanStarter } from './tracing-spans';

export type { EventTraceFields, LiveSpan, SpanKind, SpanStarter } from './tracing-spans';

interface Scope {
  context: TraceContext;
  fields: EventTraceFields;
  span?: LiveSpan;
  spans?: SpanStarter;
}

const scopes = new AsyncLocalStorage<Scope>();

/** The trace context of the current request's innermost span, if there is a request. */
export function currentTraceContext(): TraceContext | undefined {
  return scopes.getStore()?.context;
}

/** The trace id and the event's fields of the current request, for a log line (empty outside one). */
export function traceLogFields(): Record<string, string> {
  const scope = scopes.getStore();
  if (!scope) return {};
  const traceId = traceIdOf(scope.context.traceparent);
  return { ...definedFields(scope.fields), ...(traceId ? { traceId } : {}) };
}

/** The source of the current request's event, if known (no trace id parsed, unlike {@link traceLogFields}). */
export function currentEventSource(): string | undefined {
  return scopes.getStore()?.fields.source;
}

/** Records what became known about the event (after verification, routing, the call) in its scope. */
export function annotateTrace(fields: EventTraceFields): void {
  const scope = scopes.getStore();
  if (!scope) return;
  Object.assign(scope.fields, definedFields(fields));
  scope.span?.setFields(fields);
}

/**
 * Runs `work` in a child span of the current one (verification, routing, a Temporal call). Outside
 * a request, or with tracing off, it only runs `work` (with the fields added to its scope's copy).
 */
export async function inSpan<T>(
  name: string,
  kind: SpanKind,
  fields: EventTraceFields,
  work: () => T | Promise<T>,
): Promise<T> {
  const parent = scopes.getStore();
  if (!parent) return await work();
  const merged = { ...parent.fields, ...definedFields(fields) };
  if (!parent.spans) return await scopes.run({ ...parent, fields: merged }, work);
  const span = parent.spans.start(name, kind, parent.context, merged);
  return runInSpan({ context: span.context, fields: merged, span, spans: parent.spans }, work);
}

/** Marks the span failed with `error`, ends it and rethrows. */
function failSpan(span: LiveSpan, error: unknown): never {
  span.fail(String(error));
  span.end();
  throw error;
}

/**
 * Runs `work` in the span's scope and ends the span when it settles: one promise and no closure made
 * per span beyond the two callbacks (no async wrapper, whose awaits cost promises of their own).
 */
function runInSpan<T>(scope: Scope & { span: LiveSpan }, work: () => T | Promise<T>): Promise<T> {
  const { span } = scope;
  let result: T | Promise<T>;
  try {
    result = scopes.run(scope, work);
  } catch (error) {
    return failSpan(span, error); // its callers are async: a throw here rejects their promise
  }
  return Promise.resolve(result).then(
    (value) => {
      span.end();
      return value;
    },
    (error: unknown) => failSpan(span, error),
  );
}

/** The gateway's tracing, built once per process from the environment ({@link tracingFromEnv}). */
export interface GatewayTracing {
  /** Whether spans are exported (an OTLP endpoint is configured). */
  readonly exporting: boolean;
  /**
   * Runs one request or queue record in its own scope, continuing `incoming` (a sender's
   * `traceparent`, a queue message's attributes) or starting a new trace. `work` gets the scope's
   * context: the `traceparent` to answer with.
   */
  inRequest<T>(
    name: string,
    kind: SpanKind,
    incoming: TraceContext | undefined,
    work: (context: TraceContext) => Promise<T>,
  ): Promise<T>;
  /** Exports the spans ended so far (a no-op with tracing off). */
  flush(): Promise<void>;
}

/** A new trace's context: the caller may record it (flag 01), so a traced worker continues it. */
function newTraceContext(): TraceContext {
  return { traceparent: formatTraceparent({ traceId: newTraceId(), spanId: newSpanId(), sampled: true }) };
}

/** The function's own credentials (Lambda puts its role's session in the environment), for X-Ray's endpoint. */
function envCredentials(env: Env) {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = env;
  return accessKeyId && secretAccessKey
    ? { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN }
    : undefined;
}

/** Where spans go: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, else `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`. */
export function otlpTracesUrl(env: Env): string | undefined {
  if (env[OTEL_ENV.sdkDisabled] === 'true' || env[OTEL_ENV.tracesExporter] === 'none') return undefined;
  const traces = env[OTEL_ENV.tracesEndpoint];
  if (traces) return traces;
  const base = env[OTEL_ENV.endpoint];
  return base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined;
}

export interface TracingOptions {
  /** The spans' `service.name`. @default OTEL_SERVICE_NAME, else `event-gateway` */
  readonly serviceName?: string;
}

/**
 * Tracing as the environment asks: exporting when an OTLP endpoint is set (the SDK parts load on the
 * first request), else trace context only.
 */
export function tracingFromEnv(env: Env, options: TracingOptions = {}): GatewayTracing {
  const url = otlpTracesUrl(env);
  let loading: Promise<SpanStarter> | undefined;
  let started: SpanStarter | undefined;
  const serviceName = env[OTEL_ENV.serviceName] || options.serviceName || 'event-gateway';
  const spans = url
    ? () =>
        (loading ??= import('./tracing-otel').then((otel) =>
          otel.createOtlpSpanStarter({ url, serviceName, credentials: envCredentials(env), env }),
        ))
    : undefined;
  return {
    exporting: spans !== undefined,
    async inRequest(name, kind, incoming, work) {
      const fields: EventTraceFields = {};
      if (!spans) {
        const context = incoming ?? newTraceContext();
        return scopes.run({ context, fields }, () => work(context));
      }
      // After the first request the starter is at hand: no await (and its promise) per request.
      const starter = started ?? (started = await spans());
      const span = starter.start(name, kind, incoming, fields);
      return runInSpan({ context: span.context, fields, span, spans: starter }, () => work(span.context));
    },
    async flush() {
      if (loading) await (await loading).flush();
    },
  };
}

/** A sender's trace context from its headers (or a queue message's attributes), if valid. */
export function incomingTraceContext(get: (name: string) => string | undefined): TraceContext | undefined {
  return acceptTraceContext({
    traceparent: get(TRACE_CONTEXT_KEYS.traceparent),
    tracestate: get(TRACE_CONTEXT_KEYS.tracestate),
  });
}

function definedFields(fields: EventTraceFields): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = value as string;
  return out;
}

/** Runs `work` with `fields` added to its scope's copy of the event's fields (log lines), no span. */
export function withEventFields<T>(fields: EventTraceFields, work: () => Promise<T>): Promise<T> {
  const parent = scopes.getStore();
  if (!parent) return work();
  return scopes.run({ ...parent, fields: { ...parent.fields, ...definedFields(fields) } }, work);
}

/**
 * The current trace context as SQS message attributes (`traceparent`, `tracestate`), for every
 * message the gateway writes (fallback queue, DLQ): the queue function continues the trace from them.
 */
export function traceMessageAttributes(): Record<string, { DataType: 'String'; StringValue: string }> {
  const context = currentTraceContext();
  if (!context) return {};
  const text = (value: string) => ({ DataType: 'String' as const, StringValue: value });
  return {
    [TRACE_CONTEXT_KEYS.traceparent]: text(context.traceparent),
    ...(context.tracestate ? { [TRACE_CONTEXT_KEYS.tracestate]: text(context.tracestate) } : {}),
  };
}

/**
 * A Lambda handler that exports its spans before it answers: Lambda freezes the environment as soon
 * as the handler returns, so a batch processor's timer would not run until the next invocation.
 */
export function withTraceFlush<H extends (...args: never[]) => Promise<unknown>>(
  tracing: GatewayTracing,
  handler: H,
): H {
  if (!tracing.exporting) return handler;
  const flushing = async (...args: Parameters<H>) => {
    try {
      return await handler(...args);
    } finally {
      // An unreachable collector must not fail (or hold up beyond the exporter's timeout) the event.
      await tracing.flush().catch(() => undefined);
    }
  };
  return flushing as H;
}
