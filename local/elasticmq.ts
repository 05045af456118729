/**
 * ElasticMQ: an SQS-compatible server from Maven Central, run with the machine's Java. The local
 * stack and the tests use it as the real SQS here; `SQS_ENDPOINT` points everything at another
 * endpoint instead.
 *
 * Run directly (`tsx local/elasticmq.ts`) it fetches the jars if needed and serves until Ctrl-C.
 */
import { ListQueuesCommand, SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GATEWAY_ENV } from '../functions/core/env-names';
import { freePort, portAcceptsConnections, startJavaProcess, type JavaProcess } from './java-process';
import { classpathOf, ensureMavenTool, findJava, LOCAL_JVM_FLAGS, type MavenTool } from './java-tools';
import { EventGatewayError } from '../contract/errors';

export const ELASTICMQ_TOOL = {
  name: 'elasticmq',
  artifact: 'org.elasticmq:elasticmq-server_2.13',
} as const satisfies MavenTool;
export const ELASTICMQ_MAIN_CLASS = 'org.elasticmq.server.Main';
export const ELASTICMQ_DEFAULT_PORT = 9324;
/** ElasticMQ's fixed account id; it appears in every queue URL and ARN it hands out. */
export const ELASTICMQ_ACCOUNT_ID = '000000000000';
/** ElasticMQ ignores signatures, but the SDK insists on signing with something. */
export const LOCAL_SQS_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
const DEFAULT_REGION = 'us-east-1';
/**
 * ElasticMQ's clean shutdown waits for every open long poll (up to 20 s each). Idle, it takes
 * ~200 ms; past this grace it is killed, which loses nothing acknowledged (see `persistDir`).
 */
const STOP_GRACE_MS = 2_000;

export class ElasticMqError extends EventGatewayError {
  override readonly name = 'ElasticMqError';
}

export interface ElasticMqOptions {
  /** @default `$SQS_PORT`, else 9324. Pass 0 for a free port (tests). */
  readonly port?: number;
  /**
   * Keep queues and messages in an H2 database in this directory, so they survive `restart()` —
   * including a crash (`restart({ crash: true })`): a message is on disk before SQS acknowledges
   * it. Queue creation and attribute changes are written a few milliseconds after ElasticMQ
   * answers, so a stop or crash right after CreateQueue can lose the new queue (SQS itself asks
   * callers to wait a second after CreateQueue).
   * @default in-memory: everything is gone when the server stops
   */
  readonly persistDir?: string;
  /**
   * Region in the queue ARNs, so `eventSourceARN` looks like the deployed one.
   * @default `$AWS_REGION`, else us-east-1
   */
  readonly region?: string;
  /** Progress of the first fetch. @default stderr */
  readonly log?: (line: string) => void;
  /** Every line ElasticMQ prints (its own logging is INFO). @default dropped, kept for error messages */
  readonly onOutput?: (line: string) => void;
}

export interface ElasticMq {
  /** `http://127.0.0.1:<port>`, for the SDK's `endpoint`. */
  readonly endpoint: string;
  readonly port: number;
  readonly region: string;
  readonly persistDir: string | undefined;
  /**
   * Stops the server (SIGTERM, SIGKILL after 2 s: open long polls would hold it up to 20 s);
   * a later `restart()` starts it again on the same port.
   */
  stop(): Promise<void>;
  /**
   * Stops (or with `crash`, SIGKILLs) the server if it runs, then starts it again on the same port
   * and waits until it answers. Without `persistDir` the queues are gone afterwards.
   */
  restart(options?: { crash?: boolean }): Promise<void>;
  /** Whether the server process is up (false between `stop()` and `restart()`). */
  readonly running: boolean;
  /** The JVM's process id while running, e.g. for a test that kills it from outside. */
  readonly pid: number | undefined;
}

/** An SQS client for a local endpoint (ElasticMQ needs no real credentials). */
export function createLocalSqsClient(
  endpoint: string,
  region = DEFAULT_REGION,
  config: Omit<SQSClientConfig, 'endpoint' | 'region'> = {},
): SQSClient {
  return new SQSClient({
    endpoint,
    region,
    // Real credentials from the environment win, for an SQS_ENDPOINT that checks them.
    ...(process.env.AWS_ACCESS_KEY_ID ? {} : { credentials: LOCAL_SQS_CREDENTIALS }),
    ...config,
  });
}

function defaultPort(): number {
  const fromEnv = process.env[GATEWAY_ENV.sqsPort];
  if (!fromEnv) return ELASTICMQ_DEFAULT_PORT;
  const port = Number(fromEnv);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ElasticMqError(`${GATEWAY_ENV.sqsPort}=${fromEnv} is not a port number.`);
  }
  return port;
}

/** HOCON strings are JSON strings, so JSON quoting is exact. */
const hocon = (value: string) => JSON.stringify(value);

function configFile(options: { port: number; region: string; persistDir: string | undefined }): string {
  const lines = [
    'include classpath("application.conf")',
    `node-address { protocol = "http", host = "127.0.0.1", port = ${options.port}, context-path = "" }`,
    `rest-sqs { enabled = true, bind-port = ${options.port}, bind-hostname = "127.0.0.1", sqs-limits = strict }`,
    'generate-node-address = false',
    `aws { region = ${hocon(options.region)}, accountId = ${hocon(ELASTICMQ_ACCOUNT_ID)} }`,
  ];
  if (options.persistDir) {
    // H2 otherwise flushes commits up to a second late: a SIGKILL then loses messages SQS already
    // acknowledged (checked by the crash test). WRITE_DELAY=0 makes an acknowledged send durable.
    const uri = `jdbc:h2:${join(options.persistDir, 'elasticmq')};WRITE_DELAY=0`;
    lines.push(`messages-storage { enabled = true, uri = ${hocon(uri)}, prune-data-on-init = false }`);
  }
  return `${lines.join('\n')}\n`;
}

/** Fetches the jars once (progress on stderr), then starts ElasticMQ and waits until it answers. */
export async function startElasticMq(options: ElasticMqOptions = {}): Promise<ElasticMq> {
  const java = await findJava();
  const lib = await ensureMavenTool(ELASTICMQ_TOOL, options.log);
  const requestedPort = options.port ?? defaultPort();
  const port = requestedPort === 0 ? await freePort() : requestedPort;
  const region = options.region ?? process.env.AWS_REGION ?? DEFAULT_REGION;
  const persistDir = options.persistDir ? resolve(options.persistDir) : undefined;
  const endpoint = `http://127.0.0.1:${port}`;

  let server: JavaProcess | undefined;
  let probe: SQSClient | undefined;
  let scratchDir: string | undefined;

  const halt = async (how: 'stop' | 'kill') => {
    const current = server;
    server = undefined;
    if (current) await (how === 'kill' ? current.kill() : current.stop(STOP_GRACE_MS));
    probe?.destroy();
    probe = undefined;
    if (scratchDir) await rm(scratchDir, { recursive: true, force: true });
    scratchDir = undefined;
  };

  const launch = async () => {
    // Otherwise the readiness probe could be answered by whatever already listens there.
    if (await portAcceptsConnections(port)) {
      throw new ElasticMqError(
        `Port ${port} is taken, so ElasticMQ cannot listen there. Set ${GATEWAY_ENV.sqsPort} to a free port, ` +
          `or point ${GATEWAY_ENV.sqsEndpoint} at the SQS server that already runs there.`,
      );
    }
    // The config goes next to the data when there is some, else into a scratch dir removed on stop.
    const configDir = persistDir ?? (scratchDir = await mkdtemp(join(tmpdir(), 'elasticmq-')));
    await mkdir(configDir, { recursive: true });
    const configPath = join(configDir, 'elasticmq.conf');
    await writeFile(configPath, configFile({ port, region, persistDir }));
    // One attempt per probe: the start loop is the retry.
    const client = createLocalSqsClient(endpoint, region, { maxAttempts: 1 });
    probe = client;
    try {
      server = await startJavaProcess({
        name: `ElasticMQ on port ${port}`,
        java,
        args: [
          ...LOCAL_JVM_FLAGS,
          `-Dconfig.file=${configPath}`,
          '-cp',
          classpathOf(lib),
          ELASTICMQ_MAIN_CLASS,
        ],
        ready: async () => {
          await client.send(new ListQueuesCommand({}));
          return true;
        },
        ...(options.onOutput ? { onOutput: options.onOutput } : {}),
      });
    } catch (cause) {
      await halt('kill');
      throw new ElasticMqError(`ElasticMQ did not start on port ${port}.`, { cause });
    }
  };

  await launch();
  return {
    endpoint,
    port,
    region,
    persistDir,
    get running() {
      return server !== undefined;
    },
    get pid() {
      return server?.pid;
    },
    stop: () => halt('stop'),
    async restart({ crash = false } = {}) {
      await halt(crash ? 'kill' : 'stop');
      await launch();
    },
  };
}

export interface SqsEndpoint {
  readonly endpoint: string;
  readonly region: string;
  /** The ElasticMQ this call started, or undefined when `SQS_ENDPOINT` named another server. */
  readonly elasticMq: ElasticMq | undefined;
  /** Stops the ElasticMQ this call started; leaves an endpoint from the environment alone. */
  stop(): Promise<void>;
}

/** `SQS_ENDPOINT` when set, else a freshly started ElasticMQ. */
export async function resolveSqsEndpoint(options: ElasticMqOptions = {}): Promise<SqsEndpoint> {
  const fromEnv = process.env[GATEWAY_ENV.sqsEndpoint];
  const region = options.region ?? process.env.AWS_REGION ?? DEFAULT_REGION;
  if (fromEnv) {
    return { endpoint: fromEnv, region, elasticMq: undefined, stop: () => Promise.resolve() };
  }
  const elasticMq = await startElasticMq(options);
  return { endpoint: elasticMq.endpoint, region: elasticMq.region, elasticMq, stop: () => elasticMq.stop() };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  startElasticMq({ onOutput: (line) => console.log(line) })
    .then((server) => {
      console.log(`ElasticMQ listening on ${server.endpoint} (Ctrl-C stops it)`);
      const shutdown = () => void server.stop().then(() => process.exit(0));
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    })
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    });
}
