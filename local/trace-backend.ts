/**
 * The local trace backend: Zipkin (store, query API and UI) behind an OpenTelemetry Collector that
 * takes OTLP, both on loopback. Point an OTLP exporter at `otlpHttpEndpoint` (or the gRPC one) and
 * open `uiUrl`; tests find traces with `findTrace`.
 *
 * Run directly (`tsx local/trace-backend.ts`) it serves on the usual ports (Zipkin 9411, OTLP
 * 4318/4317) until Ctrl-C.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureOtelCollector, startOtelCollector, type OtelCollector } from './otel-collector';
import { startZipkin, type ZipkinOptions, type ZipkinSpan } from './zipkin';
import { isProcessEntry } from './process-entry';
import { EventGatewayError } from '../contract/errors';

export class TraceBackendError extends EventGatewayError {
  override readonly name = 'TraceBackendError';
}

export interface TraceBackendOptions {
  /** @default 9411; 0 for a free port. */
  readonly zipkinPort?: ZipkinOptions['port'];
  /** @default a free port. */
  readonly otlpHttpPort?: number;
  /** @default a free port. */
  readonly otlpGrpcPort?: number;
  /** The collector also prints every span it receives. @default false */
  readonly debug?: boolean;
  /** Progress of the first fetch and build. @default stderr */
  readonly log?: (line: string) => void;
  /** Every line either server prints, prefixed with its name. @default dropped */
  readonly onOutput?: (line: string) => void;
}

export interface FindTraceOptions {
  /** Wait until the trace has at least this many spans (spans of one trace arrive in batches). @default 1 */
  readonly minSpans?: number;
  /** @default 20_000 */
  readonly timeoutMs?: number;
}

export interface TraceBackend {
  /** Zipkin's base URL; its API is under `/api/v2/`. */
  readonly zipkinUrl: string;
  /** Zipkin's UI; a trace is at `<uiUrl>traces/<traceId>`. */
  readonly uiUrl: string;
  /** `http://127.0.0.1:<port>`, for OTLP/HTTP exporters (they append `/v1/traces`). */
  readonly otlpHttpEndpoint: string;
  /** `127.0.0.1:<port>`, plaintext OTLP/gRPC. */
  readonly otlpGrpcEndpoint: string;
  /**
   * The trace's spans once Zipkin has them: spans pass the collector's batch before they are
   * stored, so this polls (bounded by `timeoutMs`) and fails with what it last saw.
   */
  findTrace(traceId: string, options?: FindTraceOptions): Promise<readonly ZipkinSpan[]>;
  /** Stops the collector first (it flushes to Zipkin), then Zipkin. */
  stop(): Promise<void>;
}

/** Starts Zipkin, then the collector feeding it; stops what started if the other fails. */
export async function startTraceBackend(options: TraceBackendOptions = {}): Promise<TraceBackend> {
  const tagged = (name: string) =>
    options.onOutput ? (line: string) => options.onOutput?.(`[${name}] ${line}`) : undefined;
  const zipkinOutput = tagged('zipkin');
  const collectorOutput = tagged('otelcol');
  // Build first (minutes, once) so Zipkin does not sit idle through it.
  await ensureOtelCollector(options.log);
  const zipkin = await startZipkin({
    ...(options.zipkinPort !== undefined ? { port: options.zipkinPort } : {}),
    ...(options.log ? { log: options.log } : {}),
    ...(zipkinOutput ? { onOutput: zipkinOutput } : {}),
  });
  let collector: OtelCollector;
  try {
    collector = await startOtelCollector({
      zipkinSpansEndpoint: zipkin.spansEndpoint,
      ...(options.otlpHttpPort !== undefined ? { otlpHttpPort: options.otlpHttpPort } : {}),
      ...(options.otlpGrpcPort !== undefined ? { otlpGrpcPort: options.otlpGrpcPort } : {}),
      ...(options.debug !== undefined ? { debug: options.debug } : {}),
      ...(options.log ? { log: options.log } : {}),
      ...(collectorOutput ? { onOutput: collectorOutput } : {}),
    });
  } catch (error) {
    await zipkin.stop();
    throw error;
  }
  return {
    zipkinUrl: zipkin.url,
    uiUrl: zipkin.uiUrl,
    otlpHttpEndpoint: collector.otlpHttpEndpoint,
    otlpGrpcEndpoint: collector.otlpGrpcEndpoint,
    async findTrace(traceId, { minSpans = 1, timeoutMs = 20_000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const spans = await zipkin.findTrace(traceId);
        if (spans && spans.length >= minSpans) return spans;
        if (Date.now() > deadline) {
          throw new TraceBackendError(
            `Zipkin had ${spans?.length ?? 0} span(s) of trace ${traceId} after ${timeoutMs} ms; expected ${minSpans}.`,
          );
        }
        await sleep(200);
      }
    },
    async stop() {
      await collector.stop();
      await zipkin.stop();
    },
  };
}

if (isProcessEntry(import.meta.url)) {
  const backend = await startTraceBackend({ zipkinPort: 9411, otlpHttpPort: 4318, otlpGrpcPort: 4317 });
  console.log(`Traces UI: ${backend.uiUrl}`);
  console.log(`OTLP: ${backend.otlpHttpEndpoint} (HTTP), ${backend.otlpGrpcEndpoint} (gRPC)  — Ctrl-C stops`);
  const shutdown = () => void backend.stop().then(() => process.exit(0));
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}
