import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STAGED_FAILURE_TYPES, WORKFLOW_TYPES, type StageCommand } from '../../../contract';
import type { StepEvent } from '../../../worker/activities';
import {
  advanceStageSignal,
  progressQuery,
  setStageUpdate,
  stagedWorkflow,
} from '../../../worker/workflows/staged-workflow';
import { sharedTemporal, stopSharedTemporal } from '../../support/temporal';
import { uniqueId, waitForProgress, withStagedWorker, workflowBundleCode } from '../helpers';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  // Start the server and the bundle together: both take a few seconds on a small machine.
  [env] = await Promise.all([sharedTemporal(), workflowBundleCode()]);
});

afterAll(async () => {
  await stopSharedTemporal();
});

function startStaged(taskQueue: string, args: Parameters<typeof stagedWorkflow> = []) {
  return env.client.workflow.start(stagedWorkflow, { taskQueue, workflowId: uniqueId('staged'), args });
}

async function historyEventTypes(workflowId: string): Promise<string[]> {
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).map((event) => String(event.eventType));
}

describe('stagedWorkflow', () => {
  it('runs the first activity, then one more activity each time a signal raises the stage', async () => {
    const steps: StepEvent[] = [];
    await withStagedWorker(
      env,
      { activities: { hooks: { onStep: (event) => void steps.push(event) } } },
      async (w) => {
        const handle = await startStaged(w.taskQueue);

        const afterFirst = await waitForProgress(handle, (p) => p.activitiesCompleted === 1);
        expect(afterFirst).toMatchObject({ stage: 0, activitiesCompleted: 1 });
        expect(afterFirst.waitingFor).toMatch(/advanceStage with stage >= 1/);
        // Nothing moves without a signal.
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(await handle.query(progressQuery)).toMatchObject({ stage: 0, activitiesCompleted: 1 });

        await handle.signal(advanceStageSignal, { stage: 1 });
        expect(await waitForProgress(handle, (p) => p.activitiesCompleted === 2)).toMatchObject({ stage: 1 });

        await handle.signal(advanceStageSignal, { stage: 2 });
        expect(await waitForProgress(handle, (p) => p.activitiesCompleted === 3)).toMatchObject({ stage: 2 });

        await handle.signal(advanceStageSignal, { stage: 3 });
        expect(await handle.result()).toEqual({ activitiesCompleted: 4 });
        expect(await handle.query(progressQuery)).toMatchObject({ stage: 3, activitiesCompleted: 4 });
      },
    );
    expect(steps.map((s) => [s.activity, s.input.step, s.input.stage])).toEqual([
      ['stepOne', 1, 0],
      ['stepTwo', 2, 1],
      ['stepThree', 3, 2],
      ['stepFour', 4, 3],
    ]);
  });

  it('is registered under the contract workflow type', async () => {
    await withStagedWorker(env, {}, async (w) => {
      const handle = await env.client.workflow.start(WORKFLOW_TYPES.staged, {
        taskQueue: w.taskQueue,
        workflowId: uniqueId('staged'),
      });
      await handle.signal(advanceStageSignal, { stage: 3 });
      expect(await handle.result()).toEqual({ activitiesCompleted: 4 });
    });
  });

  it('keeps a signal that arrives while the first activity is still running', async () => {
    let releaseFirst!: () => void;
    const firstBlocked = new Promise<void>((resolve) => (releaseFirst = resolve));
    let firstStarted!: () => void;
    const firstRunning = new Promise<void>((resolve) => (firstStarted = resolve));
    const onStep = async ({ activity }: StepEvent) => {
      if (activity !== 'stepOne') return;
      firstStarted();
      await firstBlocked;
    };
    await withStagedWorker(env, { activities: { hooks: { onStep } } }, async (w) => {
      const handle = await startStaged(w.taskQueue);
      await firstRunning;
      await handle.signal(advanceStageSignal, { stage: 3 });
      expect(await handle.query(progressQuery)).toMatchObject({ stage: 3, activitiesCompleted: 0 });
      releaseFirst();
      expect(await handle.result()).toEqual({ activitiesCompleted: 4 });
    });
  });

  it('keeps a signal delivered together with the start (signal-with-start)', async () => {
    await withStagedWorker(env, {}, async (w) => {
      const handle = await env.client.workflow.signalWithStart(stagedWorkflow, {
        taskQueue: w.taskQueue,
        workflowId: uniqueId('staged'),
        signal: advanceStageSignal,
        signalArgs: [{ stage: 3 }],
      });
      expect(await handle.result()).toEqual({ activitiesCompleted: 4 });
    });
  });

  it('ignores stale, repeated and malformed signals without failing a workflow task, and never lowers the stage', async () => {
    await withStagedWorker(env, {}, async (w) => {
      const handle = await startStaged(w.taskQueue);
      await waitForProgress(handle, (p) => p.activitiesCompleted === 1);
      await handle.signal(advanceStageSignal, { stage: 2 });
      await waitForProgress(handle, (p) => p.activitiesCompleted === 3);

      const junk: unknown[] = [
        { stage: 2 },
        { stage: 1 },
        { stage: 0 },
        { stage: 'three' },
        { stage: 2.5 },
        { stage: 9 },
        { stage: -1 },
        null,
        'stage 3',
        [3],
      ];
      for (const payload of junk) await handle.signal(advanceStageSignal, payload as StageCommand);
      // A query is answered after the signals before it have been applied. The three stale stages
      // are events applied (without effect); the malformed ones are not.
      expect(await handle.query(progressQuery)).toMatchObject({
        stage: 2,
        activitiesCompleted: 3,
        eventsApplied: 4,
      });
      expect((await handle.describe()).status.name).toBe('RUNNING');
      const events = await historyEventTypes(handle.workflowId);
      expect(events.filter((type) => /WORKFLOW_TASK_FAILED/.test(type))).toEqual([]);

      await handle.signal(advanceStageSignal, { stage: 3 });
      expect(await handle.result()).toEqual({ activitiesCompleted: 4 });
    });
  });

  it('applies an event id once, including ids carried in from a previous run', async () => {
    await withStagedWorker(env, {}, async (w) => {
      const handle = await startStaged(w.taskQueue, [{ appliedEventIds: ['evt-before'] }]);
      await waitForProgress(handle, (p) => p.activitiesCompleted === 1);

      await handle.signal(advanceStageSignal, { stage: 3, eventId: 'evt-before' });
      await handle.signal(advanceStageSignal, { stage: 1, eventId: 'evt-1' });
      await waitForProgress(handle, (p) => p.activitiesCompleted === 2);
      await handle.signal(advanceStageSignal, { stage: 3, eventId: 'evt-1' });
      expect(await handle.query(progressQuery)).toMatchObject({
        stage: 1,
        activitiesCompleted: 2,
        eventsApplied: 1,
      });

      await handle.signal(advanceStageSignal, { stage: 3, eventId: 'evt-2' });
      expect(await handle.result()).toEqual({ activitiesCompleted: 4 });
    });
  });

  it('continues-as-new every N events while waiting, keeping its state and not re-running steps', async () => {
    const steps: StepEvent[] = [];
    await withStagedWorker(
      env,
      { activities: { hooks: { onStep: (event) => void steps.push(event) } } },
      async (w) => {
        const handle = await startStaged(w.taskQueue, [{ continueAsNewEvery: 2 }]);
        const { runId: firstRun } = await handle.describe();
        await waitForProgress(handle, (p) => p.activitiesCompleted === 1);
        await handle.signal(advanceStageSignal, { stage: 0 });
        await handle.signal(advanceStageSignal, { stage: 1 });
        await handle.signal(advanceStageSignal, { stage: 1 });
        await handle.signal(advanceStageSignal, { stage: 0 });
        const progress = await waitForProgress(
          handle,
          (p) => p.eventsApplied === 4 && p.activitiesCompleted === 2,
        );
        expect(progress).toMatchObject({ stage: 1, activitiesCompleted: 2 });
        expect((await handle.describe()).runId).not.toBe(firstRun);

        await handle.signal(advanceStageSignal, { stage: 3 });
        expect(await handle.result()).toEqual({ activitiesCompleted: 4 });
      },
    );
    expect(steps.map((s) => s.activity)).toEqual(['stepOne', 'stepTwo', 'stepThree', 'stepFour']);
  });

  describe('setStage update', () => {
    async function rejection(promise: Promise<unknown>): Promise<{ message: string; type?: string }> {
      const error = await promise.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
      const cause = (error as WorkflowUpdateFailedError).cause as { message: string; type?: string };
      return { message: cause.message, type: cause.type };
    }

    it('raises the stage and returns the new progress when accepted', async () => {
      await withStagedWorker(env, {}, async (w) => {
        const handle = await startStaged(w.taskQueue);
        await waitForProgress(handle, (p) => p.activitiesCompleted === 1);
        expect(await handle.executeUpdate(setStageUpdate, { args: [{ stage: 2 }] })).toEqual({
          stage: 2,
          activitiesCompleted: 1,
          eventsApplied: 1,
        });
        await waitForProgress(handle, (p) => p.activitiesCompleted === 3);
        expect(await handle.executeUpdate(setStageUpdate, { args: [{ stage: 3 }] })).toEqual({
          stage: 3,
          activitiesCompleted: 3,
          eventsApplied: 2,
        });
        expect(await handle.result()).toEqual({ activitiesCompleted: 4 });
      });
    });

    it('rejects a stage that is not above the current one, above the final stage or not an integer, leaving the workflow untouched', async () => {
      await withStagedWorker(env, {}, async (w) => {
        const handle = await startStaged(w.taskQueue);
        await waitForProgress(handle, (p) => p.activitiesCompleted === 1);
        await handle.signal(advanceStageSignal, { stage: 1 });
        await waitForProgress(handle, (p) => p.activitiesCompleted === 2);

        const same = await rejection(handle.executeUpdate(setStageUpdate, { args: [{ stage: 1 }] }));
        expect(same.message).toBe('setStage rejected: stage 1 is not above the current stage 1');
        expect(same.type).toBe(STAGED_FAILURE_TYPES.invalidStage);

        const lower = await rejection(handle.executeUpdate(setStageUpdate, { args: [{ stage: 0 }] }));
        expect(lower.message).toBe('setStage rejected: stage 0 is not above the current stage 1');

        const beyond = await rejection(handle.executeUpdate(setStageUpdate, { args: [{ stage: 4 }] }));
        expect(beyond.message).toBe('setStage rejected: stage 4 is above the final stage 3');

        const notInteger = await rejection(
          handle.executeUpdate(setStageUpdate, { args: [{ stage: '2' } as unknown as StageCommand] }),
        );
        expect(notInteger.message).toBe('setStage rejected: stage must be an integer, got "2"');

        expect(await handle.query(progressQuery)).toMatchObject({ stage: 1, activitiesCompleted: 2 });
        // Rejected by the validator: never written to history.
        const events = await historyEventTypes(handle.workflowId);
        expect(events.filter((type) => /UPDATE/.test(type))).toEqual([]);
        expect(events.filter((type) => /WORKFLOW_TASK_FAILED/.test(type))).toEqual([]);

        await handle.signal(advanceStageSignal, { stage: 3 });
        expect(await handle.result()).toEqual({ activitiesCompleted: 4 });
      });
    });
  });
});
