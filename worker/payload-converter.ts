/**
 * The worker's data converter: the team's own codecs, the built-in KMS encryption codec and
 * Temporal's ExternalStorage with its S3 driver — configured in code, or from PAYLOAD_ENV, the
 * variables the gateway's functions read too, so the construct's env configures the Fargate worker
 * without code. docs/worker-payloads.md explains the order and the faults.
 */
import { KMSClient } from '@aws-sdk/client-kms';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DataConverter, PayloadCodec } from '@temporalio/common';
import { PAYLOAD_ENV } from '../contract/env-names';
import { localEmulatorAccess } from '../contract/local-emulators';
import {
  importPayloadCodecModule,
  payloadCodecsOf,
  type PayloadCodecModuleExport,
} from '../payloads/codec-module';
import { KmsEncryptionCodec } from '../payloads/kms-encryption-codec';
import { WorkerConfigError } from './worker-settings';

/** The built-in payload encryption (docs/payload-encryption.md). */
export interface PayloadEncryptionOptions {
  /** The KMS key that encrypts new data keys: key id, key ARN, alias name or alias ARN. */
  readonly keyId: string;
  /**
   * @default - a KMSClient from the environment's region and credentials; with
   * EVENT_GATEWAY_KMS_ENDPOINT set, one for that endpoint (the local stack's emulator)
   */
  readonly kms?: KMSClient;
}

/** Payloads above the threshold go to S3 by Temporal's ExternalStorage (docs/large-payloads.md). */
export interface LargePayloadOptions {
  /** The bucket the gateway writes to as well (the construct's `largePayloads` bucket). */
  readonly bucket: string;
  /**
   * Payloads of at least this many bytes (their protobuf size) are stored in S3.
   * @default 262144 (256 KiB, the SDK's default)
   */
  readonly thresholdBytes?: number;
  /**
   * @default - an S3Client from the environment's region and credentials; with
   * EVENT_GATEWAY_S3_ENDPOINT set, a path-style one for that endpoint (the local stack's emulator)
   */
  readonly s3?: S3Client;
}

/** How the worker encodes and decodes payloads; the same settings the gateway's functions read. */
export interface WorkerPayloadOptions {
  /**
   * The team's own codecs (Temporal's `PayloadCodec`), e.g. compression or its own encryption: the
   * default export of the same module the construct's `payloadCodec.entry` bundles into the gateway
   * (`import teamCodecs from '../codec/index.js'`) — a codec, an array of them, a codec class or a
   * factory (payloads/codec-module.ts). On encode they run first, in this order, and the built-in
   * encryption runs last: what reaches the history and the bucket is always ciphertext, and a
   * compressing codec still sees compressible bytes. Decode runs the reverse (the built-in codec
   * passes payloads it did not write through unchanged).
   * @default - the default export of the module EVENT_GATEWAY_PAYLOAD_CODEC_MODULE names (relative
   * to the working directory) when set, else none
   */
  readonly payloadCodecs?: PayloadCodecModuleExport;
  /**
   * Encrypt payloads with the built-in KMS codec. Decoding always accepts every key a payload names
   * (rotation never strands old histories). `false`: no encryption even when the env names a key.
   * @default - EVENT_GATEWAY_PAYLOAD_KMS_KEY_ID when set, else payloads are not encrypted
   */
  readonly payloadEncryption?: PayloadEncryptionOptions | false;
  /**
   * Store large payloads in S3 with Temporal's ExternalStorage and the SDK's S3 driver. `false`:
   * none, even when the env names a bucket.
   * @default - EVENT_GATEWAY_LARGE_PAYLOAD_BUCKET (and _THRESHOLD_BYTES) when set, else none
   */
  readonly largePayloads?: LargePayloadOptions | false;
}

/** Where the settings came from, for the worker's start-up log (no secrets in them). */
export interface PayloadConverterSummary {
  readonly codecs: number;
  readonly encryptionKeyId?: string;
  readonly largePayloadBucket?: string;
  readonly thresholdBytes?: number;
}

/** A client for the local stack's emulator at `endpoint` (contract/local-emulators.ts). */
const localEndpointConfig = (env: NodeJS.ProcessEnv, endpoint: string) => ({
  endpoint,
  ...localEmulatorAccess(env),
});

const nonEmpty = (value: string | undefined): string | undefined =>
  value?.trim() ? value.trim() : undefined;

function encryptionFrom(
  option: PayloadEncryptionOptions | false | undefined,
  env: NodeJS.ProcessEnv,
): PayloadEncryptionOptions | undefined {
  if (option !== undefined) return option || undefined;
  const keyId = nonEmpty(env[PAYLOAD_ENV.kmsKeyId]);
  return keyId ? { keyId } : undefined;
}

function largePayloadsFrom(
  option: LargePayloadOptions | false | undefined,
  env: NodeJS.ProcessEnv,
  problems: string[],
): LargePayloadOptions | undefined {
  const thresholdText = nonEmpty(env[PAYLOAD_ENV.largePayloadThresholdBytes]);
  const fromEnv = thresholdText === undefined ? undefined : Number(thresholdText);
  const chosen =
    option !== undefined
      ? option || undefined
      : nonEmpty(env[PAYLOAD_ENV.largePayloadBucket]) && {
          bucket: nonEmpty(env[PAYLOAD_ENV.largePayloadBucket])!,
          ...(fromEnv === undefined ? {} : { thresholdBytes: fromEnv }),
        };
  if (!chosen) return undefined;
  if (!chosen.bucket.trim()) problems.push('largePayloads.bucket must not be blank');
  const threshold = chosen.thresholdBytes;
  if (threshold !== undefined && (!Number.isSafeInteger(threshold) || threshold < 0)) {
    const [source, shown] = option
      ? ['largePayloads.thresholdBytes', String(threshold)]
      : [PAYLOAD_ENV.largePayloadThresholdBytes, thresholdText];
    problems.push(`${source} must be a non-negative whole number of bytes, got "${shown}"`);
  }
  return chosen;
}

/**
 * The worker's data converter from the options, else PAYLOAD_ENV; `base` (a `workerOptions.dataConverter`)
 * keeps its payload and failure converters, and its codecs run before ours. The S3 driver and
 * client are loaded only when large payloads are configured. Throws {@link WorkerConfigError}
 * listing every problem.
 */
export async function workerDataConverter(
  options: WorkerPayloadOptions,
  env: NodeJS.ProcessEnv = process.env,
  base: DataConverter = {},
): Promise<{ dataConverter: DataConverter; summary: PayloadConverterSummary }> {
  const problems: string[] = [];
  const encryption = encryptionFrom(options.payloadEncryption, env);
  if (encryption && !encryption.keyId.trim()) problems.push('payloadEncryption.keyId must not be blank');
  const large = largePayloadsFrom(options.largePayloads, env, problems);
  if (problems.length > 0) throw new WorkerConfigError(problems);

  const kmsEndpoint = nonEmpty(env[PAYLOAD_ENV.kmsEndpoint]);
  const codecs: PayloadCodec[] = [...(base.payloadCodecs ?? []), ...(await teamCodecs(options, env))];
  if (encryption) {
    const kms =
      encryption.kms ?? (kmsEndpoint ? new KMSClient(localEndpointConfig(env, kmsEndpoint)) : undefined);
    codecs.push(new KmsEncryptionCodec({ keyId: encryption.keyId, ...(kms ? { kms } : {}) }));
  }
  const externalStorage = large ? await s3ExternalStorage(large, env) : base.externalStorage;
  return {
    dataConverter: {
      ...base,
      ...(codecs.length > 0 ? { payloadCodecs: codecs } : {}),
      ...(externalStorage ? { externalStorage } : {}),
    },
    summary: {
      codecs: codecs.length,
      ...(encryption ? { encryptionKeyId: encryption.keyId } : {}),
      ...(large ? { largePayloadBucket: large.bucket } : {}),
      ...(large?.thresholdBytes !== undefined ? { thresholdBytes: large.thresholdBytes } : {}),
    },
  };
}

/** The team's codecs: the option's, else the module PAYLOAD_ENV.codecModule names, else none. */
async function teamCodecs(options: WorkerPayloadOptions, env: NodeJS.ProcessEnv): Promise<PayloadCodec[]> {
  if (options.payloadCodecs !== undefined) return payloadCodecsOf(options.payloadCodecs, 'payloadCodecs');
  const modulePath = nonEmpty(env[PAYLOAD_ENV.codecModule]);
  return modulePath ? importPayloadCodecModule(modulePath, process.cwd()) : [];
}

async function s3ExternalStorage(
  large: LargePayloadOptions,
  env: NodeJS.ProcessEnv,
): Promise<NonNullable<DataConverter['externalStorage']>> {
  const [{ ExternalStorage }, { S3StorageDriver }, { AwsSdkS3StorageDriverClient }, { S3Client }] =
    await Promise.all([
      import('@temporalio/common'),
      import('@temporalio/external-storage-s3'),
      import('@temporalio/external-storage-s3-aws-sdk'),
      import('@aws-sdk/client-s3'),
    ]);
  const s3Endpoint = nonEmpty(env[PAYLOAD_ENV.s3Endpoint]);
  const s3 =
    large.s3 ??
    new S3Client(s3Endpoint ? { ...localEndpointConfig(env, s3Endpoint), forcePathStyle: true } : {});
  return new ExternalStorage({
    drivers: [new S3StorageDriver({ client: new AwsSdkS3StorageDriverClient(s3), bucket: large.bucket })],
    ...(large.thresholdBytes !== undefined ? { payloadSizeThreshold: large.thresholdBytes } : {}),
  });
}
