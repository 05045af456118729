/**
 * gofakes3 (github.com/johannesboyne/gofakes3): an S3 emulator built once from its Go module's own
 * command (`cmd/gofakes3`) into the tool cache, started on loopback with one bucket, for the large
 * payload store (Temporal's external storage) in tests and the dev stack. The AWS SDK's own wire
 * protocol: path-style requests, real `NoSuchKey`/`NoSuchBucket` errors, objects of any size.
 *
 * Run directly (`tsx local/s3-server.ts`) it builds if needed, prints the endpoint and bucket, and
 * serves until Ctrl-C.
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { EventGatewayError } from '../contract/errors';
import { startAnnouncedProcess } from './announced-process';
import { toolCacheDir } from './cache-dir';
import { goInstall, type BuildLog } from './tool-build';
import { isProcessEntry } from './process-entry';

export const GOFAKES3_MODULE = 'github.com/johannesboyne/gofakes3';
export const GOFAKES3_VERSION = 'v1.2.0';
/** The bucket created at start unless another is asked for. */
export const LOCAL_S3_BUCKET = 'temporal-event-gateway-payloads';
/** The emulator checks no signature, but the SDK signs with something. */
export const LOCAL_S3_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
const DEFAULT_REGION = 'us-east-1';
const START_TIMEOUT_MS = 30_000;

export class LocalS3Error extends EventGatewayError {
  override readonly name = 'LocalS3Error';
}

export const cachedGofakes3Path = (): string => toolCacheDir('gofakes3', GOFAKES3_VERSION, 'gofakes3');

/** The emulator's binary, building it first when the cache has none (about 30 s, once). */
export function ensureGofakes3(log?: BuildLog): Promise<string> {
  return goInstall({
    module: `${GOFAKES3_MODULE}/cmd/gofakes3`,
    version: GOFAKES3_VERSION,
    binary: 'gofakes3',
    target: cachedGofakes3Path(),
    minGo: [1, 24],
    ...(log ? { log } : {}),
  });
}

export interface LocalS3Options {
  /** @default 0: a free port, which the emulator picks and reports */
  readonly port?: number;
  /** The bucket created at start. @default `temporal-event-gateway-payloads` */
  readonly bucket?: string;
  /**
   * Keep buckets and objects in this directory, so payloads stored before a restart still resolve.
   * @default in memory, gone on stop
   */
  readonly dataDir?: string;
  /** Region the client signs for (the emulator ignores it). @default `$AWS_REGION`, else us-east-1 */
  readonly region?: string;
  /** Progress of the first build. @default stderr */
  readonly log?: BuildLog;
  /** Every line the emulator prints. @default dropped, the last ones kept for error messages */
  readonly onOutput?: (line: string) => void;
}

export interface LocalS3 {
  /** `http://127.0.0.1:<port>`, for the SDK's `endpoint` (with `forcePathStyle`). */
  readonly endpoint: string;
  readonly port: number;
  readonly region: string;
  /** The bucket created at start. */
  readonly bucket: string;
  /** An S3 client for this emulator, path-style (the caller destroys it). */
  client(config?: Omit<S3ClientConfig, 'endpoint' | 'region' | 'credentials' | 'forcePathStyle'>): S3Client;
  /** Stops the emulator (SIGTERM, SIGKILL after 2 s). */
  stop(): Promise<void>;
}

/**
 * An S3 client for a local endpoint: path-style addressing (no `<bucket>.127.0.0.1` host names) and
 * the emulator's dummy credentials.
 */
export function createLocalS3Client(
  endpoint: string,
  region = DEFAULT_REGION,
  config: Omit<S3ClientConfig, 'endpoint' | 'region' | 'credentials' | 'forcePathStyle'> = {},
): S3Client {
  return new S3Client({
    endpoint,
    region,
    credentials: LOCAL_S3_CREDENTIALS,
    forcePathStyle: true,
    ...config,
  });
}

/** Builds gofakes3 once, starts it on loopback with the bucket, and resolves when it listens. */
export async function startLocalS3(options: LocalS3Options = {}): Promise<LocalS3> {
  const binary = await ensureGofakes3(options.log);
  const region = options.region ?? process.env.AWS_REGION ?? DEFAULT_REGION;
  const bucket = options.bucket ?? LOCAL_S3_BUCKET;
  const backend = options.dataDir ? await fileBackend(resolve(options.dataDir)) : ['-backend', 'mem'];
  const { port, stop } = await startAnnouncedProcess({
    name: 'gofakes3',
    binary,
    args: ['-host', `127.0.0.1:${options.port ?? 0}`, ...backend, '-initialbucket', bucket],
    // gofakes3's own announcement, once it listens: "using port: <port>".
    announcement: /using port: (\d+)/,
    timeoutMs: START_TIMEOUT_MS,
    error: LocalS3Error,
    ...(options.onOutput ? { onOutput: options.onOutput } : {}),
  });
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    port,
    region,
    bucket,
    client: (config) => createLocalS3Client(endpoint, region, config),
    stop,
  };
}

async function fileBackend(dataDir: string): Promise<string[]> {
  await mkdir(dataDir, { recursive: true });
  return ['-backend', 'fs', '-fs.path', dataDir, '-fs.create'];
}

if (isProcessEntry(import.meta.url)) {
  const s3 = await startLocalS3();
  console.log(`gofakes3 on ${s3.endpoint}, bucket ${s3.bucket}; Ctrl-C stops it`);
  process.once('SIGINT', () => void s3.stop());
}
