/**
 * A minimal OpenTelemetry Collector for the local trace backend: it takes OTLP (HTTP and gRPC) on
 * loopback and forwards spans to Zipkin, which cannot take OTLP itself. It is built once with the
 * collector builder from the Go module proxy (only the components below: no prebuilt distribution
 * is downloaded) into the tool cache, keyed by a hash of the build manifest.
 *
 * Run directly (`tsx local/otel-collector.ts`) it builds the collector if needed and prints its path.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toolCacheDir } from './cache-dir';
import { freePort, portAcceptsConnections, startJavaProcess, type JavaProcess } from './java-process';
import { buildOnce, goInstall, runStep, type BuildLog } from './tool-build';
import { isProcessEntry } from './process-entry';
import { EventGatewayError } from '../contract/errors';

/**
 * The collector release (core modules v0.x; their stable siblings are v1.54.0). Pinned to the one
 * release whose contrib Zipkin exporter the module proxy serves; all components stay at one release.
 */
export const OTEL_COLLECTOR_VERSION = 'v0.148.0';
const OTEL_COLLECTOR_STABLE_VERSION = 'v1.54.0';
const BUILDER_MODULE = 'go.opentelemetry.io/collector/cmd/builder';
const BINARY = 'otelcol-event-gateway';
const MIN_GO = [1, 25] as const;

/** The builder's manifest (JSON is YAML): which components the binary contains, nothing more. */
export const OTEL_COLLECTOR_MANIFEST = {
  dist: {
    name: BINARY,
    module: 'local.temporal-event-gateway/otelcol',
    version: OTEL_COLLECTOR_VERSION.slice(1),
    description: 'OTLP in, Zipkin out: the Temporal Event Gateway local trace backend',
  },
  receivers: [{ gomod: `go.opentelemetry.io/collector/receiver/otlpreceiver ${OTEL_COLLECTOR_VERSION}` }],
  processors: [{ gomod: `go.opentelemetry.io/collector/processor/batchprocessor ${OTEL_COLLECTOR_VERSION}` }],
  exporters: [
    {
      gomod: `github.com/open-telemetry/opentelemetry-collector-contrib/exporter/zipkinexporter ${OTEL_COLLECTOR_VERSION}`,
    },
    // Prints spans on the collector's output: for looking at what arrives when Zipkin shows nothing.
    { gomod: `go.opentelemetry.io/collector/exporter/debugexporter ${OTEL_COLLECTOR_VERSION}` },
  ],
  providers: [
    { gomod: `go.opentelemetry.io/collector/confmap/provider/fileprovider ${OTEL_COLLECTOR_STABLE_VERSION}` },
    // The collector refuses to start without the provider of its default scheme (`${VAR}` is `${env:VAR}`).
    { gomod: `go.opentelemetry.io/collector/confmap/provider/envprovider ${OTEL_COLLECTOR_STABLE_VERSION}` },
  ],
} as const;

export class OtelCollectorError extends EventGatewayError {
  override readonly name = 'OtelCollectorError';
}

/** `<version>-<manifest hash>`: any change of what goes into the binary builds it anew. */
function collectorCacheKey(): string {
  const hash = createHash('sha256')
    .update(JSON.stringify(OTEL_COLLECTOR_MANIFEST))
    .digest('hex')
    .slice(0, 10);
  return `${OTEL_COLLECTOR_VERSION}-${hash}`;
}

export const cachedOtelCollectorPath = (): string => toolCacheDir('otelcol', collectorCacheKey(), BINARY);

/** The collector builder (`ocb`) itself, from the Go module proxy into the cache. */
function ensureCollectorBuilder(log?: BuildLog): Promise<string> {
  return goInstall({
    module: BUILDER_MODULE,
    version: OTEL_COLLECTOR_VERSION,
    binary: 'builder',
    target: toolCacheDir('otelcol-builder', OTEL_COLLECTOR_VERSION, 'builder'),
    minGo: MIN_GO,
    ...(log ? { log } : {}),
  });
}

/** The collector binary, building it first when the cache has none (a few minutes on 2 cores, once). */
export async function ensureOtelCollector(log?: BuildLog): Promise<string> {
  const target = cachedOtelCollectorPath();
  const builder = await ensureCollectorBuilder(log);
  return buildOnce(
    target,
    `the OpenTelemetry Collector ${OTEL_COLLECTOR_VERSION} (OTLP → Zipkin)`,
    async (staging) => {
      const manifest = join(staging, 'manifest.yaml');
      const dist = { ...OTEL_COLLECTOR_MANIFEST.dist, output_path: join(staging, 'dist') };
      await writeFile(manifest, JSON.stringify({ ...OTEL_COLLECTOR_MANIFEST, dist }, null, 2));
      await runStep(builder, ['--config', manifest], {
        env: { ...process.env, CGO_ENABLED: process.env.CGO_ENABLED ?? '0' },
      });
    },
    (staging) => join(staging, 'dist', BINARY),
    log,
  );
}

export interface OtelCollectorOptions {
  /** Zipkin's span intake, e.g. `http://127.0.0.1:9411/api/v2/spans`. */
  readonly zipkinSpansEndpoint: string;
  /** @default a free port. The usual one is 4318. */
  readonly otlpHttpPort?: number;
  /** @default a free port. The usual one is 4317. */
  readonly otlpGrpcPort?: number;
  /** Also print every span on the collector's output (its debug exporter). @default false */
  readonly debug?: boolean;
  /** Progress of the first build. @default stderr */
  readonly log?: BuildLog;
  /** Every line the collector prints. @default dropped, kept for error messages */
  readonly onOutput?: (line: string) => void;
}

export interface OtelCollector {
  /** `http://127.0.0.1:<port>`: exporters append `/v1/traces`. */
  readonly otlpHttpEndpoint: string;
  /** `127.0.0.1:<port>`, plaintext gRPC. */
  readonly otlpGrpcEndpoint: string;
  /** SIGTERM (the collector flushes its batch to Zipkin), SIGKILL after 5 s. */
  stop(): Promise<void>;
}

/** The collector's configuration (JSON is YAML). */
export function otelCollectorConfig(options: {
  zipkinSpansEndpoint: string;
  otlpHttpPort: number;
  otlpGrpcPort: number;
  debug?: boolean;
}): object {
  const exporters = ['zipkin', ...(options.debug ? ['debug'] : [])];
  return {
    receivers: {
      otlp: {
        protocols: {
          grpc: { endpoint: `127.0.0.1:${options.otlpGrpcPort}` },
          http: { endpoint: `127.0.0.1:${options.otlpHttpPort}` },
        },
      },
    },
    // A short batch: locally a span should show in the UI about as soon as it ends.
    processors: { batch: { timeout: '200ms' } },
    exporters: {
      zipkin: { endpoint: options.zipkinSpansEndpoint, format: 'json' },
      ...(options.debug ? { debug: { verbosity: 'detailed' } } : {}),
    },
    service: {
      // No internal metrics endpoint: it would take a fixed port (8888) on every start.
      telemetry: { metrics: { level: 'none' }, logs: { level: 'warn', encoding: 'console' } },
      pipelines: { traces: { receivers: ['otlp'], processors: ['batch'], exporters } },
    },
  };
}

/** An empty OTLP/HTTP export: answered 200 once the receiver (and so the pipeline behind it) runs. */
async function acceptsOtlpHttp(endpoint: string): Promise<boolean> {
  const response = await fetch(`${endpoint}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"resourceSpans":[]}',
  });
  return response.ok;
}

/** Builds the collector once, then starts it on 127.0.0.1 exporting to Zipkin, and waits until OTLP/HTTP answers. */
export async function startOtelCollector(options: OtelCollectorOptions): Promise<OtelCollector> {
  const binary = await ensureOtelCollector(options.log);
  const otlpHttpPort = options.otlpHttpPort ?? (await freePort());
  const otlpGrpcPort = options.otlpGrpcPort ?? (await freePort());
  // Otherwise the readiness probe could be answered by whatever already listens there.
  for (const port of [otlpHttpPort, otlpGrpcPort]) {
    if (await portAcceptsConnections(port)) {
      throw new OtelCollectorError(
        `Port ${port} is taken, so the OpenTelemetry Collector cannot listen there.`,
      );
    }
  }
  const dir = await mkdtemp(join(tmpdir(), 'otelcol-'));
  const configPath = join(dir, 'config.yaml');
  await writeFile(
    configPath,
    JSON.stringify(otelCollectorConfig({ ...options, otlpHttpPort, otlpGrpcPort }), null, 2),
  );
  const otlpHttpEndpoint = `http://127.0.0.1:${otlpHttpPort}`;
  let server: JavaProcess;
  try {
    // startJavaProcess runs any server binary: readiness loop, output tail, killed when Node exits.
    server = await startJavaProcess({
      name: `OpenTelemetry Collector on ports ${otlpHttpPort} (HTTP), ${otlpGrpcPort} (gRPC)`,
      java: binary,
      args: [`--config=file:${configPath}`],
      ready: () => acceptsOtlpHttp(otlpHttpEndpoint),
      ...(options.onOutput ? { onOutput: options.onOutput } : {}),
    });
  } catch (cause) {
    await rm(dir, { recursive: true, force: true });
    throw new OtelCollectorError('The OpenTelemetry Collector did not start.', { cause });
  }
  return {
    otlpHttpEndpoint,
    otlpGrpcEndpoint: `127.0.0.1:${otlpGrpcPort}`,
    async stop() {
      await server.stop(5_000);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

if (isProcessEntry(import.meta.url)) console.log(await ensureOtelCollector());
