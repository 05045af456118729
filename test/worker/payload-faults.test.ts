/**
 * A signal the worker cannot decode fails the workflow TASK, never the workflow, with an error that
 * names the payload, the workflow and the key; the signal stays in the history and is applied once
 * the cause is gone (KMS back). Against the real local-kms and a Temporal dev server.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalKmsClient, startLocalKms, type LocalKms } from '../../local/kms-server';
import { ENCRYPTED_PAYLOAD_METADATA, KmsEncryptionCodec } from '../../payloads';
import { createWorker, type GatewayWorker, type PayloadEncryptionOptions } from '../../worker/index';
import { freePort } from '../support/free-port';
import { sharedTemporal, stopSharedTemporal } from '../support/temporal';
import { digestWorkflowsPath, rawHistory, sha256 } from '../payloads/external-storage-support';
import { bytesSignal, largePayloadWorkflow } from '../payloads/fixtures/large-payload-workflow';

let env: TestWorkflowEnvironment;
let kms: LocalKms;
let client: Client;
beforeAll(async () => {
  [env, kms] = await Promise.all([sharedTemporal(), startLocalKms()]);
  // A client without any codec: the test writes the payloads it sends itself.
  client = new Client({ connection: env.connection, namespace: env.namespace ?? 'default' });
});
afterAll(async () => {
  await Promise.all([stopSharedTemporal(), kms?.stop()]);
});

const namespace = () => env.namespace ?? 'default';
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function digestWorker(taskQueue: string, payloadEncryption: PayloadEncryptionOptions) {
  return createWorker({
    workflowsPath: digestWorkflowsPath,
    activities: { digestOf: (bytes: Uint8Array) => Promise.resolve(sha256(bytes)) },
    dedupe: false,
    callbacks: false,
    env: {},
    connection: env.nativeConnection,
    namespace: namespace(),
    taskQueue,
    payloadEncryption,
  });
}

async function encrypted(bytes: Uint8Array): Promise<Payload> {
  const kmsClient = kms.client();
  try {
    const codec = new KmsEncryptionCodec({ keyId: kms.keyAlias, kms: kmsClient });
    const [payload] = await codec.encode([defaultPayloadConverter.toPayload(bytes)]);
    return payload!;
  } finally {
    kmsClient.destroy();
  }
}

/** Starts the workflow, sends the payload as the signal's argument, returns the first task failure. */
async function signalUntilTaskFails(worker: GatewayWorker, workflowId: string, payload: Payload) {
  await client.workflow.start(largePayloadWorkflow, { taskQueue: worker.taskQueue, workflowId });
  await client.workflowService.signalWorkflowExecution({
    namespace: namespace(),
    workflowExecution: { workflowId },
    signalName: bytesSignal.name,
    input: { payloads: [payload] },
    identity: 'payload-faults-test',
  });
  for (let tries = 0; tries < 400; tries++) {
    const events = (await rawHistory(client, namespace(), workflowId)).events ?? [];
    const failed = events.find((event) => event.workflowTaskFailedEventAttributes);
    if (failed) {
      const signals = events.filter((event) => event.workflowExecutionSignaledEventAttributes);
      const failure = failed.workflowTaskFailedEventAttributes!.failure;
      return { message: failure?.message ?? '', signals };
    }
    await sleep(50);
  }
  throw new Error(`no workflow task failed for ${workflowId}`);
}

async function withWorker<T>(worker: GatewayWorker, fn: () => Promise<T>): Promise<T> {
  const running = worker.run();
  try {
    return await fn();
  } finally {
    worker.shutdown();
    await running;
  }
}

async function expectStillRunning(workflowId: string): Promise<void> {
  const description = await client.workflow.getHandle(workflowId).describe();
  expect(description.status.name).toBe('RUNNING');
}

describe('a payload the worker cannot decode', () => {
  it('under a key KMS does not know: the task fails naming the payload, workflow and key', async () => {
    const workflowId = `unknown-key-${randomUUID()}`;
    const unknownKey = `arn:aws:kms:${kms.region}:000000000000:key/${randomUUID()}`;
    const payload = await encrypted(randomBytes(64));
    payload.metadata![ENCRYPTED_PAYLOAD_METADATA.keyId] = new TextEncoder().encode(unknownKey);
    const worker = await digestWorker(`faults-${randomUUID()}`, { keyId: kms.keyAlias, kms: kms.client() });
    const { message, signals } = await withWorker(worker, () =>
      signalUntilTaskFails(worker, workflowId, payload),
    );
    expect(message).toContain(`KMS rejected key ${unknownKey}`);
    expect(message).toContain(`payload 1 of 1 of workflow ${workflowId}`);
    expect(message).toContain(unknownKey);
    expect(signals).toHaveLength(1);
    await expectStillRunning(workflowId);
  });

  it('with corrupted ciphertext: the task fails (nothing decoded), naming the payload and key', async () => {
    const workflowId = `corrupted-${randomUUID()}`;
    const payload = await encrypted(randomBytes(64));
    payload.data![20] = payload.data![20]! ^ 0xff;
    const worker = await digestWorker(`faults-${randomUUID()}`, { keyId: kms.keyAlias, kms: kms.client() });
    const { message, signals } = await withWorker(worker, () =>
      signalUntilTaskFails(worker, workflowId, payload),
    );
    expect(message).toContain('its ciphertext or tag is corrupted');
    expect(message).toContain(`payload 1 of 1 of workflow ${workflowId}`);
    expect(message).toContain(kms.keyId);
    expect(signals).toHaveLength(1);
    await expectStillRunning(workflowId);
  });

  it('while KMS is down: the task fails as retryable, and once KMS is back the signal is applied', async () => {
    const workflowId = `kms-down-${randomUUID()}`;
    const taskQueue = `faults-${randomUUID()}`;
    const bytes = randomBytes(64);
    const deadKms = createLocalKmsClient(`http://127.0.0.1:${await freePort()}`, kms.region, {
      maxAttempts: 1,
    });
    const down = await digestWorker(taskQueue, { keyId: kms.keyAlias, kms: deadKms });
    const { message } = await withWorker(down, async () =>
      signalUntilTaskFails(down, workflowId, await encrypted(bytes)),
    );
    expect(message).toContain('KMS is unavailable to decrypt a data key');
    expect(message).toContain(`payload 1 of 1 of workflow ${workflowId}`);
    expect(message).toContain(kms.keyId);
    await expectStillRunning(workflowId);

    const back = await digestWorker(taskQueue, { keyId: kms.keyAlias, kms: kms.client() });
    // The result is encrypted too: read it with the worker's converter.
    const decoding = new Client({
      connection: env.connection,
      namespace: namespace(),
      dataConverter: back.dataConverter,
    });
    const digest = await withWorker(back, () =>
      decoding.workflow.getHandle<typeof largePayloadWorkflow>(workflowId).result(),
    );
    expect(digest).toBe(sha256(bytes));
  });
});
