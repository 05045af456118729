/**
 * Zipkin: the local trace backend with a UI. Its server is one self-contained jar from Maven Central
 * (`io.zipkin:zipkin-server:<version>:exec`), fetched once into the tool cache and run with the
 * machine's Java, keeping spans in memory. It does not take OTLP: local/otel-collector.ts feeds it.
 *
 * Run directly (`tsx local/zipkin.ts`) it fetches the jar if needed and serves on 9411 until Ctrl-C.
 */
import { join } from 'node:path';
import { freePort, portAcceptsConnections, startJavaProcess, type JavaProcess } from './java-process';
import { ensureMavenTool, findJava, LOCAL_JVM_FLAGS, mavenToolVersion, type MavenTool } from './java-tools';
import { isProcessEntry } from './process-entry';
import { EventGatewayError } from '../contract/errors';

export const ZIPKIN_TOOL = {
  name: 'zipkin',
  artifact: 'io.zipkin:zipkin-server',
} as const satisfies MavenTool;
/** Zipkin's usual port: its UI, query API and span intake share it. */
export const ZIPKIN_DEFAULT_PORT = 9411;
/** A cold Spring Boot start on two busy cores; ~10 s is usual here. */
const START_TIMEOUT_MS = 120_000;

export class ZipkinError extends EventGatewayError {
  override readonly name = 'ZipkinError';
}

/** A span as Zipkin's v2 API returns it (only the fields the project reads). */
export interface ZipkinSpan {
  readonly traceId: string;
  readonly id: string;
  readonly parentId?: string;
  readonly name?: string;
  readonly kind?: 'CLIENT' | 'SERVER' | 'PRODUCER' | 'CONSUMER';
  /** Microseconds since the epoch. */
  readonly timestamp?: number;
  /** Microseconds. */
  readonly duration?: number;
  readonly localEndpoint?: { readonly serviceName?: string };
  readonly tags?: Readonly<Record<string, string>>;
}

export interface ZipkinOptions {
  /** @default 9411. Pass 0 for a free port (tests). */
  readonly port?: number;
  /** Progress of the first fetch. @default stderr */
  readonly log?: (line: string) => void;
  /** Every line Zipkin prints. @default dropped, kept for error messages */
  readonly onOutput?: (line: string) => void;
}

export interface Zipkin {
  /** `http://127.0.0.1:<port>`: the API lives under `/api/v2/`. */
  readonly url: string;
  /** The UI, `<url>/zipkin/`. */
  readonly uiUrl: string;
  /** Where Zipkin takes spans in its own JSON format (what the collector's Zipkin exporter posts to). */
  readonly spansEndpoint: string;
  readonly port: number;
  /** The trace's spans, or undefined while Zipkin has none of it. `traceId` is 32 hex digits. */
  findTrace(traceId: string): Promise<readonly ZipkinSpan[] | undefined>;
  /** SIGTERM, SIGKILL after 5 s; the spans are gone. */
  stop(): Promise<void>;
}

/** The exec jar, fetched into the cache the first time. */
export async function ensureZipkinJar(log?: (line: string) => void): Promise<string> {
  const lib = await ensureMavenTool(ZIPKIN_TOOL, log);
  return join(lib, `zipkin-server-${await mavenToolVersion(ZIPKIN_TOOL)}-exec.jar`);
}

/** Asks Zipkin's query API for one trace: 404 means "not (yet) stored". */
export async function fetchZipkinTrace(url: string, traceId: string): Promise<ZipkinSpan[] | undefined> {
  const response = await fetch(`${url}/api/v2/trace/${encodeURIComponent(traceId)}`);
  if (response.status === 404) return undefined;
  if (!response.ok) {
    throw new ZipkinError(
      `Zipkin answered ${response.status} for trace ${traceId}: ${await response.text()}`,
    );
  }
  return (await response.json()) as ZipkinSpan[];
}

/** Fetches the jar once, then starts Zipkin on 127.0.0.1 with in-memory storage and waits for `/health`. */
export async function startZipkin(options: ZipkinOptions = {}): Promise<Zipkin> {
  const java = await findJava();
  const jar = await ensureZipkinJar(options.log);
  const port = options.port === 0 ? await freePort() : (options.port ?? ZIPKIN_DEFAULT_PORT);
  // Otherwise the readiness probe could be answered by whatever already listens there.
  if (await portAcceptsConnections(port)) {
    throw new ZipkinError(`Port ${port} is taken, so Zipkin cannot listen there.`);
  }
  const url = `http://127.0.0.1:${port}`;
  let server: JavaProcess;
  try {
    server = await startJavaProcess({
      name: `Zipkin on port ${port}`,
      java,
      args: [
        ...LOCAL_JVM_FLAGS,
        '-jar',
        jar,
        // Spring Boot replaces a list as a whole, so the one Armeria port is given in full: loopback only.
        `--armeria.ports[0].ip=127.0.0.1`,
        `--armeria.ports[0].port=${port}`,
        '--armeria.ports[0].protocols[0]=http',
        '--zipkin.storage.type=mem',
        // Spans arrive over HTTP from the collector; Zipkin's own gRPC intake is not needed.
        '--zipkin.collector.grpc.enabled=false',
        '--spring.main.banner-mode=off',
      ],
      ready: async () => (await fetch(`${url}/health`)).ok,
      startTimeoutMs: START_TIMEOUT_MS,
      ...(options.onOutput ? { onOutput: options.onOutput } : {}),
    });
  } catch (cause) {
    throw new ZipkinError(`Zipkin did not start on port ${port}.`, { cause });
  }
  return {
    url,
    uiUrl: `${url}/zipkin/`,
    spansEndpoint: `${url}/api/v2/spans`,
    port,
    findTrace: (traceId) => fetchZipkinTrace(url, traceId),
    stop: () => server.stop(5_000),
  };
}

if (isProcessEntry(import.meta.url)) {
  const zipkin = await startZipkin();
  console.log(`Zipkin UI at ${zipkin.uiUrl} (Ctrl-C stops it)`);
  const shutdown = () => void zipkin.stop().then(() => process.exit(0));
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}
