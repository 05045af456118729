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
import { startZipkin, ZIPKIN_DEFAULT_PORT, type ZipkinOptions, type ZipkinSpan } from './zipkin';
import { portAcceptsConnections } from './java-process';
import { isProcessEntry } from './process-entry';
import { EventGatewayError } from '../contract/errors';
import { OTEL_ENV } from '../functions/core/trace-context';

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
  /**
   * Wait until the trace has a span of each of these names — as many as a name is listed. Spans
   * arrive from several processes in batches of their own, so a count alone may be reached before
   * the one a caller looks for. @default none
   */
  readonly spanNames?: readonly string[];
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

/** The names in `wanted` that `spans` do not hold as often as listed. */
function missingSpanNames(spans: readonly ZipkinSpan[], wanted: readonly string[]): string[] {
  const left = spans.map((span) => span.name);
  return wanted.filter((name) => {
    const at = left.indexOf(name);
    if (at < 0) return true;
    left.splice(at, 1);
    return false;
  });
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
    async findTrace(traceId, { minSpans = 1, spanNames = [], timeoutMs = 20_000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const spans = await zipkin.findTrace(traceId);
        const missing = missingSpanNames(spans ?? [], spanNames);
        if (spans && spans.length >= minSpans && missing.length === 0) return spans;
        if (Date.now() > deadline) {
          throw new TraceBackendError(
            `Zipkin had ${spans?.length ?? 0} span(s) of trace ${traceId} after ${timeoutMs} ms; expected ${minSpans}` +
              (missing.length > 0 ? `, and spans named ${missing.join(', ')}.` : '.'),
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

/** The OTLP receiver's usual ports: a local SDK's defaults, so a process of the developer's finds it too. */
export const OTLP_DEFAULT_PORTS = { http: 4318, grpc: 4317 } as const;

/** The trace backend of a local stack (`npm run dev`, `event-gateway dev`), or why there is none. */
export interface DevTraces {
  /** The started backend; none when tracing is off or the developer's own OTLP endpoint is used. */
  readonly backend: TraceBackend | undefined;
  /** OTEL_* for the gateway and the worker (each adds its own `OTEL_SERVICE_NAME`). */
  readonly env: Readonly<Record<string, string>>;
  /** The ready banner's line: the UI URL, or why there is none. */
  readonly description: string;
}

/**
 * The variable that turns the local stacks' tracing off: the OpenTelemetry SDK's own, so the gateway
 * and the worker, which read it too, export nothing either.
 */
export const DEV_TRACES_OFF = `${OTEL_ENV.sdkDisabled}=true`;

/** Each usual port when it is free, else a free one (0 for Zipkin, undefined for the collector's). */
async function usualPortIfFree(port: number): Promise<number | undefined> {
  return (await portAcceptsConnections(port)) ? undefined : port;
}

/**
 * Starts the trace backend a local stack exports to — Zipkin on 9411 and the collector on
 * 4318/4317 when those are free, else free ports — unless the environment turns tracing off
 * (`OTEL_SDK_DISABLED=true`, `OTEL_TRACES_EXPORTER=none`) or already names an OTLP endpoint (the
 * developer's own backend, used as it is). Zipkin and the collector are built or fetched into the
 * tool cache on first use, as the other local tools are (`npm run tools` does it ahead); when that
 * fails the error says how to get them or run without traces.
 */
export async function startDevTraceBackend(
  env: Readonly<Record<string, string | undefined>>,
  options: Pick<TraceBackendOptions, 'log' | 'onOutput'> = {},
): Promise<DevTraces> {
  if (env[OTEL_ENV.sdkDisabled] === 'true' || env[OTEL_ENV.tracesExporter] === 'none') {
    return {
      backend: undefined,
      env: {},
      description: `off (${OTEL_ENV.sdkDisabled}/${OTEL_ENV.tracesExporter})`,
    };
  }
  const own = env[OTEL_ENV.tracesEndpoint] ?? env[OTEL_ENV.endpoint];
  if (own) return { backend: undefined, env: {}, description: `your OTLP endpoint ${own}` };
  const [zipkinPort, otlpHttpPort, otlpGrpcPort] = await Promise.all([
    usualPortIfFree(ZIPKIN_DEFAULT_PORT),
    usualPortIfFree(OTLP_DEFAULT_PORTS.http),
    usualPortIfFree(OTLP_DEFAULT_PORTS.grpc),
  ]);
  const usual = [zipkinPort, otlpHttpPort, otlpGrpcPort].filter((port) => port !== undefined);
  let backend: TraceBackend;
  try {
    backend = await startTraceBackend({
      zipkinPort: zipkinPort ?? 0,
      ...(otlpHttpPort ? { otlpHttpPort } : {}),
      ...(otlpGrpcPort ? { otlpGrpcPort } : {}),
      ...options,
    }).catch(async (error: unknown) => {
      // Another stack took a usual port between the check and the bind (Zipkin binds ~10 s in): free ones.
      const taken = await Promise.all(usual.map((port) => portAcceptsConnections(port)));
      if (!taken.includes(true)) throw error;
      return startTraceBackend({ zipkinPort: 0, ...options });
    });
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new TraceBackendError(
      `The local trace backend (Zipkin and an OpenTelemetry Collector) did not start: ${reason} ` +
        `Build them ahead with \`npm run tools\` (Java and Maven fetch Zipkin, Go >= 1.25 builds the collector), ` +
        `or run without traces: ${DEV_TRACES_OFF}.`,
      { cause },
    );
  }
  return {
    backend,
    env: { [OTEL_ENV.endpoint]: backend.otlpHttpEndpoint },
    description: `${backend.uiUrl}   (Zipkin; OTLP ${backend.otlpHttpEndpoint}; off: ${DEV_TRACES_OFF})`,
  };
}

if (isProcessEntry(import.meta.url)) {
  const backend = await startTraceBackend({
    zipkinPort: ZIPKIN_DEFAULT_PORT,
    otlpHttpPort: OTLP_DEFAULT_PORTS.http,
    otlpGrpcPort: OTLP_DEFAULT_PORTS.grpc,
  });
  console.log(`Traces UI: ${backend.uiUrl}`);
  console.log(`OTLP: ${backend.otlpHttpEndpoint} (HTTP), ${backend.otlpGrpcEndpoint} (gRPC)  — Ctrl-C stops`);
  const shutdown = () => void backend.stop().then(() => process.exit(0));
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}
