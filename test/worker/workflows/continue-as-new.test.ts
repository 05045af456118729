/**
 * The continue-as-new helper under a continuous stream of signals, on a real dev server whose
 * per-run signal limit is low (`history.maximumSignalsPerExecution`), so one test meets it often:
 * the staged workflow keeps continuing as new while senders keep signalling, carries its state and
 * its applied event ids, and applies every distinct event exactly once. Under a stream faster than
 * a workflow task, Temporal refuses each close that has new signals waiting, so a run may still fill
 * up: its refusals are what the gateway queues, and the close then goes through.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advanceStageSignal, progressQuery, stagedWorkflow } from '../../../worker/workflows/staged-workflow';
import { startLimitedTemporal } from '../../reliability/support/hot-temporal';
import { uniqueId, waitForProgress, withStagedWorker, workflowBundleCode } from '../helpers';

const SIGNALS_PER_RUN = 40;
const DISTINCT_EVENTS = 240;
const SENDERS = 8;

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  [env] = await Promise.all([startLimitedTemporal({ signalsPerRun: SIGNALS_PER_RUN }), workflowBundleCode()]);
}, 120_000);

afterAll(async () => {
  await env?.teardown();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('continuing as new under a stream of signals', () => {
  it('keeps continuing as new while signals keep arriving, and applies each distinct event once', async () => {
    await withStagedWorker(env, {}, async (worker) => {
      const workflowId = uniqueId('hot');
      // History bound 20 events and every 15 applied events: well below the limit of 40 signals a run.
      const handle = await env.client.workflow.start(stagedWorkflow, {
        taskQueue: worker.taskQueue,
        workflowId,
        args: [{ continueAsNewEvery: 15, maxRunHistoryEvents: 20 }],
      });
      const firstRunId = handle.firstExecutionRunId;
      await waitForProgress(handle, (p) => p.activitiesCompleted === 1);

      // Each event twice (a redelivery), the copies spread over the stream. A signal Temporal
      // refuses (the run is full, or closing) goes back on the list, as the gateway's queue would.
      const pending = Array.from({ length: DISTINCT_EVENTS * 2 }, (_, i) => `event-${i % DISTINCT_EVENTS}`);
      const sender = async () => {
        for (let eventId = pending.shift(); eventId !== undefined; eventId = pending.shift()) {
          try {
            await env.client.workflow.getHandle(workflowId).signal(advanceStageSignal, { stage: 0, eventId });
          } catch {
            pending.push(eventId);
            await sleep(50);
          }
        }
      };
      await Promise.all(Array.from({ length: SENDERS }, sender));

      const progress = await waitForProgress(handle, (p) => p.eventsApplied >= DISTINCT_EVENTS, 60_000);
      // Wait a moment for any late duplicate, then check nothing was applied twice.
      await sleep(500);
      expect(await env.client.workflow.getHandle(workflowId).query(progressQuery)).toMatchObject({
        eventsApplied: DISTINCT_EVENTS,
        activitiesCompleted: 1,
      });
      expect(progress.eventsApplied).toBe(DISTINCT_EVENTS);
      const description = await env.client.workflow.getHandle(workflowId).describe();
      expect(description.status.name).toBe('RUNNING');
      // 480 signals cannot fit in runs of 40: the workflow continued as new, many times.
      expect(description.runId).not.toBe(firstRunId);
    });
  }, 180_000);
});
