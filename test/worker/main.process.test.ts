/**
 * The worker as the container runs it: the production build (scripts/build.ts) started as a real
 * child process against the test dev server, killed and restarted like ECS would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TEMPORAL_ENV, WORKER_ENV } from '../../contract';
import { buildWorker, type BuildWorkerResult } from '../../scripts/build';
import { createActivities } from '../../worker/activities';
import { FORCE_EXIT_MARGIN_MS } from '../../worker/run-worker';
import { advanceStageSignal, stagedWorkflow } from '../../worker/workflows/staged-workflow';
import { sharedTemporal, stopSharedTemporal } from '../support/temporal';
import { uniqueId, waitForProgress } from './helpers';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
// Inside the repo so the built main.js resolves its external packages from node_modules.
const outDir = join(repoRoot, 'dist', `.test-build-${randomUUID()}`);
const GRACE_MS = 2_000;

let env: TestWorkflowEnvironment;
let build: BuildWorkerResult;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  [env, build] = await Promise.all([sharedTemporal(), buildWorker({ outDir, log: () => {} })]);
});

afterEach(() => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
});

afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
  await stopSharedTemporal();
});

interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startWorkerProcess(taskQueue: string): WorkerProcess {
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    [TEMPORAL_ENV.address]: env.address,
    [TEMPORAL_ENV.namespace]: env.namespace ?? 'default',
    [TEMPORAL_ENV.taskQueue]: taskQueue,
    [WORKER_ENV.shutdownGraceMs]: String(GRACE_MS),
    TEMPORAL_CONFIG_FILE: join(tmpdir(), 'no-such-temporal.toml'),
  };
  delete childEnv.NODE_OPTIONS;
  delete childEnv[WORKER_ENV.workflowBundlePath];
  const child = spawn(process.execPath, [build.mainPath], {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  const listeners = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    output: () => output,
    exit,
    waitForOutput: (pattern, timeoutMs = 20_000) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!pattern.test(output)) return;
          cleanup();
          resolve();
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(`worker process did not log ${pattern} within ${timeoutMs} ms; output:\n${output}`),
          );
        }, timeoutMs);
        const onExit = () => {
          cleanup();
          reject(new Error(`worker process exited before logging ${pattern}; output:\n${output}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
          child.off('exit', onExit);
        };
        listeners.add(check);
        child.once('exit', onExit);
        check();
      }),
  };
}

function polling(taskQueue: string): RegExp {
  return new RegExp(`worker polling task queue=${taskQueue}\\b`);
}

describe('the worker build', () => {
  it('bundles main.js with packages left external and a workflow bundle that a worker can load', async () => {
    const main = await readFile(build.mainPath, 'utf8');
    expect(main).toMatch(/from "@temporalio\/worker"/);
    expect(main).not.toMatch(/webpack/);

    const taskQueue = uniqueId('tq');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: { codePath: build.workflowBundlePath },
      activities: createActivities({ logger: { info() {} } }),
    });
    const result = await worker.runUntil(async () => {
      const handle = await env.client.workflow.signalWithStart(stagedWorkflow, {
        taskQueue,
        workflowId: uniqueId('staged'),
        signal: advanceStageSignal,
        signalArgs: [{ stage: 3 }],
      });
      return handle.result();
    });
    expect(result).toEqual({ activitiesCompleted: 4 });
  });
});

describe('the worker process', () => {
  it('logs that it is polling, using the prebundled workflows', async () => {
    const taskQueue = uniqueId('tq');
    const worker = startWorkerProcess(taskQueue);
    await worker.waitForOutput(polling(taskQueue));
    expect(worker.output()).toContain(`worker using prebundled workflows ${build.workflowBundlePath}`);
    expect(worker.output()).toMatch(/msSinceProcessStart: \d+/);
    worker.child.kill('SIGTERM');
    expect(await worker.exit).toEqual({ code: 0, signal: null });
  });

  it('drains and exits 0 on SIGTERM before its own deadline (grace + margin), a waiting workflow notwithstanding', async () => {
    const taskQueue = uniqueId('tq');
    const worker = startWorkerProcess(taskQueue);
    await worker.waitForOutput(polling(taskQueue));
    // A workflow waiting for a signal must not hold the shutdown open.
    const handle = await env.client.workflow.start(stagedWorkflow, {
      taskQueue,
      workflowId: uniqueId('staged'),
    });
    await waitForProgress(handle, (p) => p.activitiesCompleted === 1);

    const sent = Date.now();
    worker.child.kill('SIGTERM');
    expect(await worker.exit).toEqual({ code: 0, signal: null });
    // The product's bound: past grace + FORCE_EXIT_MARGIN_MS the worker gives up and exits 1 (and ECS
    // kills it soon after). Exit 0 with no give-up line is the drain finishing inside it; the time is
    // checked against that same bound, not the bare grace, which a busy machine can overrun.
    expect(worker.output()).not.toMatch(/worker did not stop within/);
    expect(Date.now() - sent).toBeLessThan(GRACE_MS + FORCE_EXIT_MARGIN_MS);
    expect(worker.output()).toMatch(/worker received SIGTERM: draining for up to 2000 ms/);
    expect(worker.output()).toMatch(new RegExp(`worker stopped task queue=${taskQueue}`));
  });

  it('lets a waiting workflow finish on a new worker process after the first one is killed', async () => {
    const taskQueue = uniqueId('tq');
    const first = startWorkerProcess(taskQueue);
    await first.waitForOutput(polling(taskQueue));
    const handle = await env.client.workflow.start(stagedWorkflow, {
      taskQueue,
      workflowId: uniqueId('staged'),
    });
    await waitForProgress(handle, (p) => p.activitiesCompleted === 1);
    await handle.signal(advanceStageSignal, { stage: 1 });
    await waitForProgress(handle, (p) => p.activitiesCompleted === 2);

    first.child.kill('SIGKILL');
    expect(await first.exit).toEqual({ code: null, signal: 'SIGKILL' });

    const second = startWorkerProcess(taskQueue);
    await second.waitForOutput(polling(taskQueue));
    await handle.signal(advanceStageSignal, { stage: 2 });
    await handle.signal(advanceStageSignal, { stage: 3 });
    expect(await handle.result()).toEqual({ activitiesCompleted: 4 });

    second.child.kill('SIGTERM');
    expect(await second.exit).toEqual({ code: 0, signal: null });
  });
});
