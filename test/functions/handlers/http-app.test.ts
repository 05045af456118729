import { request } from 'node:http';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../functions/adapters/logger';
import { startGatewayServer, type GatewayServer } from '../../../local/gateway-server';
import { sharedTemporal, stopSharedTemporal } from '../../support/temporal';
import { countSignals, startStagedWorker, uniqueName } from '../../support/staged-worker';

let env: TestWorkflowEnvironment;
let gateway: GatewayServer;
let worker: Awaited<ReturnType<typeof startStagedWorker>>;

beforeAll(async () => {
  env = await sharedTemporal();
  const taskQueue = uniqueName('http');
  worker = await startStagedWorker(env, taskQueue);
  gateway = await startGatewayServer({
    logger: silentLogger,
    env: { TEMPORAL_ADDRESS: env.address, TEMPORAL_TASK_QUEUE: taskQueue },
  });
});

afterAll(async () => {
  await gateway?.close();
  await worker?.stop();
  await stopSharedTemporal();
});

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** One request on its own connection (node:http), for responses that close the socket. */
function rawRequest(method: string, path: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${gateway.url}${path}`,
      { method, agent: false, headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function expectProblem(response: Response, status: number, field?: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toContain('application/problem+json');
  const doc = (await response.json()) as Record<string, unknown>;
  expect(doc).toMatchObject({ status, type: expect.stringContaining('/problems/') as string });
  expect(typeof doc.title).toBe('string');
  expect(typeof doc.detail).toBe('string');
  if (field) expect(doc.field).toBe(field);
  return doc;
}

async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('HTTP API v1 against a real Temporal dev server', () => {
  it('drives a staged workflow through every stage and reports it completed', async () => {
    const id = uniqueName('staged-flow');
    for (const stage of [1, 2, 3]) {
      const response = await post(`/v1/workflows/${id}/signals/advanceStage`, { stage });
      expect(response.status).toBe(202);
      expect(await response.json()).toMatchObject({
        status: 'delivered',
        workflowId: id,
        signal: 'advanceStage',
      });
    }
    const described = await eventually(
      async () => (await (await fetch(`${gateway.url}/v1/workflows/${id}`)).json()) as { status: string },
      (d) => d.status === 'COMPLETED',
    );
    expect(described).toMatchObject({ workflowId: id, workflowType: 'stagedWorkflow', status: 'COMPLETED' });
    const { startTime, closeTime } = described as unknown as { startTime: string; closeTime: string };
    expect(new Date(closeTime).getTime()).toBeGreaterThanOrEqual(new Date(startTime).getTime());
    expect(Date.now() - new Date(startTime).getTime()).toBeLessThan(60_000);
    const query = await fetch(`${gateway.url}/v1/workflows/${id}/queries/progress`);
    expect(query.status).toBe(200);
    expect(await query.json()).toMatchObject({ result: { stage: 3, activitiesCompleted: 4 } });
  });

  it('records one Idempotency-Key posted three times as exactly one signal', async () => {
    const id = uniqueName('staged-dedupe');
    const responses = [];
    for (let i = 0; i < 3; i++) {
      responses.push(
        await post(`/v1/workflows/${id}/signals/advanceStage`, { stage: 1 }, { 'Idempotency-Key': 'evt-1' }),
      );
    }
    for (const response of responses) {
      expect(response.status).toBe(202);
      expect(await response.json()).toMatchObject({ eventId: '@http:anonymous:evt-1' });
    }
    expect(await countSignals(env, id, 'advanceStage')).toBe(1);
  });

  it('records different keys as different signals', async () => {
    const id = uniqueName('staged-keys');
    const first = await post(
      `/v1/workflows/${id}/signals/advanceStage`,
      { stage: 1 },
      { 'Idempotency-Key': 'a' },
    );
    const second = await post(
      `/v1/workflows/${id}/signals/advanceStage`,
      { stage: 2 },
      { 'Idempotency-Key': 'b' },
    );
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(await countSignals(env, id, 'advanceStage')).toBe(2);
  });

  it('answers a running workflow describe with its run, type, status and start time', async () => {
    const id = uniqueName('staged-describe');
    await post(`/v1/workflows/${id}/signals/advanceStage`, { stage: 1 });
    const response = await fetch(`${gateway.url}/v1/workflows/${id}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ workflowId: id, workflowType: 'stagedWorkflow' });
    expect(body.runId).toMatch(/^[0-9a-f-]{36}$/);
    // One stage of four signalled: the workflow waits for the next, so it can only be running.
    expect(body.status).toBe('RUNNING');
    expect(new Date(body.startTime as string).toISOString()).toBe(body.startTime);
    expect(body.closeTime).toBeNull();
  });

  describe('bad input gets a 4xx problem document and never reaches Temporal', () => {
    const id = () => uniqueName('staged-bad');

    it('400 for malformed JSON', async () => {
      const workflowId = id();
      await expectProblem(
        await post(`/v1/workflows/${workflowId}/signals/advanceStage`, '{"stage":'),
        400,
        'body',
      );
      const missing = await fetch(`${gateway.url}/v1/workflows/${workflowId}`);
      await expectProblem(missing, 404);
    });

    it('400 naming body.stage for a non-numeric stage', async () => {
      await expectProblem(
        await post(`/v1/workflows/${id()}/signals/advanceStage`, { stage: 'two' }),
        400,
        'body.stage',
      );
    });

    it('400 for invalid UTF-8', async () => {
      const response = await fetch(`${gateway.url}/v1/workflows/${id()}/signals/advanceStage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
      });
      await expectProblem(response, 400, 'body');
    });

    it('400 for an Idempotency-Key with spaces', async () => {
      await expectProblem(
        await post(`/v1/workflows/${id()}/signals/advanceStage`, { stage: 1 }, { 'Idempotency-Key': 'a b' }),
        400,
        'header.idempotency-key',
      );
    });

    it('413 for a body over 256 KiB', async () => {
      const big = JSON.stringify({ stage: 1, pad: 'x'.repeat(300 * 1024) });
      // A fresh connection: the server answers before reading the whole body and then closes it.
      const response = await rawRequest('POST', `/v1/workflows/${id()}/signals/advanceStage`, big);
      expect(response.status).toBe(413);
      expect(JSON.parse(response.body)).toMatchObject({ status: 413, field: 'body' });
    });

    it('415 for a non-JSON content type', async () => {
      const response = await post(`/v1/workflows/${id()}/signals/advanceStage`, 'stage=1', {
        'content-type': 'application/x-www-form-urlencoded',
      });
      await expectProblem(response, 415, 'header.content-type');
    });

    it('403 for a workflow ID no target declares', async () => {
      await expectProblem(
        await post('/v1/workflows/payments-1/signals/advanceStage', { stage: 1 }),
        403,
        'workflowId',
      );
      await expectProblem(await fetch(`${gateway.url}/v1/workflows/payments-1`), 403, 'workflowId');
    });

    it('403 for a signal or query the target does not declare', async () => {
      await expectProblem(await post(`/v1/workflows/${id()}/signals/terminate`, {}), 403, 'signal');
      await expectProblem(
        await fetch(`${gateway.url}/v1/workflows/${id()}/queries/__stack_trace`),
        403,
        'query',
      );
    });

    it('404 for describe and query of a workflow that does not exist', async () => {
      await expectProblem(await fetch(`${gateway.url}/v1/workflows/staged-never-started`), 404, 'workflowId');
      await expectProblem(
        await fetch(`${gateway.url}/v1/workflows/staged-never-started/queries/progress`),
        404,
      );
    });

    it('400 for control characters in a workflow ID', async () => {
      await expectProblem(await post('/v1/workflows/staged-%0Aevil/signals/advanceStage', { stage: 1 }), 400);
    });

    it('404 problem for an unknown endpoint', async () => {
      await expectProblem(await fetch(`${gateway.url}/v2/nothing`), 404);
    });
  });

  it('answers readiness and serves an OpenAPI 3.1 document', async () => {
    const health = await fetch(`${gateway.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    const doc = (await (await fetch(`${gateway.url}/openapi.json`)).json()) as {
      openapi: string;
      paths: object;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain('/v1/workflows/{workflowId}/signals/{signal}');
  });
});

describe('when Temporal is unreachable', () => {
  it('answers 503 with Retry-After for signals and readiness', async () => {
    const down = await startGatewayServer({
      logger: silentLogger,
      env: { TEMPORAL_ADDRESS: '127.0.0.1:1', GATEWAY_TEMPORAL_DEADLINE_MS: '500' },
    });
    try {
      const response = await fetch(`${down.url}/v1/workflows/staged-down/signals/advanceStage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"stage":1}',
      });
      await expectProblem(response, 503);
      expect(response.headers.get('retry-after')).toBe('5');
      await expectProblem(await fetch(`${down.url}/healthz`), 503);
    } finally {
      await down.close();
    }
  });
});
