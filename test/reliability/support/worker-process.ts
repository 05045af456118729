/**
 * The worker as ECS runs it — its own process (`node --import tsx worker/main.ts`) — so a fault can
 * SIGKILL it mid-task. Workflows are prebundled once per test file (WORKER_WORKFLOW_BUNDLE), which
 * keeps each restart to a few seconds instead of a webpack run per start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DefaultLogger, bundleWorkflowCode } from '@temporalio/worker';
import { TEMPORAL_ENV, WORKER_ENV } from '../../../contract';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const MAX_OUTPUT_CHARS = 20_000;

/** Writes the workflow bundle the worker processes load (with the dedupe interceptor); returns its path. */
export async function writeWorkflowBundle(dir: string): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: join(repoRoot, 'worker', 'workflows', 'index.ts'),
    workflowInterceptorModules: [join(repoRoot, 'worker', 'interceptors', 'dedupe.ts')],
    logger: new DefaultLogger('WARN'),
  });
  const path = join(dir, 'workflow-bundle.js');
  await writeFile(path, code);
  return path;
}

export interface WorkerProcessOptions {
  temporalAddress: string;
  taskQueue: string;
  workflowBundlePath: string;
}

export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The last lines it printed, for failure messages. */
  output(): string;
  /** Resolves once the worker's first poll is out (it logs `worker polling task queue=<q>`). */
  polling(timeoutMs?: number): Promise<void>;
  kill(signal: NodeJS.Signals): Promise<void>;
}

export function startWorkerProcess(options: WorkerProcessOptions): WorkerProcess {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    [TEMPORAL_ENV.address]: options.temporalAddress,
    [TEMPORAL_ENV.namespace]: 'default',
    [TEMPORAL_ENV.taskQueue]: options.taskQueue,
    [WORKER_ENV.workflowBundlePath]: options.workflowBundlePath,
    [WORKER_ENV.shutdownGraceMs]: '2000',
    // A developer's Temporal profile must not redirect the worker.
    TEMPORAL_CONFIG_FILE: join(tmpdir(), 'no-such-temporal.toml'),
  };
  delete env.NODE_OPTIONS;
  delete env.VITEST;
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'worker', 'main.ts')], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-MAX_OUTPUT_CHARS);
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const pattern = new RegExp(`worker polling task queue=${options.taskQueue}\\b`);
  return {
    child,
    exit,
    output: () => output,
    polling: (timeoutMs = 120_000) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!pattern.test(output)) return;
          cleanup();
          resolve();
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`the worker did not poll within ${timeoutMs} ms; output:\n${output}`));
        }, timeoutMs);
        const onExit = () => {
          cleanup();
          reject(new Error(`the worker exited before polling; output:\n${output}`));
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
    async kill(signal) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await exit;
    },
  };
}
