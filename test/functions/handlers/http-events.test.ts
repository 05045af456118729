import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../functions/adapters/logger';
import { DEFAULT_GATEWAY_CONFIG } from '../../../functions/core/default-config';
import { startGatewayServer, type GatewayServer } from '../../../local/gateway-server';
import { countSignals, signalPayloads, startStagedWorker, uniqueName } from '../../support/staged-worker';
import { sharedTemporal, stopSharedTemporal } from '../../support/temporal';

let env: TestWorkflowEnvironment;
let gateway: GatewayServer;
let fanOut: GatewayServer;
let worker: Awaited<ReturnType<typeof startStagedWorker>>;

const STAGE_ADVANCED = 'com.example.stage.advanced';

beforeAll(async () => {
  env = await sharedTemporal();
  const taskQueue = uniqueName('events');
  worker = await startStagedWorker(env, taskQueue);
  gateway = await startGatewayServer({
    logger: silentLogger,
    env: { TEMPORAL_ADDRESS: env.address, TEMPORAL_TASK_QUEUE: taskQueue },
  });
  const staged = { ...DEFAULT_GATEWAY_CONFIG.targets[0], taskQueue };
  fanOut = await startGatewayServer({
    logger: silentLogger,
    env: {
      TEMPORAL_ADDRESS: env.address,
      GATEWAY_CONFIG: JSON.stringify({
        targets: [
          staged,
          { ...staged, name: 'existing-only', workflowIdPattern: '^strict-.+$', startIfMissing: false },
        ],
        routes: [
          {
            name: 'advance',
            match: { type: 'com.example.order.paid' },
            workflowId: 'staged-{data.key}',
            signal: 'advanceStage',
            payload: { stage: 'data.stage' },
          },
          {
            name: 'advance-existing',
            match: { typePrefix: 'com.example.order.' },
            workflowId: 'strict-{data.key}',
            signal: 'advanceStage',
            payload: { stage: 'data.stage' },
          },
          {
            name: 'set-stage',
            match: { type: 'com.example.order.paid', source: '/billing' },
            workflowId: 'staged-{data.key}-mirror',
            update: 'setStage',
            payload: { stage: 'data.stage' },
          },
        ],
      }),
    },
  });
});

afterAll(async () => {
  await fanOut?.close();
  await gateway?.close();
  await worker?.stop();
  await stopSharedTemporal();
});

interface Accepted {
  status: string;
  eventId: string;
  deliveries: { route: string; workflowId: string; status: string; problem?: { status: number } }[];
}

function structured(server: GatewayServer, event: Record<string, unknown>) {
  return fetch(`${server.url}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' },
    body: JSON.stringify({ specversion: '1.0', source: '/tests', type: STAGE_ADVANCED, ...event }),
  });
}

function binary(server: GatewayServer, headers: Record<string, string>, data: unknown) {
  return fetch(`${server.url}/v1/events`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-source': '/tests',
      'ce-type': STAGE_ADVANCED,
      ...headers,
    },
    body: JSON.stringify(data),
  });
}

async function problemOf(response: Response, status: number, field?: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toContain('application/problem+json');
  const doc = (await response.json()) as { type: string; detail: string; field?: string };
  if (field) expect(doc.field).toBe(field);
  return doc;
}

describe('POST /v1/events routes CloudEvents to workflows through a real dev server', () => {
  it('delivers a structured-mode event as the signal its route names, building the workflow ID from data', async () => {
    const key = uniqueName('order');
    const response = await structured(gateway, {
      id: `${key}-1`,
      data: { workflowKey: key, stage: 1, extra: 'x' },
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({
      status: 'delivered',
      eventId: `@cloudevent:anonymous:${key}-1`,
      deliveries: [
        { route: 'stage-advanced', workflowId: `staged-${key}`, signal: 'advanceStage', status: 'delivered' },
      ],
    });
    expect(await signalPayloads(env, `staged-${key}`, 'advanceStage')).toEqual([{ stage: 1 }]);
  });

  it('delivers a binary-mode event whose attributes are ce-* headers', async () => {
    const key = uniqueName('order');
    const response = await binary(gateway, { 'ce-id': `${key}-b` }, { workflowKey: key, stage: 2 });
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({
      status: 'delivered',
      eventId: `@cloudevent:anonymous:${key}-b`,
    });
    expect(await signalPayloads(env, `staged-${key}`, 'advanceStage')).toEqual([{ stage: 2 }]);
  });

  it('records one CloudEvent id posted three times, in either mode, as exactly one signal', async () => {
    const key = uniqueName('order');
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      statuses.push(
        (await structured(gateway, { id: 'same-id', data: { workflowKey: key, stage: 1 } })).status,
      );
    }
    statuses.push((await binary(gateway, { 'ce-id': 'same-id' }, { workflowKey: key, stage: 1 })).status);
    expect(statuses).toEqual([202, 202, 202, 202]);
    expect(await countSignals(env, `staged-${key}`, 'advanceStage')).toBe(1);
  });

  it('answers 422 when no route matches and when the correlation field is missing', async () => {
    const noRoute = await problemOf(
      await structured(gateway, { id: 'n-1', type: 'com.example.unknown' }),
      422,
      'type',
    );
    expect(noRoute.type).toContain('/problems/no-matching-route');
    const missing = await problemOf(
      await structured(gateway, { id: 'n-2', data: { stage: 1 } }),
      422,
      'data.workflowKey',
    );
    expect(missing.type).toContain('/problems/event-field-missing');
    await problemOf(await binary(gateway, { 'ce-id': 'n-3' }, { workflowKey: 'k' }), 422, 'data.stage');
  });

  it('refuses what is not a valid CloudEvent with 4xx naming the attribute or header', async () => {
    await problemOf(await structured(gateway, { data: { workflowKey: 'k', stage: 1 } }), 400, 'id');
    await problemOf(await structured(gateway, { id: 'x', specversion: '0.3' }), 400, 'specversion');
    await problemOf(
      await binary(gateway, { 'ce-id': 'x', 'ce-type': '' }, { workflowKey: 'k', stage: 1 }),
      400,
      'header.ce-type',
    );
    await problemOf(
      await binary(gateway, { 'ce-id': 'has space' }, { workflowKey: 'k', stage: 1 }),
      400,
      'header.ce-id',
    );
    const plain = await fetch(`${gateway.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"stage":1}',
    });
    await problemOf(plain, 415, 'header.content-type');
    const broken = await fetch(`${gateway.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json' },
      body: '{"specversion":',
    });
    await problemOf(broken, 400, 'body');
    await problemOf(
      await structured(gateway, { id: 'bad-stage', data: { workflowKey: 'k', stage: 'two' } }),
      400,
      'data.stage',
    );
  });

  it('fans one event out to every matching route and reports a partial delivery per route', async () => {
    const key = uniqueName('fan');
    const response = await structured(fanOut, {
      id: `${key}-paid`,
      type: 'com.example.order.paid',
      source: '/billing',
      data: { key, stage: 1 },
    });
    expect(response.status).toBe(202);
    const body = (await response.json()) as Accepted;
    expect(body.status).toBe('partial');
    expect(body.deliveries).toEqual([
      { route: 'advance', workflowId: `staged-${key}`, signal: 'advanceStage', status: 'delivered' },
      expect.objectContaining({
        route: 'advance-existing',
        workflowId: `strict-${key}`,
        status: 'failed',
        problem: expect.objectContaining({ status: 404, field: 'workflowId' }) as object,
      }),
      {
        route: 'set-stage',
        workflowId: `staged-${key}-mirror`,
        update: 'setStage',
        status: 'delivered',
        result: expect.objectContaining({ stage: 1 }) as object,
      },
    ]);
    expect(await countSignals(env, `staged-${key}`, 'advanceStage')).toBe(1);
  });

  it('answers with the failure itself when every delivery of an event fails permanently', async () => {
    const key = uniqueName('fan');
    const response = await structured(fanOut, {
      id: `${key}-x`,
      type: 'com.example.order.shipped',
      data: { key, stage: 1 },
    });
    await problemOf(response, 404, 'workflowId');
  });
});
