/**
 * S3PayloadStore (the lean filler for the gateway's Lambdas) against gofakes3 and against Temporal's
 * own S3 driver: the same object key, bytes and claim for the same payload, each reading what the
 * other wrote, and named failures for a missing object, a tampered object and an unknown driver.
 */
import { randomBytes } from 'node:crypto';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Payload } from '@temporalio/common';
import { S3StorageDriver } from '@temporalio/external-storage-s3';
import { AwsSdkS3StorageDriverClient } from '@temporalio/external-storage-s3-aws-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalS3Client, startLocalS3, type LocalS3 } from '../../local/s3-server';
import {
  decodeReferencePayload,
  encodeReferencePayload,
  isReferencePayload,
  LargePayloadStoreError,
  REFERENCE_ENCODING,
  REFERENCE_MESSAGE_TYPE,
  S3PayloadStore,
  s3PayloadKey,
  StorageReferenceError,
} from '../../payloads';
import { encodePayloadProto } from '../../payloads/payload-proto';
import { metadataText, objectBytes, sha256 } from './external-storage-support';

let s3: LocalS3;
let client: S3Client;
beforeAll(async () => {
  s3 = await startLocalS3();
  client = s3.client();
});
afterAll(async () => {
  client?.destroy();
  await s3?.stop();
});

const utf8 = new TextEncoder();
const binary = (data: Uint8Array): Payload => ({ metadata: { encoding: utf8.encode('binary/plain') }, data });
const sameBytes = (a: Uint8Array | null | undefined, b: Uint8Array | null | undefined) =>
  Buffer.from(a ?? []).equals(Buffer.from(b ?? []));
const target = { namespace: 'payments prod', workflowId: 'order+123=abc', workflowType: 'ChargeWorkflow' };

describe('S3PayloadStore', () => {
  it('keeps payloads under the threshold inline and offloads the rest, in order', async () => {
    const store = new S3PayloadStore({ bucket: s3.bucket, s3: client, thresholdBytes: 1024 });
    const small = binary(randomBytes(100));
    const large = binary(randomBytes(4096));
    const [first, second] = await store.offload([small, large], target);
    expect(first).toBe(small);
    expect(isReferencePayload(second!)).toBe(true);
    expect(metadataText(second!, 'encoding')).toBe(REFERENCE_ENCODING);
    expect(metadataText(second!, 'messageType')).toBe(REFERENCE_MESSAGE_TYPE);
    const [resolvedSmall, resolvedLarge] = await store.resolve([first!, second!]);
    expect(resolvedSmall).toBe(small);
    expect(sameBytes(resolvedLarge!.data, large.data)).toBe(true);
    expect(resolvedLarge!.metadata).toEqual(large.metadata);
  });

  it('writes the object, key and claim that Temporal’s S3 driver writes for the same payload', async () => {
    const payload = binary(randomBytes(300 * 1024));
    const ours = new S3PayloadStore({ bucket: s3.bucket, s3: client });
    const [reference] = await ours.offload([payload], target);
    const theirs = new S3StorageDriver({
      client: new AwsSdkS3StorageDriverClient(client),
      bucket: s3.bucket,
    });
    const [claim] = await theirs.store(
      {
        target: {
          kind: 'workflow',
          namespace: target.namespace,
          id: target.workflowId,
          type: target.workflowType,
        },
      },
      [payload],
    );
    const decoded = decodeReferencePayload(reference!);
    expect(decoded.driverName).toBe(theirs.name);
    expect(decoded.claimData).toEqual(claim!.claimData);
    // The README's own example of the key format.
    expect(decoded.claimData.key).toMatch(
      /^v0\/ns\/payments%20prod\/wt\/ChargeWorkflow\/wi\/order%2B123%3Dabc\/ri\/null\/d\/sha256\/[0-9a-f]{64}$/,
    );
    const bytes = encodePayloadProto(payload);
    expect(decoded.sizeBytes).toBe(bytes.length);
    expect(sameBytes(await objectBytes(s3, s3.bucket, decoded.claimData.key!), bytes)).toBe(true);
    // Each reads what the other wrote.
    const [viaDriver] = await theirs.retrieve({}, [claim!]);
    expect(sameBytes(viaDriver!.data, payload.data)).toBe(true);
    const [viaStore] = await ours.resolve([
      encodeReferencePayload({ ...decoded, claimData: claim!.claimData }),
    ]);
    expect(sameBytes(viaStore!.data, payload.data)).toBe(true);
  });

  it('names the object when it is missing or does not match its hash; neither is retryable', async () => {
    const store = new S3PayloadStore({ bucket: s3.bucket, s3: client, thresholdBytes: 0 });
    const [reference] = await store.offload([binary(randomBytes(64))], {
      namespace: 'default',
      workflowId: 'w',
    });
    const { claimData } = decodeReferencePayload(reference!);
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: claimData.key, Body: randomBytes(64) }));
    const tampered = await store.resolve([reference!]).catch((error: unknown) => error);
    expect(tampered).toBeInstanceOf(LargePayloadStoreError);
    expect((tampered as LargePayloadStoreError).message).toContain(`does not match its reference's sha256`);
    expect((tampered as LargePayloadStoreError).message).toContain(claimData.key);
    expect((tampered as LargePayloadStoreError).retryable).toBe(false);

    const missing = encodeReferencePayload({
      driverName: 'aws.s3driver',
      claimData: { ...claimData, key: s3PayloadKey({ namespace: 'default' }, sha256(randomBytes(8))) },
      sizeBytes: 64,
    });
    const gone = await store.resolve([missing]).catch((error: unknown) => error);
    expect(gone).toBeInstanceOf(LargePayloadStoreError);
    expect((gone as LargePayloadStoreError).message).toContain('Fetching the payload from S3 failed');
    expect((gone as LargePayloadStoreError).retryable).toBe(false);
  });

  it('refuses a reference of another driver, a malformed reference and a payload over the limit', async () => {
    const store = new S3PayloadStore({
      bucket: s3.bucket,
      s3: client,
      thresholdBytes: 0,
      maxPayloadBytes: 1000,
    });
    const other = encodeReferencePayload({ driverName: 'gcs', claimData: {}, sizeBytes: 1 });
    await expect(store.resolve([other])).rejects.toThrow("No storage driver named 'gcs'");
    const malformed = { ...other, data: utf8.encode('{"claimData":{}}') };
    await expect(store.resolve([malformed])).rejects.toThrow(StorageReferenceError);
    await expect(store.offload([binary(randomBytes(2000))], { namespace: 'default' })).rejects.toThrow(
      /exceeds the limit of 1000 bytes/,
    );
  });

  it('answers a retryable error when S3 is unreachable', async () => {
    // Port 9 (discard): nothing listens there on loopback.
    const unreachable = createLocalS3Client('http://127.0.0.1:9', s3.region, { maxAttempts: 1 });
    const store = new S3PayloadStore({ bucket: s3.bucket, s3: unreachable, thresholdBytes: 0 });
    const error = await store
      .offload([binary(randomBytes(10))], { namespace: 'default' })
      .catch((e: unknown) => e);
    unreachable.destroy();
    expect(error).toBeInstanceOf(LargePayloadStoreError);
    expect((error as LargePayloadStoreError).retryable).toBe(true);
  });
});
