/**
 * Large payloads to S3 and back, exactly as Temporal's S3 driver (`S3StorageDriver` of
 * `@temporalio/external-storage-s3`) stores them — same object key, same bytes, same claim — for the
 * places that cannot run the SDK's own `ExternalStorage`: the gateway's lean Lambda client, which
 * builds Temporal's requests by hand. A worker configured with the SDK's driver (same bucket, driver
 * name `aws.s3driver`) resolves what this writes, and this resolves what the driver wrote.
 *
 * Payloads given here are the data converter's final output (after every codec, so encrypted when
 * encryption is on), as the SDK stores them: storage comes after the codecs.
 */
import { createHash } from 'node:crypto';
import type * as S3Sdk from '@aws-sdk/client-s3';
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import type { Payload } from '@temporalio/common';
import { EventGatewayError } from '../contract/errors';
import {
  decodeReferencePayload,
  encodeReferencePayload,
  isReferencePayload,
} from './external-storage-reference';
import { decodePayloadProto, encodePayloadProto } from './payload-proto';

/** The driver name (and type) of Temporal's S3 driver: the reference names it, the worker looks it up. */
export const S3_DRIVER_NAME = 'aws.s3driver';
/** ExternalStorage's default threshold: payloads of at least this many protobuf bytes go to S3. */
export const DEFAULT_THRESHOLD_BYTES = 256 * 1024;
/** The S3 driver's default upper bound on one payload. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 50 * 1024 * 1024;

/** Whose payloads these are: the object key names them (the SDK's `StorageDriverWorkflowInfo`). */
export interface PayloadStoreTarget {
  readonly namespace: string;
  readonly workflowId?: string;
  /** Known when starting a workflow; a signal or update by id leaves it out, as the SDK's client does. */
  readonly workflowType?: string;
  readonly runId?: string;
}

export interface S3PayloadStoreOptions {
  readonly bucket: string;
  /** @default new S3Client(s3Config), created on first use (region and credentials from the environment) */
  readonly s3?: S3Client;
  /**
   * The configuration of the client created on first use when `s3` is not given (an emulator's
   * endpoint, path-style addressing): the S3 SDK stays unloaded until a payload needs it.
   * @default {}
   */
  readonly s3Config?: S3ClientConfig;
  /** @default 262_144 (256 KiB), ExternalStorage's default */
  readonly thresholdBytes?: number;
  /** @default 52_428_800 (50 MiB), the S3 driver's default */
  readonly maxPayloadBytes?: number;
  /** Must match the worker's driver name. @default `aws.s3driver` */
  readonly driverName?: string;
}

/** Storing or fetching a large payload failed; `retryable` when S3 itself was unavailable. */
export class LargePayloadStoreError extends EventGatewayError {
  override readonly name = 'LargePayloadStoreError';

  readonly retryable: boolean;
  constructor(message: string, options: { retryable: boolean; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.retryable = options.retryable;
  }
}

const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A key segment as the S3 driver writes it: percent-encoded (S3's safe characters kept), `null` when absent. */
const segment = (value: string | undefined) =>
  value ? encodeURIComponent(value).replace(/~/g, '%7E') : 'null';

/** The S3 driver's object key for a workflow's payload: `v0/ns/…/wt/…/wi/…/ri/…/d/sha256/<hex>`. */
export function s3PayloadKey(target: PayloadStoreTarget, sha256: string): string {
  return (
    `v0/ns/${segment(target.namespace)}/wt/${segment(target.workflowType)}` +
    `/wi/${segment(target.workflowId)}/ri/${segment(target.runId)}/d/sha256/${sha256}`
  );
}

/** S3's answers that say it was busy or unreachable, not that the request was wrong. */
function isTransient(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const name = (error as { name?: string }).name ?? '';
  return status === undefined || status >= 500 || status === 429 || /Throttl|SlowDown|Timeout/.test(name);
}

export class S3PayloadStore {
  private readonly bucket: string;
  private s3: S3Client | undefined;
  private readonly s3Config: S3ClientConfig;
  private sdk: Promise<typeof S3Sdk> | undefined;
  private readonly thresholdBytes: number;
  private readonly maxPayloadBytes: number;
  private readonly driverName: string;

  constructor(options: S3PayloadStoreOptions) {
    this.bucket = options.bucket;
    this.s3 = options.s3;
    this.s3Config = options.s3Config ?? {};
    this.thresholdBytes = options.thresholdBytes ?? DEFAULT_THRESHOLD_BYTES;
    this.maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
    this.driverName = options.driverName ?? S3_DRIVER_NAME;
  }

  /**
   * The S3 SDK and client, loaded on the first large payload: a Lambda that never sees one pays
   * nothing for them at cold start (esbuild keeps a dynamic import's module unevaluated until then).
   */
  private async connect() {
    this.sdk ??= import('@aws-sdk/client-s3');
    const sdk = await this.sdk;
    this.s3 ??= new sdk.S3Client(this.s3Config);
    return { s3: this.s3, sdk };
  }

  /**
   * The payloads with every one at or above the threshold stored in S3 and replaced by its reference.
   * `options.thresholdBytes` overrides the store's for this call: `0` stores every payload (a queue
   * message that must carry a reference, never the body).
   */
  async offload(
    payloads: readonly Payload[],
    target: PayloadStoreTarget,
    options: { thresholdBytes?: number } = {},
  ): Promise<Payload[]> {
    const threshold = options.thresholdBytes ?? this.thresholdBytes;
    return Promise.all(
      payloads.map(async (payload) => {
        const bytes = encodePayloadProto(payload);
        if (bytes.length < threshold) return payload;
        if (bytes.length > this.maxPayloadBytes) {
          throw new LargePayloadStoreError(
            `Payload size ${bytes.length} bytes exceeds the limit of ${this.maxPayloadBytes} bytes.`,
            { retryable: false },
          );
        }
        const hashValue = sha256Hex(bytes);
        const key = s3PayloadKey(target, hashValue);
        try {
          // Content-addressed: writing the same bytes again (a retried delivery) changes nothing.
          const { s3, sdk } = await this.connect();
          await s3.send(new sdk.PutObjectCommand({ Bucket: this.bucket, Key: key, Body: bytes }));
        } catch (cause) {
          throw new LargePayloadStoreError(
            `Storing the payload in S3 failed [bucket=${this.bucket}, key=${key}].`,
            {
              retryable: isTransient(cause),
              cause,
            },
          );
        }
        return encodeReferencePayload({
          driverName: this.driverName,
          claimData: { bucket: this.bucket, key, hashAlgorithm: 'sha256', hashValue },
          sizeBytes: bytes.length,
        });
      }),
    );
  }

  /** The payloads with every reference of this driver fetched from S3 (its SHA-256 checked); others unchanged. */
  async resolve(payloads: readonly Payload[]): Promise<Payload[]> {
    return Promise.all(
      payloads.map((payload) =>
        isReferencePayload(payload) ? this.fetch(payload) : Promise.resolve(payload),
      ),
    );
  }

  private async fetch(payload: Payload): Promise<Payload> {
    const { driverName, claimData } = decodeReferencePayload(payload);
    const { bucket, key, hashAlgorithm, hashValue } = claimData;
    if (driverName !== this.driverName) {
      throw new LargePayloadStoreError(
        `No storage driver named '${driverName}' (this store is '${this.driverName}').`,
        {
          retryable: false,
        },
      );
    }
    if (!bucket || !key || hashAlgorithm !== 'sha256' || !hashValue) {
      throw new LargePayloadStoreError(
        `The S3 claim needs bucket, key and a sha256 hash [bucket=${bucket}, key=${key}, hashAlgorithm=${hashAlgorithm}].`,
        { retryable: false },
      );
    }
    let bytes: Uint8Array;
    try {
      const { s3, sdk } = await this.connect();
      const { Body } = await s3.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key }));
      bytes = await Body!.transformToByteArray();
    } catch (cause) {
      throw new LargePayloadStoreError(
        `Fetching the payload from S3 failed [bucket=${bucket}, key=${key}].`,
        {
          retryable: isTransient(cause),
          cause,
        },
      );
    }
    if (sha256Hex(bytes) !== hashValue) {
      throw new LargePayloadStoreError(
        `The stored payload does not match its reference's sha256 [bucket=${bucket}, key=${key}].`,
        { retryable: false },
      );
    }
    return decodePayloadProto(bytes);
  }
}
