/**
 * Temporal's own external storage (`ExternalStorage` from @temporalio/common 1.24 with the S3 driver
 * of @temporalio/external-storage-s3 1.22) against gofakes3, with our encryption codec in the same
 * data converter: a 3 MB signal argument reaches the workflow intact, the history holds only
 * references, and the bucket holds the encrypted payloads (the codec runs before storage).
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter, ExternalStorage, type DataConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { S3StorageDriver } from '@temporalio/external-storage-s3';
import { AwsSdkS3StorageDriverClient } from '@temporalio/external-storage-s3-aws-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalKms, type LocalKms } from '../../local/kms-server';
import { startLocalS3, type LocalS3 } from '../../local/s3-server';
import { ENCRYPTED_ENCODING, KmsEncryptionCodec, S3PayloadStore } from '../../payloads';
import { sharedTemporal, stopSharedTemporal } from '../support/temporal';
import {
  eventInputs,
  historyBytes,
  metadataText,
  objectBytes,
  rawHistory,
  sha256,
  withDigestWorker,
} from './external-storage-support';
import { bytesSignal, largePayloadWorkflow } from './fixtures/large-payload-workflow';

const THREE_MB = 3 * 1024 * 1024;

let env: TestWorkflowEnvironment;
let kms: LocalKms;
let s3: LocalS3;
beforeAll(async () => {
  [env, kms, s3] = await Promise.all([sharedTemporal(), startLocalKms(), startLocalS3()]);
});
afterAll(async () => {
  await Promise.all([stopSharedTemporal(), kms?.stop(), s3?.stop()]);
});

/** One data converter for the client and the worker, as issue 28 asks: codec, then S3 above 256 KiB. */
function dataConverter(): DataConverter {
  return {
    payloadCodecs: [new KmsEncryptionCodec({ keyId: kms.keyAlias, kms: kms.client() })],
    externalStorage: new ExternalStorage({
      drivers: [
        new S3StorageDriver({ client: new AwsSdkS3StorageDriverClient(s3.client()), bucket: s3.bucket }),
      ],
    }),
  };
}

describe("Temporal's ExternalStorage with the S3 driver", () => {
  it('has one protobufjs under @temporalio/common, proto and worker (references are protobuf JSON)', () => {
    // extstore-helpers encodes and decodes references with common's protojson, which rejects message
    // types built by another copy of protobufjs ("type must be a Type"); npm nests a copy under each
    // package when the project's own protobufjs is another major (docs/large-payloads.md).
    const require = createRequire(import.meta.url);
    const protobufjsOf = (pkg: string) =>
      require.resolve('protobufjs', { paths: [require.resolve(`${pkg}/package.json`)] });
    const copies = new Set(
      ['@temporalio/common', '@temporalio/proto', '@temporalio/worker'].map(protobufjsOf),
    );
    expect([...copies]).toHaveLength(1);
  });

  it('delivers a 3 MB signal argument through S3; the history keeps only encrypted references', async () => {
    const converter = dataConverter();
    const namespace = env.namespace ?? 'default';
    const client = new Client({ connection: env.connection, namespace, dataConverter: converter });
    const original = randomBytes(THREE_MB);
    const workflowId = `large-signal-${sha256(original).slice(0, 12)}`;

    const digest = await withDigestWorker(env, converter, async (taskQueue) => {
      const handle = await client.workflow.start(largePayloadWorkflow, { taskQueue, workflowId });
      await handle.signal(bytesSignal, original);
      return handle.result();
    });
    expect(digest).toBe(sha256(original));

    const history = await rawHistory(client, namespace, workflowId);
    expect(historyBytes(history)).toBeLessThan(64 * 1024);
    const { signal, activity } = eventInputs(history);
    expect(signal).toHaveLength(1);
    expect(activity).toHaveLength(1);

    for (const reference of [...signal, ...activity]) {
      // The reference payload, exactly as the SDK writes it (extstore-helpers.ts encodeReferencePayload).
      expect(metadataText(reference, 'encoding')).toBe('json/protobuf');
      expect(metadataText(reference, 'messageType')).toBe('temporal.api.sdk.v1.ExternalStorageReference');
      expect(Object.keys(reference.metadata ?? {}).sort()).toEqual(['encoding', 'messageType']);
      const claim = JSON.parse(new TextDecoder().decode(reference.data ?? undefined)) as {
        driverName: string;
        claimData: Record<string, string>;
      };
      expect(claim.driverName).toBe('aws.s3driver');
      expect(Object.keys(claim.claimData).sort()).toEqual(['bucket', 'hashAlgorithm', 'hashValue', 'key']);
      expect(claim.claimData.bucket).toBe(s3.bucket);
      expect(claim.claimData.hashAlgorithm).toBe('sha256');
      expect(claim.claimData.key).toMatch(keyPattern(namespace, workflowId, reference === signal[0]));
      expect(claim.claimData.key!.endsWith(`/d/sha256/${claim.claimData.hashValue}`)).toBe(true);
      const size = Number(reference.externalPayloads?.[0]?.sizeBytes?.toString());
      expect(size).toBeGreaterThan(THREE_MB);

      // The object: the codec's output (encrypted), content-addressed by its SHA-256.
      const object = await objectBytes(s3, s3.bucket, claim.claimData.key!);
      expect(object.length).toBe(size);
      expect(sha256(object)).toBe(claim.claimData.hashValue);
      const stored = temporal.api.common.v1.Payload.decode(object);
      expect(metadataText(stored, 'encoding')).toBe(ENCRYPTED_ENCODING);
      expect(Buffer.from(stored.data).includes(original.subarray(1000, 1064))).toBe(false);
    }
  });

  it('resolves, in the worker, a reference the lean S3PayloadStore wrote into a hand-built signal', async () => {
    const converter = dataConverter();
    const namespace = env.namespace ?? 'default';
    const client = new Client({ connection: env.connection, namespace, dataConverter: converter });
    const original = randomBytes(THREE_MB);
    const workflowId = `lean-signal-${sha256(original).slice(0, 12)}`;
    // What the gateway's Lambda does: convert, encode with the codec, offload, send the request itself.
    const [encrypted] = await converter.payloadCodecs![0]!.encode([
      defaultPayloadConverter.toPayload(original),
    ]);
    const s3Client = s3.client();
    const payloads = await new S3PayloadStore({ bucket: s3.bucket, s3: s3Client }).offload([encrypted!], {
      namespace,
      workflowId,
    });
    s3Client.destroy();

    const digest = await withDigestWorker(env, converter, async (taskQueue) => {
      const handle = await client.workflow.start(largePayloadWorkflow, { taskQueue, workflowId });
      // The bare gRPC service: no data converter, no external storage — the payloads as given.
      await client.workflowService.signalWorkflowExecution({
        namespace,
        workflowExecution: { workflowId },
        signalName: bytesSignal.name,
        input: { payloads },
        identity: 'lean-client-test',
      });
      return handle.result();
    });
    expect(digest).toBe(sha256(original));
    const { signal } = eventInputs(await rawHistory(client, namespace, workflowId));
    expect(signal).toHaveLength(1);
    expect(metadataText(signal[0]!, 'messageType')).toBe('temporal.api.sdk.v1.ExternalStorageReference');
    expect(signal[0]!.data!.length).toBeLessThan(1024);
  });
});

/**
 * The S3 driver's key (README of @temporalio/external-storage-s3): the client knows only the
 * workflow id when it signals; the worker knows the type and run when it schedules the activity.
 */
function keyPattern(namespace: string, workflowId: string, fromClient: boolean): RegExp {
  const [type, run] = fromClient ? ['null', 'null'] : ['largePayloadWorkflow', '[0-9a-f-]{36}'];
  return new RegExp(`^v0/ns/${namespace}/wt/${type}/wi/${workflowId}/ri/${run}/d/sha256/[0-9a-f]{64}$`);
}
