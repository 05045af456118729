/**
 * The local stacks store large payloads as a deployed gateway with `largePayloads` does: gofakes3
 * with its objects in the stack's state directory (Temporal never deletes them, and a replay needs
 * them as long as the history), and the PAYLOAD_ENV both the gateway and the worker read.
 */
import { PAYLOAD_ENV } from '../contract/env-names';
import { startLocalS3, type LocalS3 } from './s3-server';
import type { BuildLog } from './tool-build';

export interface LocalPayloadStore {
  readonly s3: LocalS3;
  /** PAYLOAD_ENV for the gateway and the worker: the bucket and the emulator's endpoint. */
  readonly env: Readonly<Record<string, string>>;
  /** The ready banner's line. */
  readonly description: string;
  stop(): Promise<void>;
}

/** The SDK's own threshold, which the data converter applies when none is set. */
const DEFAULT_THRESHOLD_BYTES = 256 * 1024;

const describeBytes = (bytes: number) => (bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`);

/** Starts gofakes3 (built once into the tool cache by `npm run tools` or on first use). */
export async function startLocalPayloadStore(options: {
  readonly dataDir: string;
  readonly log?: BuildLog;
  /** The app's `largePayloads.thresholdBytes`. @default - the SDK's (256 KiB) */
  readonly thresholdBytes?: number | undefined;
}): Promise<LocalPayloadStore> {
  const s3 = await startLocalS3({ dataDir: options.dataDir, ...(options.log ? { log: options.log } : {}) });
  const threshold = options.thresholdBytes;
  return {
    s3,
    env: {
      [PAYLOAD_ENV.largePayloadBucket]: s3.bucket,
      [PAYLOAD_ENV.s3Endpoint]: s3.endpoint,
      ...(threshold !== undefined ? { [PAYLOAD_ENV.largePayloadThresholdBytes]: String(threshold) } : {}),
    },
    description: `${s3.endpoint}   payloads of ${describeBytes(threshold ?? DEFAULT_THRESHOLD_BYTES)} and more go to bucket ${s3.bucket}`,
    stop: () => s3.stop(),
  };
}
