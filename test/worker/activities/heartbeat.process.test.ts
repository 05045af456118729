/**
 * A long step whose worker dies is retried within its heartbeat timeout, not after its
 * start-to-close timeout (15 minutes for stepThree): the worker process is SIGKILLed while the
 * step runs, a fresh worker takes over, and the history shows the second attempt started after
 * a heartbeat timeout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../../worker/activities';
import { advanceStageSignal, stagedWorkflow } from '../../../worker/workflows/staged-workflow';
import { sharedTemporal, stopSharedTemporal } from '../../support/temporal';
import { uniqueId, waitForProgress, workflowBundleCode } from '../helpers';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const stuckWorker = fileURLToPath(new URL('../fixtures/stuck-step-worker.ts', import.meta.url));

let env: TestWorkflowEnvironment;
let dir: string;
let bundlePath: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  let code: string;
  [env, code, dir] = await Promise.all([
    sharedTemporal(),
    workflowBundleCode(),
    mkdtemp(join(tmpdir(), 'heartbeat-')),
  ]);
  bundlePath = join(dir, 'workflow-bundle.js');
  await writeFile(bundlePath, code);
});

afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
  await stopSharedTemporal();
});

function startStuckWorker(taskQueue: string) {
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    WORKER_WORKFLOW_BUNDLE: bundlePath,
  };
  delete childEnv.NODE_OPTIONS;
  delete childEnv.VITEST;
  const child = spawn(process.execPath, ['--import', 'tsx', stuckWorker], {
    cwd: repoRoot,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  const stuck = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('stuck in stepThree')) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code, signal) =>
      reject(new Error(`stuck worker exited (${code ?? signal}) before stepThree; output:\n${output}`)),
    );
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, stuck, exited };
}

describe('a heartbeating step whose worker is SIGKILLed', () => {
  it('is retried on another worker after the heartbeat timeout', async () => {
    const taskQueue = uniqueId('heartbeat');
    const stuck = startStuckWorker(taskQueue);
    const handle = await env.client.workflow.start(stagedWorkflow, {
      taskQueue,
      workflowId: uniqueId('staged'),
    });
    await handle.signal(advanceStageSignal, { stage: 2 });
    await stuck.stuck;
    stuck.child.kill('SIGKILL');
    await stuck.exited;

    const worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      workflowBundle: { codePath: bundlePath },
      activities: createActivities({ logger: { info() {} } }),
    });
    const running = worker.run();
    try {
      // Far below stepThree's 15-minute start-to-close timeout: only the heartbeat timeout gets here.
      await waitForProgress(handle, (p) => p.activitiesCompleted === 3, 150_000);
    } finally {
      worker.shutdown();
      await running;
    }

    const history = await handle.fetchHistory();
    const started = (history.events ?? []).flatMap((event) => {
      const attributes = event.activityTaskStartedEventAttributes;
      return attributes ? [attributes] : [];
    });
    const stepThree = started[2];
    expect(stepThree?.attempt).toBe(2);
    expect(stepThree?.lastFailure?.timeoutFailureInfo?.timeoutType).toBe(
      temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_HEARTBEAT,
    );
  }, 240_000);
});
