/**
 * Issue 30's done-when for `event-gateway events`, against real components: the gateway (in-process
 * on a Node server, recording into a directory event log), the Temporal dev server and ElasticMQ.
 * `events show --json` answers for a delivered, a duplicate, an ignored, a queued and a dead-lettered
 * Stripe event — status, each route's workflow and run, whether the run's history holds the event,
 * the trace id, the queue it is on — and `events replay --since` after a simulated outage (the
 * workflow did not exist yet) re-delivers what was dead-lettered and skips what was applied.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_LOG_ENV } from '../../contract/env-names';
import { silentLogger } from '../../functions/adapters/logger';
import { GATEWAY_ENV } from '../../functions/core/env-names';
import { startGatewayServer, type GatewayServer } from '../../local/gateway-server';
import { freePort } from '../support/free-port';
import { startSqsStack, type SqsStack } from '../support/sqs-stack';
import { countSignals, uniqueName } from '../support/staged-worker';
import { sharedTemporal, stopSharedTemporal } from '../support/temporal';
import { eventLogGatewayEnv, NO_WORKER_QUEUE, sendStripe } from './events-fixture';
import { cli } from './support';

let env: TestWorkflowEnvironment;
let stack: SqsStack;
let logDir: string;
let gateway: GatewayServer;
/** The same gateway while Temporal is unreachable: what it takes is queued. */
let outage: GatewayServer;

/** The fixture's gateway, with the gateway queue and DLQ (ElasticMQ). */
const gatewayEnv = (temporalAddress: string) =>
  eventLogGatewayEnv(temporalAddress, logDir, {
    SQS_ENDPOINT: stack.sqs.endpoint,
    GATEWAY_QUEUE_URL: stack.queues.events.url,
    GATEWAY_DLQ_URL: stack.queues.eventsDlq.url,
    [GATEWAY_ENV.envelopeKey]: 'events-cli-envelope-key',
  });

const cliEnv = () => ({
  TEMPORAL_ADDRESS: env.address,
  SQS_ENDPOINT: stack.sqs.endpoint,
  [EVENT_LOG_ENV.directory]: logDir,
});

beforeAll(async () => {
  [env, stack, logDir] = await Promise.all([
    sharedTemporal(),
    startSqsStack(),
    mkdtemp(join(tmpdir(), 'events-cli-')),
  ]);
  const unreachable = `127.0.0.1:${await freePort()}`; // nothing listens there
  [gateway, outage] = await Promise.all([
    startGatewayServer({ logger: silentLogger, env: gatewayEnv(env.address) }),
    startGatewayServer({ logger: silentLogger, env: gatewayEnv(unreachable) }),
  ]);
}, 300_000);

afterAll(async () => {
  await Promise.all([gateway?.close(), outage?.close()]);
  await stack?.stop();
  await stopSharedTemporal();
  if (logDir) await rm(logDir, { recursive: true, force: true });
});

/** A Stripe event about `key` sent to a gateway (the fixture's note.added by default). */
const send = (to: GatewayServer, key: string, type?: string, id?: string) =>
  sendStripe(to.url, key, { ...(type ? { type } : {}), ...(id ? { id } : {}) });

const startNotes = (workflowId: string) =>
  env.client.workflow.start('notesWorkflow', { workflowId, taskQueue: NO_WORKER_QUEUE });

async function show(eventId: string) {
  const run = await cli(['events', 'show', eventId, '--json'], cliEnv());
  expect(run.stderr).toEqual([]);
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout.join('\n')) as {
    status: string;
    traceId: string | null;
    routes: { workflowId?: string; runId: string | null; inHistory: boolean | null; status: string }[];
    queue: { checked: boolean; queue: string | null };
  };
}

describe('event-gateway events show --json', () => {
  const keys = {
    delivered: uniqueName('d'),
    duplicate: uniqueName('u'),
    dead: uniqueName('x'),
    queued: uniqueName('q'),
  };
  const sent: Record<string, Awaited<ReturnType<typeof send>>> = {};
  const runs: Record<string, string> = {};

  beforeAll(async () => {
    runs.delivered = (await startNotes(`note-${keys.delivered}`)).firstExecutionRunId;
    runs.queued = (await startNotes(`note-${keys.queued}`)).firstExecutionRunId;
    sent.delivered = await send(gateway, keys.delivered);
    // A start applied, its run closed, the provider sends the event again: already started.
    const first = await send(gateway, keys.duplicate, 'account.opened');
    sent.duplicateFirst = first;
    const opened = env.client.workflow.getHandle(`open-${keys.duplicate}`);
    runs.duplicate = (await opened.describe()).runId;
    await opened.terminate('closed before the provider retried');
    sent.duplicate = await send(gateway, keys.duplicate, 'account.opened', first.id);
    sent.ignored = await send(gateway, 'none', 'customer.created');
    sent.dead = await send(gateway, keys.dead); // no such workflow, and its route never starts one
    sent.queued = await send(outage, keys.queued);
    expect(Object.fromEntries(Object.entries(sent).map(([k, v]) => [k, v.answer.status]))).toEqual({
      delivered: 'delivered',
      duplicateFirst: 'delivered',
      duplicate: 'delivered',
      ignored: 'ignored',
      dead: 'dead-lettered',
      queued: 'queued',
    });
  }, 120_000);

  it('a delivered event: its run, in that run’s history, its trace', async () => {
    const shown = await show(sent.delivered!.eventId);
    expect(shown.status).toBe('delivered');
    expect(shown.traceId).toBe(sent.delivered!.traceId);
    expect(shown.routes).toEqual([
      expect.objectContaining({
        workflowId: `note-${keys.delivered}`,
        runId: runs.delivered,
        inHistory: true,
        status: 'delivered',
      }),
    ]);
    expect(shown.queue.checked).toBe(false);
  });

  it('a duplicate: the run it started holds it', async () => {
    const shown = await show(sent.duplicate!.eventId);
    expect(shown.status).toBe('duplicate');
    // The event's trace is its first delivery's (the one that applied it).
    expect(shown.traceId).toBe(sent.duplicateFirst!.traceId);
    expect(shown.routes).toEqual([
      expect.objectContaining({
        workflowId: `open-${keys.duplicate}`,
        runId: runs.duplicate,
        inHistory: true,
        status: 'duplicate',
      }),
    ]);
  });

  it('an ignored event: no route', async () => {
    const shown = await show(sent.ignored!.eventId);
    expect(shown.status).toBe('ignored');
    expect(shown.routes).toEqual([]);
    expect(shown.traceId).toBe(sent.ignored!.traceId);
  });

  it('a queued event: on the gateway queue, not yet in the run’s history', async () => {
    const shown = await show(sent.queued!.eventId);
    expect(shown.status).toBe('queued');
    expect(shown.queue).toEqual({ checked: true, queue: 'event-gateway-events' });
    expect(shown.routes).toEqual([
      expect.objectContaining({
        workflowId: `note-${keys.queued}`,
        runId: runs.queued,
        inHistory: false,
        status: 'queued',
      }),
    ]);
    expect(shown.traceId).toBe(sent.queued!.traceId);
  });

  it('a dead-lettered event: in the DLQ, its workflow not found', async () => {
    const shown = await show(sent.dead!.eventId);
    expect(shown.status).toBe('dead-lettered');
    expect(shown.queue).toEqual({ checked: true, queue: 'event-gateway-events-dlq' });
    expect(shown.routes).toEqual([
      expect.objectContaining({
        workflowId: `note-${keys.dead}`,
        runId: null,
        inHistory: false,
        status: 'dead-lettered',
      }),
    ]);
  });

  it('finds a webhook by its provider id, and lists the range by status', async () => {
    const byProvider = await cli(
      ['events', 'show', '--source', 'stripe', '--provider-id', sent.dead!.id, '--json', '--no-check'],
      cliEnv(),
    );
    expect(JSON.parse(byProvider.stdout.join('\n'))).toMatchObject({ eventId: sent.dead!.eventId });
    const listed = await cli(
      ['events', 'list', '--since', '10m', '--status', 'dead-lettered', '--json'],
      cliEnv(),
    );
    expect((JSON.parse(listed.stdout.join('\n')) as { eventId: string }[]).map((e) => e.eventId)).toContain(
      sent.dead!.eventId,
    );
    const missing = await cli(['events', 'show', 'stripe:evt_nothing'], cliEnv());
    expect(missing.code).toBe(1);
  });

  it('replay --since after the outage re-delivers what was dead-lettered and skips what was applied', async () => {
    // The outage ends: the dead-lettered event's workflow exists now.
    const run = await startNotes(`note-${keys.dead}`);
    const replay = await cli(['events', 'replay', '--since', '10m', '--url', gateway.url], cliEnv());
    expect(replay.code).toBe(0);
    expect(replay.stdout).toContain(`${sent.dead!.eventId}: delivered`);
    expect(replay.stdout).toContain(`${sent.delivered!.eventId}: skipped (already delivered)`);
    expect(replay.stdout).toContain(`${sent.duplicate!.eventId}: skipped (already duplicate)`);
    expect(replay.stdout).toContain(`${sent.ignored!.eventId}: skipped (already ignored)`);
    expect(await countSignals(env, `note-${keys.dead}`, 'note')).toBe(1);
    expect(await countSignals(env, `note-${keys.delivered}`, 'note')).toBe(1);

    const shown = await show(sent.dead!.eventId);
    expect(shown.status).toBe('delivered');
    expect(shown.routes).toEqual([
      expect.objectContaining({ runId: run.firstExecutionRunId, inHistory: true, status: 'delivered' }),
    ]);

    // By id, the same event again: the run holds it — a duplicate, nothing applied twice.
    const again = await cli(['events', 'replay', sent.dead!.eventId, '--url', gateway.url], cliEnv());
    expect(again).toMatchObject({ code: 0, stdout: [`${sent.dead!.eventId}: duplicate`] });
    // As new: a new event id, applied again.
    const asNew = await cli(
      ['events', 'replay', sent.dead!.eventId, '--as-new', '--url', gateway.url, '--json'],
      cliEnv(),
    );
    expect(asNew.code).toBe(0);
    expect(JSON.parse(asNew.stdout.join('\n'))).toEqual([
      expect.objectContaining({
        status: 'delivered',
        deliveredAs: expect.stringMatching(/~replay-/) as string,
      }),
    ]);
    expect(await countSignals(env, `note-${keys.dead}`, 'note')).toBe(2);
  });

  it('the replay route reads only the log: a receivedAt that is not a UTC time is refused', async () => {
    const response = await fetch(`${gateway.url}/v1/event-log/replay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ eventId: sent.delivered!.eventId, receivedAt: '../../../../tmp/x' }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { field?: string }).field).toBe('json.receivedAt');
  });

  it('exits 1 for an event not in the log and 2 for bad arguments', async () => {
    const missing = await cli(['events', 'replay', 'stripe:evt_none', '--url', gateway.url], cliEnv());
    expect(missing.code).toBe(1);
    expect(missing.stdout).toEqual(['stripe:evt_none: not-found (not in the event log)']);
    expect((await cli(['events', 'replay'], cliEnv())).code).toBe(2);
    expect((await cli(['events', 'list', '--since', 'yesterday'], cliEnv())).code).toBe(2);
  });
});
