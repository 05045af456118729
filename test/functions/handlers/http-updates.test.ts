import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../functions/adapters/logger';
import { DEFAULT_GATEWAY_CONFIG } from '../../../functions/core/default-config';
import { startGatewayServer, type GatewayServer } from '../../../local/gateway-server';
import { startStagedWorker, uniqueName } from '../../support/staged-worker';
import { sharedTemporal, stopSharedTemporal } from '../../support/temporal';

let env: TestWorkflowEnvironment;
let gateway: GatewayServer;
let strict: GatewayServer;
let worker: Awaited<ReturnType<typeof startStagedWorker>>;
let taskQueue: string;

const staged = DEFAULT_GATEWAY_CONFIG.targets[0];
const STRICT_DEADLINE_MS = 1_500;

beforeAll(async () => {
  env = await sharedTemporal();
  taskQueue = uniqueName('updates');
  worker = await startStagedWorker(env, taskQueue);
  gateway = await startGatewayServer({
    logger: silentLogger,
    env: { TEMPORAL_ADDRESS: env.address, TEMPORAL_TASK_QUEUE: taskQueue },
  });
  // Two targets the default lacks: one that may not start workflows, one whose queue has no worker.
  strict = await startGatewayServer({
    logger: silentLogger,
    env: {
      TEMPORAL_ADDRESS: env.address,
      GATEWAY_TEMPORAL_DEADLINE_MS: String(STRICT_DEADLINE_MS),
      GATEWAY_CONFIG: JSON.stringify({
        targets: [
          {
            ...staged,
            name: 'no-start',
            workflowIdPattern: '^nostart-.+$',
            taskQueue,
            startIfMissing: false,
          },
          { ...staged, name: 'idle', workflowIdPattern: '^idle-.+$', taskQueue: uniqueName('no-worker') },
        ],
      }),
    },
  });

  // Connect before the tests: under load a first connect may take longer than the short deadline,
  // and what the tests are about is the workflow's answer, not the connect.
  for (let attempt = 0; attempt < 10; attempt++) {
    if ((await fetch(`${strict.url}/healthz`)).ok) break;
  }
});

afterAll(async () => {
  await strict?.close();
  await gateway?.close();
  await worker?.stop();
  await stopSharedTemporal();
});

function update(server: GatewayServer, workflowId: string, body: unknown, key?: string) {
  return fetch(`${server.url}/v1/workflows/${workflowId}/updates/setStage`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
    body: JSON.stringify(body),
  });
}

async function problemOf(response: Response, status: number) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toContain('application/problem+json');
  return (await response.json()) as { status: number; detail: string; field?: string; type: string };
}

/** Updates the workflow recorded as accepted, from its history. */
async function acceptedUpdates(workflowId: string): Promise<number> {
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).filter((event) => event.workflowExecutionUpdateAcceptedEventAttributes)
    .length;
}

describe('POST /v1/workflows/{id}/updates/{update} against a real dev server', () => {
  it('starts a missing workflow and answers 200 with the progress the update returns', async () => {
    const id = uniqueName('staged-update');
    const response = await update(gateway, id, { stage: 1 }, 'set-1');
    expect(response.status).toBe(200);
    const body = (await response.json()) as { result: { stage: number; activitiesCompleted: number } };
    expect(body).toMatchObject({
      workflowId: id,
      update: 'setStage',
      eventId: '@http:anonymous:set-1',
      result: { stage: 1 },
    });
    expect(typeof body.result.activitiesCompleted).toBe('number');
    const progress = await fetch(`${gateway.url}/v1/workflows/${id}/queries/progress`);
    expect(((await progress.json()) as { result: { stage: number } }).result.stage).toBeGreaterThanOrEqual(1);
  });

  it('applies an update retried with the same Idempotency-Key once and answers with the recorded result', async () => {
    const id = uniqueName('staged-update-retry');
    const first = await update(gateway, id, { stage: 2 }, 'retry-key');
    const second = await update(gateway, id, { stage: 2 }, 'retry-key');
    expect([first.status, second.status]).toEqual([200, 200]);
    const [a, b] = (await Promise.all([first.json(), second.json()])) as { result: { stage: number } }[];
    expect(b!.result.stage).toBe(a!.result.stage);
    expect(await acceptedUpdates(id)).toBe(1);
  });

  it("answers 422 update-rejected with the workflow's reason when its validator refuses the stage", async () => {
    const id = uniqueName('staged-update-rejected');
    expect((await update(gateway, id, { stage: 2 }, 'up-2')).status).toBe(200);
    const doc = await problemOf(await update(gateway, id, { stage: 1 }, 'down-1'), 422);
    expect(doc.type).toContain('/problems/update-rejected');
    expect(doc.detail).toContain('stage 1 is not above the current stage 2');
    expect(await acceptedUpdates(id)).toBe(1);
  });

  it('refuses a bad argument with 400 and an undeclared update with 403 before reaching Temporal', async () => {
    const id = uniqueName('staged-update-bad');
    expect((await problemOf(await update(gateway, id, { stage: 'two' }), 400)).field).toBe('body.stage');
    const undeclared = await fetch(`${gateway.url}/v1/workflows/${id}/updates/resetEverything`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect((await problemOf(undeclared, 403)).field).toBe('update');
    await problemOf(await fetch(`${gateway.url}/v1/workflows/${id}`), 404);
  });

  it('answers 404 for a workflow that does not exist when its target may not start it', async () => {
    const doc = await problemOf(await update(strict, uniqueName('nostart'), { stage: 1 }), 404);
    expect(doc.field).toBe('workflowId');
  });

  it('answers 504 when no worker answers within the deadline, for updates and queries alike', async () => {
    const id = uniqueName('idle');
    const started = Date.now();
    const doc = await problemOf(await update(strict, id, { stage: 1 }), 504);
    expect(doc.type).toContain('/problems/deadline-exceeded');
    // Bounded by the deadline (with slack for a loaded machine), not by the test timeout.
    expect(Date.now() - started).toBeLessThan(STRICT_DEADLINE_MS + 8_000);
    // Update-with-start did start the workflow; nobody runs it, so a query cannot be answered either.
    const query = await fetch(`${strict.url}/v1/workflows/${id}/queries/progress`);
    expect((await problemOf(query, 504)).type).toContain('/problems/deadline-exceeded');
  });

  it('answers 409 for an update to a workflow that has completed', async () => {
    const id = uniqueName('staged-update-closed');
    for (const stage of [1, 2, 3]) {
      const signal = await fetch(`${gateway.url}/v1/workflows/${id}/signals/advanceStage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ stage }),
      });
      expect(signal.status).toBe(202);
    }
    await env.client.workflow.getHandle(id).result();
    const doc = await problemOf(await update(gateway, id, { stage: 3 }, 'too-late'), 409);
    expect(doc.field).toBe('workflowId');
  });
});
