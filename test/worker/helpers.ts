/** Shared by the worker tests: one workflow bundle per test process, unique queues, progress polling. */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, bundleWorkflowCode } from '@temporalio/worker';
import { withDedupe } from '../../worker/bundle-workflows';
import type { StagedProgress } from '../../contract';
import type { GatewayWorker } from '../../worker/index';
import { createStagedWorker, type StagedWorkerOptions } from '../../worker/main';
import { progressQuery } from '../../worker/workflows/staged-workflow';

export const workflowsPath = fileURLToPath(new URL('../../worker/workflows/index.ts', import.meta.url));

let bundle: Promise<string> | undefined;

/** Webpack takes about a second per bundle: build once per test file and share the code. */
export function workflowBundleCode(): Promise<string> {
  // With the dedupe interceptor, as runWorker and prebundleWorkflows register it.
  bundle ??= bundleWorkflowCode({
    workflowsPath,
    workflowInterceptorModules: withDedupe(true),
    logger: new DefaultLogger('WARN'),
  }).then(({ code }) => code);
  return bundle;
}

export function uniqueId(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls the `progress` query until `done` holds; returns the last progress seen. */
export async function waitForProgress(
  handle: WorkflowHandle,
  done: (progress: StagedProgress) => boolean,
  timeoutMs = 20_000,
): Promise<StagedProgress> {
  const deadline = Date.now() + timeoutMs;
  let last: StagedProgress | undefined;
  while (Date.now() < deadline) {
    last = await handle.query(progressQuery);
    if (done(last)) return last;
    await sleep(50);
  }
  throw new Error(
    `progress did not reach the expected state in ${timeoutMs} ms; last: ${JSON.stringify(last)}`,
  );
}

/** Runs `fn` with an in-process staged worker on a fresh task queue, then drains it. */
export async function withStagedWorker<T>(
  env: TestWorkflowEnvironment,
  options: Omit<StagedWorkerOptions, 'connection' | 'taskQueue'>,
  fn: (worker: GatewayWorker) => Promise<T>,
): Promise<T> {
  const staged = await createStagedWorker({
    workflowBundle: { code: await workflowBundleCode() },
    ...options,
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue: uniqueId('tq'),
  });
  const running = staged.run();
  try {
    return await fn(staged);
  } finally {
    staged.shutdown();
    await running;
  }
}
