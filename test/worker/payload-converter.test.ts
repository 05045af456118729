/**
 * runWorker's data converter against the real local-kms, gofakes3 and a Temporal dev server:
 * configured from PAYLOAD_ENV alone, it decodes what a client with the same converter wrote (small
 * payloads encrypted, large ones in S3), and a team's codec composes with the built-in one.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAYLOAD_ENV } from '../../contract/env-names';
import { startLocalKms, type LocalKms } from '../../local/kms-server';
import { startLocalS3, type LocalS3 } from '../../local/s3-server';
import { ENCRYPTED_ENCODING } from '../../payloads';
import { createWorker, workerDataConverter, WorkerConfigError } from '../../worker/index';
import { sharedTemporal, stopSharedTemporal } from '../support/temporal';
import {
  digestWorkflowsPath,
  eventInputs,
  metadataText,
  rawHistory,
  sha256,
} from '../payloads/external-storage-support';
import { bytesSignal, largePayloadWorkflow } from '../payloads/fixtures/large-payload-workflow';

let env: TestWorkflowEnvironment;
let kms: LocalKms;
let s3: LocalS3;
beforeAll(async () => {
  [env, kms, s3] = await Promise.all([sharedTemporal(), startLocalKms(), startLocalS3()]);
});
afterAll(async () => {
  await Promise.all([stopSharedTemporal(), kms?.stop(), s3?.stop()]);
});

const activities = { digestOf: (bytes: Uint8Array) => Promise.resolve(sha256(bytes)) };

/** The variables the construct (or the local stack) sets on the worker. */
function payloadEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    [PAYLOAD_ENV.kmsKeyId]: kms.keyAlias,
    [PAYLOAD_ENV.kmsEndpoint]: kms.endpoint,
    [PAYLOAD_ENV.largePayloadBucket]: s3.bucket,
    [PAYLOAD_ENV.largePayloadThresholdBytes]: '4096',
    [PAYLOAD_ENV.s3Endpoint]: s3.endpoint,
    AWS_REGION: kms.region,
    ...extra,
  };
}

/** Marks each payload it encodes, so the test sees where in the chain it ran. */
class MarkingCodec implements PayloadCodec {
  encoded = 0;
  decoded = 0;
  encode(payloads: Payload[]): Promise<Payload[]> {
    this.encoded += payloads.length;
    return Promise.resolve(
      payloads.map((p) => ({ ...p, metadata: { ...p.metadata, team: new TextEncoder().encode('1') } })),
    );
  }
  decode(payloads: Payload[]): Promise<Payload[]> {
    this.decoded += payloads.length;
    return Promise.resolve(
      payloads.map((p) => {
        const { team: _team, ...metadata } = p.metadata ?? {};
        return { ...p, metadata };
      }),
    );
  }
}

async function digestThroughWorker(
  workerEnv: NodeJS.ProcessEnv,
  bytes: Uint8Array,
  payloadCodecs?: PayloadCodec[],
): Promise<{ digest: string; workflowId: string; client: Client }> {
  const namespace = env.namespace ?? 'default';
  const worker = await createWorker({
    workflowsPath: digestWorkflowsPath,
    activities,
    dedupe: false,
    callbacks: false,
    env: workerEnv,
    connection: env.nativeConnection,
    namespace,
    taskQueue: `payloads-${randomUUID()}`,
    ...(payloadCodecs ? { payloadCodecs } : {}),
  });
  // The client of the worker's process: the same data converter.
  const client = new Client({ connection: env.connection, namespace, dataConverter: worker.dataConverter });
  const workflowId = `payloads-${randomUUID()}`;
  const running = worker.run();
  try {
    const handle = await client.workflow.start(largePayloadWorkflow, {
      taskQueue: worker.taskQueue,
      workflowId,
    });
    await handle.signal(bytesSignal, bytes);
    return { digest: await handle.result(), workflowId, client };
  } finally {
    worker.shutdown();
    await running;
  }
}

describe("runWorker's payload converter", () => {
  it('from PAYLOAD_ENV alone: small payloads encrypted in history, large ones in S3, both decoded', async () => {
    const small = randomBytes(100);
    const large = randomBytes(64 * 1024);
    for (const bytes of [small, large]) {
      const { digest, workflowId, client } = await digestThroughWorker(payloadEnv(), bytes);
      expect(digest).toBe(sha256(bytes));
      const { signal, activity } = eventInputs(
        await rawHistory(client, env.namespace ?? 'default', workflowId),
      );
      for (const payload of [...signal, ...activity]) {
        if (bytes === small) {
          expect(metadataText(payload, 'encoding')).toBe(ENCRYPTED_ENCODING);
          expect(Buffer.from(payload.data!).includes(small.subarray(0, 32))).toBe(false);
        } else {
          expect(metadataText(payload, 'messageType')).toBe('temporal.api.sdk.v1.ExternalStorageReference');
        }
      }
    }
  });

  it("runs the team's codecs before the built-in encryption on encode (the history holds only ciphertext)", async () => {
    const team = new MarkingCodec();
    const bytes = randomBytes(200);
    const { digest, workflowId, client } = await digestThroughWorker(
      payloadEnv({ [PAYLOAD_ENV.largePayloadBucket]: '' }),
      bytes,
      [team],
    );
    expect(digest).toBe(sha256(bytes));
    expect(team.encoded).toBeGreaterThan(0);
    expect(team.decoded).toBeGreaterThan(0);
    const { signal } = eventInputs(await rawHistory(client, env.namespace ?? 'default', workflowId));
    // The team's marker is inside the ciphertext, not beside it.
    expect(Object.keys(signal[0]!.metadata ?? {})).not.toContain('team');
    expect(metadataText(signal[0]!, 'encoding')).toBe(ENCRYPTED_ENCODING);
  });

  it('has no codec and no storage when neither code nor env configures them; code overrides env', async () => {
    const plain = await workerDataConverter({}, {});
    expect(plain.dataConverter.payloadCodecs).toBeUndefined();
    expect(plain.dataConverter.externalStorage).toBeUndefined();
    const off = await workerDataConverter({ payloadEncryption: false, largePayloads: false }, payloadEnv());
    expect(off.summary).toEqual({ codecs: 0 });
    const fromEnv = await workerDataConverter({}, payloadEnv());
    expect(fromEnv.summary).toEqual({
      codecs: 1,
      encryptionKeyId: kms.keyAlias,
      largePayloadBucket: s3.bucket,
      thresholdBytes: 4096,
    });
  });

  it('reports every bad setting at once', async () => {
    const error = await workerDataConverter(
      { payloadEncryption: { keyId: ' ' } },
      payloadEnv({ [PAYLOAD_ENV.largePayloadThresholdBytes]: 'lots' }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerConfigError);
    expect((error as WorkerConfigError).problems).toEqual([
      'payloadEncryption.keyId must not be blank',
      `${PAYLOAD_ENV.largePayloadThresholdBytes} must be a non-negative whole number of bytes, got "lots"`,
    ]);
  });
});
