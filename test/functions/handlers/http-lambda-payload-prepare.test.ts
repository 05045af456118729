/**
 * The ingest Lambda's handler (functions/handlers/http.ts, imported as Lambda's init does) asks KMS
 * for its data key on its first POST, while the request is checked and routed: never at init, never
 * for a GET, once however many requests follow. Against local-kms and the Temporal dev server: the
 * signal is delivered encrypted; with KMS down, the first signal answers 503 exactly as it did when
 * the encode asked KMS itself, and once KMS is back the next one is delivered.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PAYLOAD_ENV } from '../../../contract/env-names';
import { GATEWAY_ENV, TEMPORAL_ENV } from '../../../functions/core/env-names';
import { LOCAL_KMS_CREDENTIALS, startLocalKms, type LocalKms } from '../../../local/kms-server';
import { uniqueName } from '../../support/staged-worker';
import { sharedTemporal, stopSharedTemporal } from '../../support/temporal';

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2>;

const API_KEY = 'prepare-test-api-key-0123456789';
const utf8 = new TextDecoder();
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await sharedTemporal();
}, 120_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  await stopSharedTemporal();
});

/** local-kms, counting the data keys it generates (it logs each one). */
async function countingKms(port?: number) {
  const counted = { dataKeys: 0 };
  const kms = await startLocalKms({
    ...(port !== undefined ? { port } : {}),
    onOutput: (line) => {
      if (line.includes('Data key generated')) counted.dataKeys += 1;
    },
  });
  return { kms, counted };
}

/** A fresh import of the ingest handler (a new execution environment) against `kms`. */
async function coldHandler(kms: LocalKms): Promise<Handler> {
  vi.stubEnv(TEMPORAL_ENV.address, env.address);
  vi.stubEnv(GATEWAY_ENV.auth, 'api-key');
  vi.stubEnv(GATEWAY_ENV.apiKeys, API_KEY);
  vi.stubEnv(PAYLOAD_ENV.kmsKeyId, kms.keyId);
  vi.stubEnv(PAYLOAD_ENV.kmsEndpoint, kms.endpoint);
  vi.stubEnv('AWS_REGION', kms.region);
  vi.stubEnv('AWS_ACCESS_KEY_ID', LOCAL_KMS_CREDENTIALS.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', LOCAL_KMS_CREDENTIALS.secretAccessKey);
  vi.resetModules();
  const { handler } = (await import('../../../functions/handlers/http')) as unknown as { handler: Handler };
  return handler;
}

/** An HTTP API (payload v2) event, as API Gateway hands it to the function. */
function httpEvent(method: 'GET' | 'POST', path: string, body?: unknown): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', 'x-api-key': API_KEY, host: 'gateway.test' },
    requestContext: {
      accountId: '000000000000',
      apiId: 'test',
      domainName: 'gateway.test',
      domainPrefix: 'gateway',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: uniqueName('request'),
      routeKey: '$default',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    isBase64Encoded: false,
  };
}

const context = { awsRequestId: 'test', functionName: 'ingest' } as Context;
const signal = (handler: Handler, workflowId: string) =>
  handler(
    httpEvent('POST', `/v1/workflows/${workflowId}/signals/advanceStage`, { stage: 1 }),
    context,
  ) as Promise<{ statusCode: number; headers?: Record<string, string>; body: string }>;

describe('the ingest Lambda prepares its data key on the first POST (local-kms, Temporal dev server)', () => {
  it('makes no KMS call at init or for a GET; one from the first POST on, whose key the signals use', async () => {
    const { kms, counted } = await countingKms();
    try {
      const handler = await coldHandler(kms);
      const health = (await handler(httpEvent('GET', '/healthz'), context)) as { statusCode: number };
      expect(health.statusCode).toBe(200);
      expect(counted.dataKeys).toBe(0);

      // The fetch starts as the first POST arrives, before it is checked: a refused one starts it too.
      const unauthenticated = httpEvent(
        'POST',
        `/v1/workflows/${uniqueName('staged-prepare')}/signals/advanceStage`,
        {
          stage: 1,
        },
      );
      delete unauthenticated.headers['x-api-key'];
      expect(((await handler(unauthenticated, context)) as { statusCode: number }).statusCode).toBe(401);
      await expect.poll(() => counted.dataKeys).toBe(1);

      const first = uniqueName('staged-prepare');
      const delivered = await signal(handler, first);
      expect(delivered.statusCode).toBe(202);
      expect(JSON.parse(delivered.body)).toMatchObject({ status: 'delivered' });
      expect((await signal(handler, uniqueName('staged-prepare'))).statusCode).toBe(202);
      expect(counted.dataKeys).toBe(1);

      const history = await env.client.workflow.getHandle(first).fetchHistory();
      const signaled = history.events?.find((event) => event.workflowExecutionSignaledEventAttributes);
      const payload = signaled?.workflowExecutionSignaledEventAttributes?.input?.payloads?.[0];
      expect(utf8.decode(payload?.metadata?.encoding ?? new Uint8Array())).toBe('binary/encrypted');
    } finally {
      await kms.stop();
    }
  });

  it('with KMS down answers the first signal 503 as before; once KMS is back delivers the next', async () => {
    const down = await countingKms();
    const handler = await coldHandler(down.kms);
    await down.kms.stop();
    const id = uniqueName('staged-prepare-down');
    const refused = await signal(handler, id);
    expect(refused.statusCode).toBe(503);
    expect(refused.headers?.['retry-after']).toBeDefined();
    expect((JSON.parse(refused.body) as { detail: string }).detail).toContain('payload codec');
    await expect(env.client.workflow.getHandle(id).describe()).rejects.toThrow(/not found/i);

    // The same emulator again on the same port (its seeded key is the same): the failed fetch left
    // nothing behind, so the next signal asks KMS afresh and is delivered.
    const back = await countingKms(down.kms.port);
    try {
      const delivered = await signal(handler, id);
      expect(delivered.statusCode).toBe(202);
      expect(back.counted.dataKeys).toBe(1);
    } finally {
      await back.kms.stop();
    }
  });
});
