/**
 * Self-hosted Temporal Server v1.32 (SQLite) with TLS on its frontend and client certificates
 * required: the built worker and the gateway connect with the TEMPORAL_TLS_* variables exactly as
 * a deployment sets them, and a signal, an update and a query go through. A client certificate
 * from another CA, or none, fails fast with an error, never a hang.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEMPORAL_ENV } from '../../contract';
import { createGatewayRuntime, type GatewayRuntime } from '../../functions/runtime/gateway-runtime';
import { silentLogger } from '../../functions/adapters/logger';
import { createHttpApp } from '../../functions/handlers/http-app';
import { waitFor, type Child } from '../../local/child-process';
import { ensureTemporalServer, startTemporalServer } from '../../local/temporal-server';
import { buildWorker } from '../../scripts/build';
import { freePort } from '../support/free-port';
import { uniqueName } from '../support/staged-worker';
import { makeTestPki, type Pem, type TestPki } from './certificates';

const dir = mkdtempSync(join(tmpdir(), 'self-hosted-mtls-'));
const taskQueue = uniqueName('mtls');
let pki: TestPki;
let server: Child & { address: string };
let worker: ChildProcess | undefined;
let workerOutput = '';
const runtimes: GatewayRuntime[] = [];

/** The Temporal connection variables as the stacks set them for mTLS to a private CA. */
function deployedEnv(client: Pem | undefined): Record<string, string> {
  return {
    [TEMPORAL_ENV.address]: server.address,
    [TEMPORAL_ENV.namespace]: 'default',
    [TEMPORAL_ENV.taskQueue]: taskQueue,
    [TEMPORAL_ENV.tls]: 'true',
    [TEMPORAL_ENV.tlsServerCaCertData]: pki.ca,
    ...(client
      ? { [TEMPORAL_ENV.tlsClientCertData]: client.cert, [TEMPORAL_ENV.tlsClientKeyData]: client.key }
      : {}),
    TEMPORAL_CONFIG_FILE: join(dir, 'no-such-temporal.toml'),
    GATEWAY_TEMPORAL_DEADLINE_MS: '5000',
  };
}

const adminConnection = () =>
  Connection.connect({
    address: server.address,
    tls: {
      serverRootCACertificate: Buffer.from(pki.ca),
      clientCertPair: { crt: Buffer.from(pki.client.cert), key: Buffer.from(pki.client.key) },
    },
    connectTimeout: 5_000,
  });

beforeAll(async () => {
  const [binary, built] = await Promise.all([ensureTemporalServer(), buildWorker({ log: () => {} })]);
  pki = await makeTestPki(dir);
  const ports: number[] = [];
  while (ports.length < 10) {
    const port = await freePort();
    if (!ports.includes(port)) ports.push(port);
  }
  server = await startTemporalServer({
    dir,
    ports,
    binary,
    tls: {
      certFile: pki.server.certFile,
      keyFile: pki.server.keyFile,
      caFile: pki.caFile,
      requireClientAuth: true,
      internalClient: { certFile: pki.server.certFile, keyFile: pki.server.keyFile },
      serverName: 'localhost',
    },
  });
  // The server has no namespace until one is registered; it answers once its frontend is up.
  await waitFor(
    'the self-hosted frontend to register namespace default',
    async () => {
      const connection = await adminConnection();
      try {
        await connection.workflowService.registerNamespace({
          namespace: 'default',
          workflowExecutionRetentionPeriod: msToTs('1 day'),
        });
      } catch (error) {
        if (!/already|exists/i.test(String(error))) throw error;
      } finally {
        await connection.close();
      }
      return true;
    },
    120_000,
  );
  const env = { ...process.env, ...deployedEnv(pki.client) };
  delete env.NODE_OPTIONS;
  worker = spawn(process.execPath, [built.mainPath], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  worker.stdout?.on('data', (chunk: Buffer) => (workerOutput += chunk.toString()));
  worker.stderr?.on('data', (chunk: Buffer) => (workerOutput += chunk.toString()));
  // An update waits for a worker; the first one would otherwise race the worker's start.
  await waitFor(
    'the worker to poll over mTLS',
    () => Promise.resolve(/worker polling/.test(workerOutput)),
    120_000,
  );
}, 600_000);

afterAll(async () => {
  await Promise.all(runtimes.map((runtime) => runtime.clients.close()));
  if (worker && worker.exitCode === null) {
    const exited = new Promise((resolve) => worker?.once('exit', resolve));
    worker.kill('SIGTERM');
    await exited;
  }
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function gateway(client: Pem | undefined) {
  const runtime = await createGatewayRuntime(deployedEnv(client), silentLogger);
  runtimes.push(runtime);
  return createHttpApp(runtime);
}

const post = (path: string, body: unknown, key: string) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', 'idempotency-key': key },
  body: JSON.stringify(body),
});

describe('self-hosted Temporal Server with mTLS', () => {
  it('takes a signal, an update and a query from the gateway, run by the worker over mTLS', async () => {
    const app = await gateway(pki.client);
    const id = uniqueName('staged-mtls');
    const signal = await app.request(
      `/v1/workflows/${id}/signals/advanceStage`,
      post('', { stage: 1 }, `${id}-1`),
    );
    expect(signal.status).toBe(202);
    expect(await signal.json()).toMatchObject({ status: 'delivered' });
    const update = await app.request(
      `/v1/workflows/${id}/updates/setStage`,
      post('', { stage: 2 }, `${id}-2`),
    );
    expect({ status: update.status, body: await update.json() }).toMatchObject({
      status: 200,
      body: { result: { stage: 2 } },
    });
    const query = await app.request(`/v1/workflows/${id}/queries/progress`);
    expect(query.status).toBe(200);
    expect(await query.json()).toMatchObject({ result: expect.anything() as unknown });
    expect(workerOutput).not.toMatch(/TransportError|certificate/i);
  });

  it.each([
    ['a client certificate from another CA', () => pki.strangerClient],
    ['no client certificate', () => undefined],
  ])('refuses %s: the gateway answers 503 within its deadline, never hangs', async (_what, client) => {
    const app = await gateway(client());
    // A hang would run into the test timeout; the connect deadline (5 s) ends the attempt first.
    const response = await app.request('/healthz');
    expect(response.status).toBe(503);
    const body = (await response.json()) as { detail: string };
    expect(body.detail.length).toBeGreaterThan(0);
  });
});
