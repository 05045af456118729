/**
 * Large payloads through the gateway (EVENT_GATEWAY_LARGE_PAYLOAD_BUCKET) against real emulators: a
 * 5 MB signal posted over HTTP is encrypted by the KMS codec, then stored in S3 (the SDK's order:
 * codecs first, then storage) under Temporal's S3 driver key; the history holds a reference; a
 * worker using the SDK's own `ExternalStorage` with the S3 driver and the same codec runs the
 * workflow on the original text (same SHA-256).
 */
import { createHash, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { Client } from '@temporalio/client';
import { ExternalStorage, type DataConverter } from '@temporalio/common';
import { S3StorageDriver } from '@temporalio/external-storage-s3';
import { AwsSdkS3StorageDriverClient } from '@temporalio/external-storage-s3-aws-sdk';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PAYLOAD_ENV } from '../../../contract/env-names';
import { silentLogger } from '../../../functions/adapters/logger';
import { MAX_INPUT_BYTES, MAX_OFFLOADED_INPUT_BYTES } from '../../../functions/core/input-limits';
import { startGatewayServer, type GatewayServer } from '../../../local/gateway-server';
import { LOCAL_KMS_CREDENTIALS, startLocalKms, type LocalKms } from '../../../local/kms-server';
import { startLocalS3, type LocalS3 } from '../../../local/s3-server';
import { ENCRYPTED_ENCODING, KmsEncryptionCodec, REFERENCE_MESSAGE_TYPE } from '../../../payloads';
import { uniqueName } from '../../support/staged-worker';
import { sharedTemporal, stopSharedTemporal } from '../../support/temporal';
import type { jsonDigestWorkflow, TextDigestActivities } from './fixtures/json-digest-workflow';

const workflowsPath = fileURLToPath(new URL('./fixtures/json-digest-workflow.ts', import.meta.url));
const sha256 = (text: string | Uint8Array) => createHash('sha256').update(text).digest('hex');
const utf8 = new TextDecoder();
const FIVE_MB = 5 * 1024 * 1024;

let env: TestWorkflowEnvironment;
let kms: LocalKms;
let s3: LocalS3;
let gateway: GatewayServer;
let plain: GatewayServer;
let taskQueue: string;

beforeAll(async () => {
  [env, kms, s3] = await Promise.all([sharedTemporal(), startLocalKms(), startLocalS3()]);
  // The KMS and S3 clients' region and credentials come from the environment, as in Lambda.
  vi.stubEnv('AWS_REGION', kms.region);
  vi.stubEnv('AWS_ACCESS_KEY_ID', LOCAL_KMS_CREDENTIALS.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', LOCAL_KMS_CREDENTIALS.secretAccessKey);
  taskQueue = uniqueName('large-payloads');
  const target = {
    name: 'blobs',
    workflowIdPattern: '^blob-.+$',
    workflowType: 'jsonDigestWorkflow',
    taskQueue,
    signals: { text: { schema: {} } },
    startIfMissing: true,
  };
  const base = {
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    GATEWAY_CONFIG: JSON.stringify({ targets: [target] }),
    [PAYLOAD_ENV.kmsKeyId]: kms.keyId,
    [PAYLOAD_ENV.kmsEndpoint]: kms.endpoint,
  };
  [gateway, plain] = await Promise.all([
    startGatewayServer({
      logger: silentLogger,
      env: { ...base, [PAYLOAD_ENV.largePayloadBucket]: s3.bucket, [PAYLOAD_ENV.s3Endpoint]: s3.endpoint },
    }),
    startGatewayServer({ logger: silentLogger, env: base }),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all([gateway?.close(), plain?.close()]);
  await Promise.all([kms?.stop(), s3?.stop()]);
  vi.unstubAllEnvs();
  await stopSharedTemporal();
});

/** The worker's data converter, as runWorker builds it: the codec, then the SDK's external storage. */
function workerDataConverter(): DataConverter {
  return {
    payloadCodecs: [new KmsEncryptionCodec({ keyId: kms.keyId, kms: kms.client() })],
    externalStorage: new ExternalStorage({
      drivers: [
        new S3StorageDriver({ client: new AwsSdkS3StorageDriverClient(s3.client()), bucket: s3.bucket }),
      ],
    }),
  };
}

const postText = (server: GatewayServer, workflowId: string, text: string) =>
  fetch(`${server.url}/v1/workflows/${workflowId}/signals/text`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text }),
  });

describe('large payloads through the gateway (S3PayloadStore, gofakes3, the SDK S3 driver)', () => {
  it('delivers a 5 MB signal: encrypted, stored in S3, resolved by the worker with the same digest', async () => {
    const text = randomBytes(FIVE_MB * 0.75).toString('base64'); // 5 MiB of text
    expect(text.length).toBe(FIVE_MB);
    const workflowId = uniqueName('blob');
    const converter = workerDataConverter();
    const namespace = env.namespace ?? 'default';
    const client = new Client({ connection: env.connection, namespace, dataConverter: converter });
    const activities: TextDigestActivities = { digestOfText: (value) => Promise.resolve(sha256(value)) };
    const worker = await Worker.create({
      connection: env.nativeConnection,
      namespace,
      taskQueue,
      workflowsPath,
      activities,
      dataConverter: converter,
    });

    const digest = await worker.runUntil(async () => {
      const response = await postText(gateway, workflowId, text);
      expect(response.status).toBe(202);
      expect(await response.json()).toMatchObject({ status: 'delivered' });
      return client.workflow.getHandle<typeof jsonDigestWorkflow>(workflowId).result();
    });
    expect(digest).toBe(sha256(text));

    // History: a reference in place of the signal's argument (the raw gRPC service resolves nothing).
    const { history } = await client.workflowService.getWorkflowExecutionHistory({
      namespace,
      execution: { workflowId },
    });
    const signaled = (history?.events ?? []).find((event) => event.workflowExecutionSignaledEventAttributes);
    const reference = signaled?.workflowExecutionSignaledEventAttributes?.input?.payloads?.[0];
    expect(utf8.decode(reference?.metadata?.messageType ?? new Uint8Array())).toBe(REFERENCE_MESSAGE_TYPE);
    const claim = JSON.parse(utf8.decode(reference?.data ?? new Uint8Array())) as {
      claimData: { bucket: string; key: string; hashValue: string };
    };
    // The S3 driver's key for a signal-with-start: the workflow type and id, no run.
    expect(claim.claimData.key).toBe(
      `v0/ns/${namespace}/wt/jsonDigestWorkflow/wi/${workflowId}/ri/null/d/sha256/${claim.claimData.hashValue}`,
    );

    // The object is the codec's output: encrypted, none of the text in it.
    const { Body } = await s3.client().send(
      new GetObjectCommand({
        Bucket: claim.claimData.bucket,
        Key: claim.claimData.key,
      }),
    );
    const object = await Body!.transformToByteArray();
    expect(sha256(object)).toBe(claim.claimData.hashValue);
    const stored = temporal.api.common.v1.Payload.decode(object);
    expect(utf8.decode(stored.metadata.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(Buffer.from(stored.data).includes(Buffer.from(text.slice(1000, 1064)))).toBe(false);
  });

  it('takes bodies up to Lambda’s limit only when a bucket is configured', async () => {
    const text = 'x'.repeat(MAX_INPUT_BYTES + 1);
    const refused = await postText(plain, uniqueName('blob'), text);
    expect(refused.status).toBe(413);
    const tooLarge = await postText(gateway, uniqueName('blob'), 'x'.repeat(MAX_OFFLOADED_INPUT_BYTES + 1));
    expect(tooLarge.status).toBe(413);
  });
});
