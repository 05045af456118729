/**
 * Callback URLs end to end on the real dev server: the handshake demo workflow mints them through
 * its activity, the real gateway redeems them, and the history shows what was applied.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { WorkflowFailedError } from '@temporalio/client';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCallbackSigningKeys } from '../../../contract/callback-keys';
import {
  HANDSHAKE,
  handshakeOutboxFile,
  type HandshakeOutboxEntry,
  type HandshakeResult,
  type HandshakeStatus,
} from '../../../contract/demo-handshake';
import { silentLogger } from '../../../functions/adapters/logger';
import type { SignalCommand } from '../../../functions/core/commands';
import { startGatewayServer, type GatewayServer } from '../../../local/gateway-server';
import { createActivities } from '../../../worker/activities';
import { createHandshakeActivities } from '../../../worker/activities/handshake';
import { createCallbackActivities } from '../../../worker/callbacks/activities';
import { createCallbackMinter, type CallbackMinter } from '../../../worker/callbacks/minter';
import { createStagedWorker } from '../../../worker/main';
import type { PartnerNotice } from '../../../worker/workflows/handshake-activity-types';
import { freePort } from '../../support/free-port';
import { signalPayloads, uniqueName } from '../../support/staged-worker';
import { sharedTemporal, stopSharedTemporal } from '../../support/temporal';

const workflowsPath = fileURLToPath(new URL('../../../worker/workflows/index.ts', import.meta.url));
const KEYS = `k1:${randomBytes(32).toString('base64url')}`;

let env: TestWorkflowEnvironment;
let gateway: GatewayServer;
let minter: CallbackMinter;
let taskQueue: string;
let stopWorker: () => Promise<void>;
/** Every URL the workflows handed out, by workflow and recipient. */
const notices: PartnerNotice[] = [];

beforeAll(async () => {
  env = await sharedTemporal();
  taskQueue = uniqueName('callbacks');
  gateway = await startGatewayServer({
    logger: silentLogger,
    env: { TEMPORAL_ADDRESS: env.address, TEMPORAL_TASK_QUEUE: taskQueue, CALLBACK_SIGNING_KEYS: KEYS },
  });
  minter = createCallbackMinter({ baseUrl: gateway.url, keys: parseCallbackSigningKeys(KEYS) });
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowsPath,
    activities: {
      ...createActivities({ logger: { info() {} } }),
      ...createCallbackActivities(minter),
      ...createHandshakeActivities({ minter, notify: (notice) => void notices.push(notice) }),
    },
  });
  const running = worker.run();
  stopWorker = async () => {
    worker.shutdown();
    await running;
  };
});

afterAll(async () => {
  await gateway?.close();
  await stopWorker?.();
  await stopSharedTemporal();
});

async function noticeFor(workflowId: string, recipient: PartnerNotice['recipient']): Promise<PartnerNotice> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const notice = notices.find((n) => n.workflowId === workflowId && n.recipient === recipient);
    if (notice) return notice;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no ${recipient} URL for ${workflowId}`);
}

async function startHandshake(input: { skipWarehouse?: boolean } = {}) {
  const workflowId = uniqueName('handshake');
  const handle = await env.client.workflow.start(HANDSHAKE.workflowType, {
    workflowId,
    taskQueue,
    args: [input],
  });
  return { workflowId, handle };
}

const post = (url: string, body?: unknown, contentType = 'application/json') =>
  fetch(url, {
    method: 'POST',
    ...(body === undefined
      ? {}
      : {
          headers: { 'content-type': contentType },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        }),
  });

async function problemOf(response: Response, status: number) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toContain('application/problem+json');
  return (await response.json()) as { type: string; field?: string; detail: string; instance?: string };
}

describe('callback URLs (signal mode)', () => {
  it('a partner POST moves the workflow on; the same POST again is applied once', async () => {
    const { workflowId, handle } = await startHandshake({ skipWarehouse: true });
    const { url } = await noticeFor(workflowId, 'partner');

    // A GET (mail scanners, link previews) shows a page and never acts.
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await page.text()).toContain('<form method="post">');
    expect(await signalPayloads(env, workflowId, HANDSHAKE.acknowledgedSignal)).toEqual([]);

    const first = await post(url, { acknowledged: true, by: 'partner-1' });
    expect(first.status).toBe(202);
    const answer = (await first.json()) as { status: string; workflowId: string; eventId: string };
    expect(answer).toMatchObject({ status: 'delivered', workflowId });
    const result = (await handle.result()) as HandshakeResult;
    expect(result.acknowledgement).toEqual({ acknowledged: true, by: 'partner-1' });

    // The step completed with the workflow: the URL is spent.
    const again = await problemOf(await post(url, { acknowledged: true, by: 'partner-1' }), 410);
    expect(again.type).toContain('callback-spent');
    expect(await signalPayloads(env, workflowId, HANDSHAKE.acknowledgedSignal)).toHaveLength(1);
  });

  it('a second POST while the workflow runs is answered like the first and recorded once', async () => {
    const { workflowId, handle } = await startHandshake();
    const { url } = await noticeFor(workflowId, 'partner');
    const answers = await Promise.all([post(url, {}), post(url, {}), post(url)]);
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202]);
    const ids = new Set(
      await Promise.all(answers.map(async (a) => ((await a.json()) as { eventId: string }).eventId)),
    );
    expect(ids.size).toBe(1);
    await noticeFor(workflowId, 'warehouse');
    expect(await signalPayloads(env, workflowId, HANDSHAKE.acknowledgedSignal)).toHaveLength(1);
    await handle.terminate('test done');
  });

  it('an HTML form post delivers its fields', async () => {
    const { workflowId, handle } = await startHandshake({ skipWarehouse: true });
    const { url } = await noticeFor(workflowId, 'partner');
    const response = await post(url, 'note=looks+good', 'application/x-www-form-urlencoded');
    expect(response.status).toBe(202);
    expect(((await handle.result()) as HandshakeResult).acknowledgement).toEqual({ note: 'looks good' });
  });

  it('refuses a tampered token (401), an expired URL (410) and a body failing its schema (400)', async () => {
    const { workflowId, handle } = await startHandshake();
    const { url } = await noticeFor(workflowId, 'partner');
    const forged = url.replace(
      /\.([A-Za-z0-9_-])([A-Za-z0-9_-]*)$/,
      (_m, c: string, rest: string) => `.${c === 'A' ? 'B' : 'A'}${rest}`,
    );
    const tampered = await problemOf(await post(forged, {}), 401);
    expect(tampered.type).toContain('callback-invalid');
    // The token is a capability: the problem names the route, never the URL that holds it.
    expect(JSON.stringify(tampered)).not.toContain(forged.split('/').pop());

    const expired = await createCallbackMinter({
      baseUrl: gateway.url,
      keys: parseCallbackSigningKeys(KEYS),
      now: () => Date.now() - 3_600_000,
    }).mint({ workflowId, signal: HANDSHAKE.acknowledgedSignal, expiresInSeconds: 60 });
    expect((await problemOf(await post(expired.url, {}), 410)).type).toContain('callback-expired');

    const strict = await minter.mint({
      workflowId,
      signal: HANDSHAKE.acknowledgedSignal,
      schema: {
        type: 'object',
        properties: { trackingNumber: { type: 'string' } },
        required: ['trackingNumber'],
      },
    });
    const invalid = await problemOf(await post(strict.url, { tracking: 1 }), 400);
    expect(invalid.field).toBe('body.trackingNumber');
    expect(
      (await problemOf(await post(strict.url, '{"trackingNumber":', 'application/json'), 400)).type,
    ).toContain('invalid-json');
    expect((await problemOf(await post(strict.url, 'x', 'text/plain'), 415)).field).toBe(
      'header.content-type',
    );
    expect(await signalPayloads(env, workflowId, HANDSHAKE.acknowledgedSignal)).toEqual([]);
    await handle.terminate('test done');
  });

  it('an update callback answers with the workflow’s result', async () => {
    const workflowId = uniqueName('staged');
    const handle = await env.client.workflow.start('stagedWorkflow', { workflowId, taskQueue });
    const { url } = await minter.mint({ workflowId, update: 'setStage' });
    const response = await post(url, { stage: 1 });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'delivered', result: { stage: 1 } });
    await handle.terminate('test done');
  });
});

describe('callback URLs (async activity completion)', () => {
  it('the warehouse POST completes the activity with its body; a second POST is 410', async () => {
    const { workflowId, handle } = await startHandshake();
    await post((await noticeFor(workflowId, 'partner')).url, { ok: true });
    const { url } = await noticeFor(workflowId, 'warehouse');
    const response = await post(url, { trackingNumber: 'TRK-1' });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'completed', workflowId });
    expect(((await handle.result()) as HandshakeResult).warehouseReceipt).toEqual({
      trackingNumber: 'TRK-1',
    });
    expect((await problemOf(await post(url, { trackingNumber: 'TRK-2' }), 410)).type).toContain(
      'callback-spent',
    );
  });

  it('POST …/fail fails the activity with the partner’s reason', async () => {
    const { workflowId, handle } = await startHandshake();
    await post((await noticeFor(workflowId, 'partner')).url, { ok: true });
    const { failUrl } = await noticeFor(workflowId, 'warehouse');
    expect((await problemOf(await post(failUrl!, {}), 400)).field).toBe('body.reason');
    const response = await post(failUrl!, { reason: 'out of stock' });
    expect(response.status).toBe(200);
    const failure: unknown = await handle.result().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const cause = (failure as WorkflowFailedError).cause?.cause as { message?: string; type?: string };
    expect(cause).toMatchObject({ message: 'out of stock', type: 'CallbackFailed' });
  });

  it('…/fail of a signal callback is a 404', async () => {
    const { url } = await minter.mint({ workflowId: 'handshake-x', signal: HANDSHAKE.acknowledgedSignal });
    expect((await problemOf(await post(`${url}/fail`, { reason: 'x' }), 404)).type).toContain(
      'route-not-found',
    );
  });
});

describe('callback URLs when Temporal is down', () => {
  it('queues the signal durably and answers 202 queued, with the token id as the event id', async () => {
    const queued: SignalCommand[] = [];
    const down = await startGatewayServer({
      logger: silentLogger,
      env: {
        TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
        GATEWAY_TEMPORAL_DEADLINE_MS: '1000',
        CALLBACK_SIGNING_KEYS: KEYS,
      },
      fallback: {
        enqueue: (command) => {
          queued.push(command);
          return Promise.resolve();
        },
      },
    });
    try {
      const callback = await createCallbackMinter({
        baseUrl: down.url,
        keys: parseCallbackSigningKeys(KEYS),
      }).mint({
        workflowId: 'handshake-offline',
        signal: HANDSHAKE.acknowledgedSignal,
      });
      const response = await post(callback.url, { ok: true });
      expect(response.status).toBe(202);
      expect(await response.json()).toMatchObject({ status: 'queued', eventId: callback.id });
      expect(queued).toHaveLength(1);
      expect(queued[0]).toMatchObject({
        workflowId: 'handshake-offline',
        signal: HANDSHAKE.acknowledgedSignal,
        payload: { ok: true },
        eventId: callback.id,
        // The queue handler must not start a gone workflow for it (see sqs-fallback-queue.test.ts).
        neverStart: true,
      });
    } finally {
      await down.close();
    }
  });
});

describe('the worker harness with callbacks configured by environment', () => {
  it('registers mintCallbackUrl (and the demo worker its handshake activities) from CALLBACK_* variables', async () => {
    const queue = uniqueName('callbacks-env');
    const outbox = mkdtempSync(join(tmpdir(), 'outbox-'));
    const staged = await createStagedWorker({
      connection: env.nativeConnection,
      taskQueue: queue,
      env: {
        CALLBACK_BASE_URL: `${gateway.url}/`,
        CALLBACK_SIGNING_KEYS: KEYS,
        [HANDSHAKE.outboxEnv]: outbox,
      },
      activities: { logger: { info() {} } },
    });
    const running = staged.run();
    try {
      const workflowId = uniqueName('handshake');
      const handle = await env.client.workflow.start(HANDSHAKE.workflowType, {
        workflowId,
        taskQueue: queue,
        args: [{ skipWarehouse: true }],
      });
      let status: HandshakeStatus | undefined;
      for (let i = 0; i < 300 && !status?.partnerCallbackId; i++) {
        status = await handle.query<HandshakeStatus>(HANDSHAKE.statusQuery);
        if (!status.partnerCallbackId) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      // The URL reached its recipient (the outbox), readable by the owner only; the query answers
      // the callback's id, never the URL or its token.
      const file = handshakeOutboxFile(outbox, workflowId, 'partner');
      const entry = JSON.parse(readFileSync(file, 'utf8')) as HandshakeOutboxEntry;
      expect(statSync(file).mode & 0o077).toBe(0);
      expect(entry.url.startsWith(`${gateway.url}/v1/callbacks/`)).toBe(true);
      expect(status?.partnerCallbackId).toBe(entry.callbackId);
      const token = entry.url.slice(`${gateway.url}/v1/callbacks/`.length);
      expect(JSON.stringify(status)).not.toContain(token);
      expect((await post(entry.url, { via: 'env' })).status).toBe(202);
      expect(((await handle.result()) as HandshakeResult).acknowledgement).toEqual({ via: 'env' });
    } finally {
      staged.shutdown();
      await running;
    }
  });
});
