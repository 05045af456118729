/**
 * local-kms (github.com/nsmithuk/local-kms): a KMS emulator built once from its Go module into the
 * tool cache, started with one seeded AES key, for the payload encryption codec in tests and the
 * dev stack. Real AES-GCM envelope encryption, real KMS errors (NotFound, InvalidCiphertext), the
 * AWS SDK's own wire protocol.
 *
 * Run directly (`tsx local/kms-server.ts`) it builds if needed, prints the endpoint and key, and
 * serves until Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { KMSClient, type KMSClientConfig } from '@aws-sdk/client-kms';
import { EventGatewayError } from '../contract/errors';
import { toolCacheDir } from './cache-dir';
import { goInstall, type BuildLog } from './tool-build';
import { isProcessEntry } from './process-entry';

export const LOCAL_KMS_MODULE = 'github.com/nsmithuk/local-kms';
/** The module has no tags the proxy serves; this pseudo-version is its newest commit there. */
export const LOCAL_KMS_VERSION = 'v0.0.0-20260228092603-2a5e92d09ab6';
/** The seeded key's id, fixed so a persistent data directory keeps decoding old payloads. */
export const LOCAL_KMS_KEY_ID = '6f0b7a52-2c1e-4d8e-9a57-3c3f0e6b1d24';
export const LOCAL_KMS_KEY_ALIAS = 'alias/temporal-event-gateway-payloads';
/** The emulator checks no signature, but the SDK signs with something. */
export const LOCAL_KMS_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
const ACCOUNT_ID = '000000000000';
const DEFAULT_REGION = 'us-east-1';
const START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 2_000;

export class LocalKmsError extends EventGatewayError {
  override readonly name = 'LocalKmsError';
}

export const cachedLocalKmsPath = (): string => toolCacheDir('local-kms', LOCAL_KMS_VERSION, 'local-kms');

/** The emulator's binary, building it first when the cache has none (about 30 s, once). */
export function ensureLocalKms(log?: BuildLog): Promise<string> {
  return goInstall({
    module: LOCAL_KMS_MODULE,
    version: LOCAL_KMS_VERSION,
    binary: 'local-kms',
    target: cachedLocalKmsPath(),
    minGo: [1, 20],
    ...(log ? { log } : {}),
  });
}

export interface LocalKmsOptions {
  /** @default 0: a free port, which the emulator picks and reports */
  readonly port?: number;
  /**
   * Keep keys in this directory, so payloads encrypted before a restart still decode (the seeded key
   * is created once, never overwritten).
   * @default a scratch directory, removed on stop
   */
  readonly dataDir?: string;
  /** Region in the key ARNs. @default `$AWS_REGION`, else us-east-1 */
  readonly region?: string;
  /** Progress of the first build. @default stderr */
  readonly log?: BuildLog;
  /** Every line the emulator prints. @default dropped, the last ones kept for error messages */
  readonly onOutput?: (line: string) => void;
}

export interface LocalKms {
  /** `http://127.0.0.1:<port>`, for the SDK's `endpoint`. */
  readonly endpoint: string;
  readonly port: number;
  readonly region: string;
  /** The seeded key's ARN. */
  readonly keyId: string;
  /** The seeded key's alias, `alias/temporal-event-gateway-payloads`. */
  readonly keyAlias: string;
  /** A KMS client for this emulator (the caller destroys it). */
  client(config?: Omit<KMSClientConfig, 'endpoint' | 'region' | 'credentials'>): KMSClient;
  /** Stops the emulator (SIGTERM, SIGKILL after 2 s) and removes a scratch data directory. */
  stop(): Promise<void>;
}

/** A KMS client for a local endpoint, with the emulator's dummy credentials. */
export function createLocalKmsClient(
  endpoint: string,
  region = DEFAULT_REGION,
  config: Omit<KMSClientConfig, 'endpoint' | 'region' | 'credentials'> = {},
): KMSClient {
  return new KMSClient({ endpoint, region, credentials: LOCAL_KMS_CREDENTIALS, ...config });
}

/** local-kms's seed file: one AES key with fresh key material, and its alias. */
function seedFile(): string {
  return [
    'Keys:',
    '  Symmetric:',
    '    Aes:',
    '      - Metadata:',
    `          KeyId: ${LOCAL_KMS_KEY_ID}`,
    '          Description: Temporal Event Gateway payload encryption (local)',
    '        BackingKeys:',
    `          - ${randomBytes(32).toString('hex')}`,
    'Aliases:',
    `  - AliasName: ${LOCAL_KMS_KEY_ALIAS}`,
    `    TargetKeyId: ${LOCAL_KMS_KEY_ID}`,
    '',
  ].join('\n');
}

/**
 * Builds local-kms once, starts it with the seeded key and resolves when it listens. It listens on
 * every interface (its `PORT` takes no host); its keys are throwaway test keys.
 */
export async function startLocalKms(options: LocalKmsOptions = {}): Promise<LocalKms> {
  const binary = await ensureLocalKms(options.log);
  const region = options.region ?? process.env.AWS_REGION ?? DEFAULT_REGION;
  const scratch = await mkdtemp(join(tmpdir(), 'local-kms-'));
  const dataDir = options.dataDir ? resolve(options.dataDir) : join(scratch, 'data');
  const seedPath = join(scratch, 'seed.yaml');
  await writeFile(seedPath, seedFile());

  const child = spawn(binary, [], {
    env: {
      ...process.env,
      PORT: String(options.port ?? 0),
      KMS_REGION: region,
      KMS_ACCOUNT_ID: ACCOUNT_ID,
      KMS_DATA_PATH: dataDir,
      KMS_SEED_PATH: seedPath,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const output: string[] = [];
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }
    await rm(scratch, { recursive: true, force: true });
  };

  let port: number;
  try {
    port = await new Promise<number>((listening, failed) => {
      const timer = setTimeout(
        () => failed(new LocalKmsError(`local-kms did not listen within ${START_TIMEOUT_MS / 1000} s.`)),
        START_TIMEOUT_MS,
      );
      const onLine = (line: string) => {
        output.push(line);
        if (output.length > 50) output.shift();
        options.onOutput?.(line);
        // The emulator's own announcement, after it listens: "Local KMS started on 0.0.0.0:<port>".
        const started = /Local KMS started on [^\s]*:(\d+)/.exec(line);
        if (started) {
          clearTimeout(timer);
          listening(Number(started[1]));
        }
      };
      createInterface({ input: child.stdout }).on('line', onLine);
      createInterface({ input: child.stderr }).on('line', onLine);
      child.once('error', (error) =>
        failed(new LocalKmsError('local-kms could not start.', { cause: error })),
      );
      child.once('exit', (code) =>
        failed(new LocalKmsError(`local-kms exited with code ${code} before listening.`)),
      );
    });
  } catch (error) {
    await stop();
    throw new LocalKmsError(`${(error as Error).message}\n${output.join('\n')}`, { cause: error });
  }

  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    port,
    region,
    keyId: `arn:aws:kms:${region}:${ACCOUNT_ID}:key/${LOCAL_KMS_KEY_ID}`,
    keyAlias: LOCAL_KMS_KEY_ALIAS,
    client: (config) => createLocalKmsClient(endpoint, region, config),
    stop,
  };
}

if (isProcessEntry(import.meta.url)) {
  const kms = await startLocalKms();
  console.log(`local-kms on ${kms.endpoint}, key ${kms.keyId} (${kms.keyAlias}); Ctrl-C stops it`);
  process.once('SIGINT', () => void kms.stop());
}
