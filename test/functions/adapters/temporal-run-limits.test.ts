/**
 * What Temporal really answers at its per-run limits, through the lean client, on a dev server
 * started with tiny limits (3 signals a run, 1 update in flight): the signaler and the updater
 * classify it as workflow-busy (transient, 503 — never 422), and pacing then holds the workflow's
 * calls back without sending them.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../../../functions/adapters/gateway-config-file';
import { createTemporalClientProvider } from '../../../functions/adapters/temporal-connection';
import { createSignaler } from '../../../functions/adapters/temporal-signaler';
import { createUpdater } from '../../../functions/adapters/temporal-updater';
import { createWorkflowPacing } from '../../../functions/adapters/workflow-pacing';
import { PROBLEMS } from '../../../functions/core/problems';
import { startLimitedTemporal } from '../../reliability/support/hot-temporal';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await startLimitedTemporal({ signalsPerRun: 3, inFlightUpdates: 1 });
}, 120_000);

afterAll(async () => {
  await env?.teardown();
});

const defaultConfig = await loadGatewayConfig({});

function target() {
  const [staged] = defaultConfig.targets;
  if (!staged) throw new Error('no default target');
  return { ...staged, startIfMissing: false };
}

function clients() {
  const address = env.connection.options.address;
  return createTemporalClientProvider({ env: { TEMPORAL_ADDRESS: address } });
}

/** A running workflow no worker serves: signals are recorded, updates wait. */
async function idleWorkflow(prefix: string): Promise<string> {
  const workflowId = `${prefix}-${Date.now().toString(36)}`;
  await env.client.workflow.start('stagedWorkflow', { workflowId, taskQueue: `nobody-${workflowId}` });
  return workflowId;
}

describe("Temporal's per-run limits through the lean client", () => {
  it('a signal past the per-run signal limit is workflow-busy (transient, 503), and the next is held back', async () => {
    const workflowId = await idleWorkflow('signals');
    const pacing = createWorkflowPacing({ initialMs: 60_000 });
    const signaler = createSignaler(clients(), 5_000, pacing);
    const signal = (n: number) =>
      signaler.signal(
        { workflowId, signal: 'advanceStage', payload: { stage: 0 }, eventId: `limit-${n}` },
        target(),
      );
    for (const n of [1, 2, 3]) expect(await signal(n)).toMatchObject({ status: 'delivered' });

    const refused = await signal(4);
    expect(refused).toMatchObject({ status: 'failed', transient: true, problem: { code: 'workflow-busy' } });
    expect(PROBLEMS['workflow-busy'].status).toBe(503);
    expect(pacing.counts).toMatchObject({ sent: 4, refused: 1, held: 0 });

    const held = await signal(5);
    expect(held).toMatchObject({ status: 'failed', transient: true, problem: { code: 'workflow-busy' } });
    expect(pacing.counts).toMatchObject({ sent: 4, held: 1 });
  });

  it('an update past the in-flight update limit is workflow-busy, not 422', async () => {
    const workflowId = await idleWorkflow('updates');
    const updater = createUpdater(clients(), 3_000);
    const update = (n: number) =>
      updater.update(
        { workflowId, update: 'setStage', payload: { stage: 1 }, eventId: `update-${n}` },
        target(),
      );
    // No worker: whichever update comes first is admitted and waits in flight; the other is refused.
    const outcomes = await Promise.all([update(1), update(2)]);
    const codes = outcomes.map((outcome) =>
      outcome.status === 'failed' ? outcome.problem.code : 'completed',
    );
    expect(codes).toContain('workflow-busy');
    expect(outcomes.every((outcome) => outcome.status === 'failed' && outcome.transient)).toBe(true);
  });
});
