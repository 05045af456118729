/**
 * The surface of a span as the gateway's trace scope (tracing.ts) uses it and the OpenTelemetry SDK
 * parts (tracing-otel.ts, imported only when tracing is on) implement it: types only, so neither of
 * the two modules imports the other's code for them.
 */
import type { TraceContext } from '../core/trace-context';

/** What every span and every log line about an event carries, as far as it is known yet. */
export interface EventTraceFields {
  eventId?: string;
  source?: string;
  route?: string;
  workflowId?: string;
  runId?: string;
}

export type SpanKind = 'server' | 'consumer' | 'client' | 'internal';

/** One exported span behind the surface the scope needs (tracing-otel.ts implements it). */
export interface LiveSpan {
  /** The span's own context: what children, headers and queue messages carry. */
  readonly context: TraceContext;
  setFields(fields: EventTraceFields): void;
  fail(message: string): void;
  end(): void;
}

/** Starts spans under a parent context and flushes what was ended (tracing-otel.ts). */
export interface SpanStarter {
  start(name: string, kind: SpanKind, parent: TraceContext | undefined, fields: EventTraceFields): LiveSpan;
  /** Exports every ended span now: a Lambda is frozen as soon as it answers. */
  flush(): Promise<void>;
}
