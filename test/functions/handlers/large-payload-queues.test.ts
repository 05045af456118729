/**
 * Issue 28's done-when for large payloads, against real components (the Temporal dev server,
 * ElasticMQ, gofakes3, local-kms): a 5 MB Stripe webhook — signed by `stripe`'s own test helper — is
 * delivered end to end through the direct path, and through the queue fallback when Temporal is
 * unreachable at send time and back later; a 5 MB HTTP signal takes the fallback too. The queue and
 * the DLQ carry a sealed reference to the stored (encrypted) body, never the body, and the workflow
 * — run by a worker with the SDK's own `ExternalStorage` and the KMS codec — sees the original
 * text's SHA-256.
 */
import { createHash, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { PurgeQueueCommand, type Message } from '@aws-sdk/client-sqs';
import { Client } from '@temporalio/client';
import { ExternalStorage, type DataConverter } from '@temporalio/common';
import { S3StorageDriver } from '@temporalio/external-storage-s3';
import { AwsSdkS3StorageDriverClient } from '@temporalio/external-storage-s3-aws-sdk';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { PAYLOAD_ENV } from '../../../contract/env-names';
import { silentLogger } from '../../../functions/adapters/logger';
import { createDeadLetters } from '../../../functions/adapters/sqs-dead-letters';
import { DEMO_SOURCE_SECRET_ENV, GATEWAY_ENV } from '../../../functions/core/env-names';
import { MAX_INPUT_BYTES } from '../../../functions/core/input-limits';
import { createSqsBatchHandler } from '../../../functions/handlers/sqs-batch';
import { createGatewayRuntime, type GatewayRuntime } from '../../../functions/runtime/gateway-runtime';
import { startGatewayServer, type GatewayServer } from '../../../local/gateway-server';
import { LOCAL_KMS_CREDENTIALS, startLocalKms, type LocalKms } from '../../../local/kms-server';
import { startLocalS3, type LocalS3 } from '../../../local/s3-server';
import { toSqsEvent } from '../../../local/sqs-event';
import { ENCRYPTED_ENCODING, KmsEncryptionCodec } from '../../../payloads';
import { receiveAll } from '../../local/support';
import { freePort } from '../../support/free-port';
import { startSqsStack, type SqsStack } from '../../support/sqs-stack';
import { uniqueName } from '../../support/staged-worker';
import { sharedTemporal, stopSharedTemporal } from '../../support/temporal';
import type { TextDigestActivities } from './fixtures/json-digest-workflow';

const workflowsPath = fileURLToPath(new URL('./fixtures/json-digest-workflow.ts', import.meta.url));
const sha256 = (text: string | Uint8Array) => createHash('sha256').update(text).digest('hex');
const FIVE_MB = 5 * 1024 * 1024;
const STRIPE_SECRET = 'whsec_test_large_payloads_7c1e';

let env: TestWorkflowEnvironment;
let kms: LocalKms;
let s3: LocalS3;
let stack: SqsStack;
let taskQueue: string;
/** The HTTP function while Temporal is down (its address refuses connections). */
let outage: GatewayServer;
/** The HTTP function with Temporal up. */
let gateway: GatewayServer;
/** The queue function once Temporal is back. */
let queue: GatewayRuntime;

/** A target for the digest workflow, signalled directly and by a Stripe route reading `description`. */
function gatewayConfig(route: { workflowKeyField: string }) {
  return JSON.stringify({
    targets: [
      {
        name: 'blobs',
        workflowIdPattern: '^blob-.+$',
        workflowType: 'jsonDigestWorkflow',
        taskQueue,
        signals: { text: { schema: {} } },
        startIfMissing: true,
      },
    ],
    sources: [
      {
        name: 'stripe',
        verifier: { preset: 'stripe' },
        secret: { env: DEMO_SOURCE_SECRET_ENV.stripe },
        routes: [
          {
            name: 'blob-attached',
            match: { type: 'file.attached' },
            workflowId: `blob-{${route.workflowKeyField}}`,
            signal: 'text',
            payload: { text: 'data.object.description' },
          },
        ],
      },
    ],
  });
}

function gatewayEnv(temporalAddress: string, workflowKeyField = 'data.object.metadata.workflowKey') {
  return {
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_TASK_QUEUE: taskQueue,
    [GATEWAY_ENV.temporalDeadlineMs]: '2000',
    SQS_ENDPOINT: stack.sqs.endpoint,
    GATEWAY_QUEUE_URL: stack.queues.events.url,
    GATEWAY_DLQ_URL: stack.queues.eventsDlq.url,
    // One key for every function: the queue function verifies what the HTTP function sealed.
    [GATEWAY_ENV.envelopeKey]: 'large-payload-queues-envelope-key',
    [DEMO_SOURCE_SECRET_ENV.stripe]: JSON.stringify([STRIPE_SECRET]),
    GATEWAY_CONFIG: gatewayConfig({ workflowKeyField }),
    [PAYLOAD_ENV.kmsKeyId]: kms.keyId,
    [PAYLOAD_ENV.kmsEndpoint]: kms.endpoint,
    [PAYLOAD_ENV.largePayloadBucket]: s3.bucket,
    [PAYLOAD_ENV.s3Endpoint]: s3.endpoint,
  };
}

beforeAll(async () => {
  [env, kms, s3, stack] = await Promise.all([
    sharedTemporal(),
    startLocalKms(),
    startLocalS3(),
    startSqsStack(),
  ]);
  vi.stubEnv('AWS_REGION', kms.region);
  vi.stubEnv('AWS_ACCESS_KEY_ID', LOCAL_KMS_CREDENTIALS.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', LOCAL_KMS_CREDENTIALS.secretAccessKey);
  taskQueue = uniqueName('large-queues');
  const unreachable = `127.0.0.1:${await freePort()}`; // nothing listens there
  [outage, gateway, queue] = await Promise.all([
    startGatewayServer({ logger: silentLogger, env: gatewayEnv(unreachable) }),
    startGatewayServer({ logger: silentLogger, env: gatewayEnv(env.address) }),
    createGatewayRuntime(gatewayEnv(env.address), silentLogger),
  ]);
}, 180_000);

afterAll(async () => {
  await Promise.all([outage?.close(), gateway?.close(), queue?.clients.close()]);
  await Promise.all([kms?.stop(), s3?.stop(), stack?.stop()]);
  vi.unstubAllEnvs();
  await stopSharedTemporal();
});

beforeEach(async () => {
  await Promise.all(
    [stack.queues.events.url, stack.queues.eventsDlq.url].map((QueueUrl) =>
      stack.client.send(new PurgeQueueCommand({ QueueUrl })),
    ),
  );
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

/** Runs a worker while `send` delivers, and answers the workflow's result: the digest it saw. */
async function digestSeenBy(workflowId: string, send: () => Promise<void>): Promise<string> {
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
  return worker.runUntil(async () => {
    await send();
    return client.workflow.getHandle(workflowId).result() as Promise<string>;
  });
}

/** A 5 MiB text: random, so no codec or compression could hide its size. */
const fiveMegabytes = () => randomBytes(FIVE_MB * 0.75).toString('base64');

/** A Stripe event carrying `text` in its object's description, signed by Stripe's own helper. */
function stripeEvent(workflowKey: string, text: string) {
  const body = JSON.stringify({
    id: `evt_${uniqueName('large').replace(/-/g, '')}`,
    object: 'event',
    type: 'file.attached',
    created: Math.floor(Date.now() / 1000),
    data: { object: { id: 'file_1', description: text, metadata: { workflowKey } } },
  });
  const signature = Stripe.webhooks.generateTestHeaderString({ payload: body, secret: STRIPE_SECRET });
  return { body, headers: { 'content-type': 'application/json', 'stripe-signature': signature } };
}

const postWebhook = (server: GatewayServer, event: { body: string; headers: Record<string, string> }) =>
  fetch(`${server.url}/v1/webhooks/stripe`, { method: 'POST', headers: event.headers, body: event.body });

const postSignal = (server: GatewayServer, workflowId: string, text: string) =>
  fetch(`${server.url}/v1/workflows/${workflowId}/signals/text`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text }),
  });

/** The one message on a queue, as its consumer would read it. */
async function onlyMessage(queueUrl: string): Promise<Message & { Body: string }> {
  const messages = await receiveAll(stack.client, queueUrl, 1);
  expect(messages).toHaveLength(1);
  return messages[0] as Message & { Body: string };
}

/** The queue function once Temporal is back, on the messages of the events queue. */
async function deliverQueued(messages: Message[]) {
  const handler = createSqsBatchHandler({
    ...queue,
    deadLetters: createDeadLetters(stack.client, { standard: stack.queues.eventsDlq.url }),
  });
  const result = await handler(toSqsEvent(messages, { queueArn: stack.queues.events.arn }));
  expect(result.batchItemFailures).toEqual([]);
}

/** The stored object a queued reference names: the codec's output, none of the text in it. */
async function expectEncryptedObject(reference: { data: string }, text: string) {
  const claim = JSON.parse(Buffer.from(reference.data, 'base64').toString('utf8')) as {
    claimData: { bucket: string; key: string; hashValue: string };
  };
  const { Body } = await s3
    .client()
    .send(new GetObjectCommand({ Bucket: claim.claimData.bucket, Key: claim.claimData.key }));
  const object = await Body!.transformToByteArray();
  expect(sha256(object)).toBe(claim.claimData.hashValue);
  const stored = temporal.api.common.v1.Payload.decode(object);
  expect(new TextDecoder().decode(stored.metadata.encoding)).toBe(ENCRYPTED_ENCODING);
  expect(Buffer.from(stored.data).includes(Buffer.from(text.slice(4096, 4160)))).toBe(false);
}

describe('a 5 MB webhook, end to end', () => {
  it('is delivered through the direct path: the workflow sees the original text’s digest', async () => {
    const text = fiveMegabytes();
    const key = uniqueName('direct');
    const digest = await digestSeenBy(`blob-${key}`, async () => {
      const response = await postWebhook(gateway, stripeEvent(key, text));
      expect(response.status).toBe(202);
      expect(await response.json()).toMatchObject({ status: 'delivered' });
    });
    expect(digest).toBe(sha256(text));
  });

  it('is queued as a sealed reference while Temporal is unreachable, then delivered intact', async () => {
    const text = fiveMegabytes();
    const key = uniqueName('queued');
    const response = await postWebhook(outage, stripeEvent(key, text));
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ status: 'queued' });

    const message = await onlyMessage(stack.queues.events.url);
    expect(message.Body.length).toBeLessThan(8 * 1024); // the reference, not the body
    const queued = JSON.parse(message.Body) as {
      webhook: Record<string, unknown> & { bodyRef: { data: string } };
      gatewaySeal: string;
    };
    expect(queued.webhook).not.toHaveProperty('body');
    expect(queued.gatewaySeal).toMatch(/^v1\./);
    expect(message.Body).not.toContain(text.slice(0, 64));
    await expectEncryptedObject(queued.webhook.bodyRef, text);

    const digest = await digestSeenBy(`blob-${key}`, () => deliverQueued([message]));
    expect(digest).toBe(sha256(text));
  });

  it('is dead-lettered as a reference when its route cannot use it, and delivered from the DLQ once fixed', async () => {
    // The route reads the key from `metadata.orderKey`, which this event lacks: dead-lettered.
    const misrouted = await startGatewayServer({
      logger: silentLogger,
      env: gatewayEnv(env.address, 'data.object.metadata.orderKey'),
    });
    const text = fiveMegabytes();
    const key = uniqueName('dead');
    try {
      const response = await postWebhook(misrouted, stripeEvent(key, text));
      expect(await response.json()).toMatchObject({ status: 'dead-lettered' });
    } finally {
      await misrouted.close();
    }
    const dead = await onlyMessage(stack.queues.eventsDlq.url);
    expect(dead.Body.length).toBeLessThan(8 * 1024);
    expect(JSON.parse(dead.Body)).toMatchObject({ webhook: { bodyRef: { metadata: {} } } });

    // What a redrive sends back is that very message; the fixed queue function delivers it.
    const digest = await digestSeenBy(`blob-${key}`, () =>
      deliverQueued([{ ...dead, MessageId: `redriven-${key}` }]),
    );
    expect(digest).toBe(sha256(text));
  });
});

describe('a 5 MB HTTP signal through the fallback queue', () => {
  it('is queued as a sealed reference to its encrypted argument and delivered once Temporal is back', async () => {
    const text = fiveMegabytes();
    const workflowId = uniqueName('blob-signal');
    const response = await postSignal(outage, workflowId, text);
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ status: 'queued' });

    const message = await onlyMessage(stack.queues.events.url);
    expect(message.Body.length).toBeLessThan(MAX_INPUT_BYTES);
    const queued = JSON.parse(message.Body) as Record<string, unknown> & { payloadRef: { data: string } };
    expect(queued).toMatchObject({ workflowId, signal: 'text' });
    expect(queued).not.toHaveProperty('payload');
    await expectEncryptedObject(queued.payloadRef, text);

    const digest = await digestSeenBy(workflowId, () => deliverQueued([message]));
    expect(digest).toBe(sha256(text));
  });
});
