/**
 * The gateway encrypts what it sends with the built-in KMS codec (EVENT_GATEWAY_PAYLOAD_KMS_KEY_ID)
 * against real emulators: the Temporal dev server, local-kms, and a worker configured with the same
 * codec. The history holds `binary/encrypted` payloads with no plaintext of the argument, the
 * workflow gets the plaintext, an update's and a query's answers come back in plaintext over HTTP,
 * and with KMS stopped the gateway never answers "delivered": 503, or queued when it has a queue.
 */
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PAYLOAD_ENV } from '../../../contract/env-names';
import { TEMPORAL_HEADERS } from '../../../contract/temporal-headers';
import type { SignalCommand } from '../../../functions/core/commands';
import { silentLogger } from '../../../functions/adapters/logger';
import { DEFAULT_GATEWAY_CONFIG } from '../../../functions/core/default-config';
import { startGatewayServer, type GatewayServer } from '../../../local/gateway-server';
import { LOCAL_KMS_CREDENTIALS, startLocalKms, type LocalKms } from '../../../local/kms-server';
import { KmsEncryptionCodec } from '../../../payloads';
import { createActivities } from '../../../worker/activities';
import { uniqueName } from '../../support/staged-worker';
import { sharedTemporal, stopSharedTemporal } from '../../support/temporal';

const workflowsPath = fileURLToPath(new URL('../../../worker/workflows/index.ts', import.meta.url));
const staged = DEFAULT_GATEWAY_CONFIG.targets[0];
const utf8 = new TextDecoder();

let env: TestWorkflowEnvironment;
let kms: LocalKms;
let gateway: GatewayServer;
let worker: Worker;
let running: Promise<void>;
let taskQueue: string;

/** The gateway's environment: Temporal, the staged workflow under any argument, encryption on. */
function gatewayEnv(): Record<string, string> {
  const sealed = {
    ...staged,
    name: 'sealed',
    workflowIdPattern: '^sealed-.+$',
    taskQueue,
    // Any JSON: the tests send fields the staged workflow ignores (an e-mail address) to look for.
    signals: { [Object.keys(staged.signals)[0]!]: { schema: {} } },
    updates: { [Object.keys(staged.updates)[0]!]: { schema: {} } },
  };
  return {
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    GATEWAY_CONFIG: JSON.stringify({ targets: [sealed] }),
    [PAYLOAD_ENV.kmsKeyId]: kms.keyId,
    [PAYLOAD_ENV.kmsEndpoint]: kms.endpoint,
  };
}

beforeAll(async () => {
  [env, kms] = await Promise.all([sharedTemporal(), startLocalKms()]);
  // The KMS client's region and credentials come from the environment, as in Lambda.
  vi.stubEnv('AWS_REGION', kms.region);
  vi.stubEnv('AWS_ACCESS_KEY_ID', LOCAL_KMS_CREDENTIALS.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', LOCAL_KMS_CREDENTIALS.secretAccessKey);
  taskQueue = uniqueName('encrypted');
  worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowsPath,
    activities: createActivities({ logger: { info() {} } }),
    dataConverter: { payloadCodecs: [new KmsEncryptionCodec({ keyId: kms.keyId, kms: kms.client() })] },
  });
  running = worker.run();
  gateway = await startGatewayServer({ logger: silentLogger, env: gatewayEnv() });
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  worker?.shutdown();
  await running;
  await kms?.stop();
  vi.unstubAllEnvs();
  await stopSharedTemporal();
});

const post = (server: GatewayServer, path: string, body: unknown) =>
  fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/** A workflow's history as a client without the codec sees it (the UI and CLI without a codec server). */
async function rawHistory(workflowId: string) {
  return (await env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
}

async function progressOverHttp(workflowId: string, until: (result: { stage: number }) => boolean) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const response = await fetch(`${gateway.url}/v1/workflows/${workflowId}/queries/progress`);
    const body = (await response.json()) as { result?: { stage: number } };
    if ((response.ok && body.result && until(body.result)) || Date.now() > deadline)
      return { response, body };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('payload encryption on the gateway (KMS codec, local-kms, Temporal dev server)', () => {
  it('stores a signal as binary/encrypted with no plaintext of its argument; the workflow reads it', async () => {
    const id = uniqueName('sealed-signal');
    const email = `jane.doe+${id}@example.com`;
    const response = await post(gateway, `/v1/workflows/${id}/signals/advanceStage`, { stage: 1, email });
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ status: 'delivered' });

    // The workflow decoded it (its stage moved), and the query's answer is plaintext over HTTP.
    const { response: query, body } = await progressOverHttp(id, (result) => result.stage >= 1);
    expect(query.status).toBe(200);
    expect(body.result).toMatchObject({ stage: 1 });

    const events = await rawHistory(id);
    const signaled = events.find((event) => event.workflowExecutionSignaledEventAttributes);
    const payload = signaled?.workflowExecutionSignaledEventAttributes?.input?.payloads?.[0];
    expect(utf8.decode(payload?.metadata?.encoding ?? new Uint8Array())).toBe('binary/encrypted');
    const stored = Buffer.from(payload?.data ?? new Uint8Array()).toString('latin1');
    expect(stored).not.toContain(email);
    expect(stored).not.toContain('stage');
    // Every payload of the run the gateway wrote is encrypted; the header stays readable, as the SDK
    // leaves it (the worker's dedupe interceptor reads the event id there).
    const started = events[0]?.workflowExecutionStartedEventAttributes;
    for (const input of started?.input?.payloads ?? []) {
      expect(utf8.decode(input.metadata?.encoding ?? new Uint8Array())).toBe('binary/encrypted');
    }
    const eventIdHeader =
      signaled?.workflowExecutionSignaledEventAttributes?.header?.fields?.[TEMPORAL_HEADERS.eventId];
    expect(utf8.decode(eventIdHeader?.metadata?.encoding ?? new Uint8Array())).toBe('json/plain');
  });

  it("answers an update with the workflow's result in plaintext, its argument encrypted in history", async () => {
    const id = uniqueName('sealed-update');
    const email = `john.roe+${id}@example.com`;
    const response = await post(gateway, `/v1/workflows/${id}/updates/setStage`, { stage: 2, email });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ result: { stage: 2 } });

    const accepted = (await rawHistory(id)).find(
      (event) => event.workflowExecutionUpdateAcceptedEventAttributes,
    )?.workflowExecutionUpdateAcceptedEventAttributes;
    const argument = accepted?.acceptedRequest?.input?.args?.payloads?.[0];
    expect(utf8.decode(argument?.metadata?.encoding ?? new Uint8Array())).toBe('binary/encrypted');
    expect(Buffer.from(argument?.data ?? new Uint8Array()).toString('latin1')).not.toContain(email);
  });

  // Last: KMS stays stopped. A gateway started now has no data key cached, so it must ask KMS.
  it('with KMS stopped answers 503 (or queues), never delivered; its cold start made no KMS call', async () => {
    await kms.stop();
    const queued: SignalCommand[] = [];
    const [plain, withQueue] = await Promise.all([
      startGatewayServer({ logger: silentLogger, env: gatewayEnv() }),
      startGatewayServer({
        logger: silentLogger,
        env: gatewayEnv(),
        fallback: { enqueue: (command) => Promise.resolve(void queued.push(command)) },
      }),
    ]);
    try {
      const id = uniqueName('sealed-down');
      const refused = await post(plain, `/v1/workflows/${id}/signals/advanceStage`, { stage: 1 });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).not.toBeNull();
      const problem = (await refused.json()) as { detail: string };
      expect(problem.detail).toContain('payload codec');

      const update = await post(plain, `/v1/workflows/${id}/updates/setStage`, { stage: 1 });
      expect(update.status).toBe(503);

      const later = await post(withQueue, `/v1/workflows/${id}/signals/advanceStage`, { stage: 1 });
      expect(later.status).toBe(202);
      expect(await later.json()).toMatchObject({ status: 'queued' });
      expect(queued.map((command) => command.workflowId)).toEqual([id]);

      // Nothing reached Temporal: no workflow was started for it.
      await expect(env.client.workflow.getHandle(id).describe()).rejects.toThrow(/not found/i);
    } finally {
      await Promise.all([plain.close(), withQueue.close()]);
    }
  });
});
