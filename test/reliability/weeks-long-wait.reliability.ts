/**
 * Weeks-long waits without waiting weeks: a staged workflow whose three events arrive three weeks
 * apart, sent through the real gateway app to the Java time-skipping test server (Maven Central,
 * started by local/time-skipping-server.ts), with a real worker. Time is skipped by the server
 * (`env.sleep('21 days')`), not shortened in the workflow: the history's own timestamps prove the
 * three-week gaps. The test server does not dedupe by request id, so nothing here is a duplicate
 * test — those stay on the dev server (load-faults).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayRuntime, type GatewayRuntime } from '../../functions/runtime/gateway-runtime';
import { silentLogger } from '../../functions/adapters/logger';
import { GATEWAY_ENV, TEMPORAL_ENV } from '../../functions/core/env-names';
import { createHttpApp, type HttpApp } from '../../functions/handlers/http-app';
import { createTimeSkippingTestEnv } from '../../local/time-skipping-server';
import { FINAL_STAGE, SIGNALS } from '../../contract';
import { progressQuery } from '../../worker/workflows/staged-workflow';
import { startStagedWorker, uniqueName } from '../support/staged-worker';
import { signalTimes } from './support/history';
import { writeSection } from './support/results';

const THREE_WEEKS_MS = 21 * 24 * 60 * 60 * 1000;

let env: TestWorkflowEnvironment;
let worker: Awaited<ReturnType<typeof startStagedWorker>>;
let runtime: GatewayRuntime;
let app: HttpApp;
const taskQueue = uniqueName('weeks');
const figures = { wallClockMs: 0, workflowDays: 0, gapsDays: [] as number[], activitiesCompleted: 0 };

beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  env = await createTimeSkippingTestEnv();
  worker = await startStagedWorker(env, taskQueue);
  runtime = await createGatewayRuntime(
    {
      [TEMPORAL_ENV.address]: env.address,
      [TEMPORAL_ENV.taskQueue]: taskQueue,
      [GATEWAY_ENV.temporalDeadlineMs]: '30000',
    },
    silentLogger,
  );
  app = createHttpApp(runtime);
}, 300_000);

afterAll(async () => {
  await runtime?.clients.close();
  await worker?.stop();
  await env?.teardown();
});

describe('a staged workflow whose events arrive three weeks apart', () => {
  it('completes in seconds of wall-clock time on the time-skipping server, its history spanning nine weeks', async () => {
    const workflowId = uniqueName('staged-weeks');
    const started = Date.now();
    const signal = async (stage: number) => {
      const response = await app.request(`/v1/workflows/${workflowId}/signals/${SIGNALS.advanceStage}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': `${workflowId}-${stage}` },
        body: JSON.stringify({ stage }),
      });
      expect(response.status).toBe(202);
    };

    // Stage 0 starts the workflow (signal-with-start); then three stages, three weeks apart.
    await signal(0);
    const handle = env.client.workflow.getHandle(workflowId);
    /** The progress once the step the last stage allowed has finished (the worker may lag a moment). */
    const progressOnceSettled = async (activities: number) => {
      for (let i = 0; ; i++) {
        const progress = await handle.query(progressQuery);
        if (progress.activitiesCompleted >= activities || i >= 300) return progress;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    for (let stage = 1; stage <= FINAL_STAGE; stage++) {
      await env.sleep(THREE_WEEKS_MS);
      // Still waiting for this stage, as it would be after three real weeks, and answering queries.
      expect(await progressOnceSettled(stage)).toMatchObject({
        activitiesCompleted: stage,
        stage: stage - 1,
      });
      await signal(stage);
    }
    const result = (await handle.result()) as { activitiesCompleted: number };
    figures.wallClockMs = Date.now() - started;
    figures.activitiesCompleted = result.activitiesCompleted;
    expect(result).toEqual({ activitiesCompleted: 4 });

    const times = await signalTimes(env.client, workflowId);
    expect(times).toHaveLength(FINAL_STAGE + 1);
    figures.gapsDays = times.slice(1).map((time, i) => (time.getTime() - times[i]!.getTime()) / 86_400_000);
    figures.workflowDays = (times.at(-1)!.getTime() - times[0]!.getTime()) / 86_400_000;
    for (const gap of figures.gapsDays) expect(gap).toBeGreaterThanOrEqual(21);
  });
});

afterAll(() => {
  writeSection({
    name: 'weeks-long-wait',
    title: 'Weeks-long waits (Java time-skipping test server from Maven Central)',
    summary: [
      `A staged workflow received its stages through the gateway app ${figures.gapsDays.map((d) => d.toFixed(1)).join(', ')} days apart by its own history's clock (${figures.workflowDays.toFixed(1)} days in all) and completed all ${figures.activitiesCompleted} activities in ${(figures.wallClockMs / 1000).toFixed(1)} s of wall-clock time.`,
      'Time was skipped by the test server between events (env.sleep of 21 days); the workflow and its timeouts were not shortened.',
    ],
    figures: {
      wallClockSeconds: Math.round(figures.wallClockMs / 100) / 10,
      workflowDays: Math.round(figures.workflowDays * 10) / 10,
      activitiesCompleted: figures.activitiesCompleted,
    },
    details: { gapsDays: figures.gapsDays },
  });
});
