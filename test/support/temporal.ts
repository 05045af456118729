/**
 * One real Temporal dev server per test process (the SDK's native runtime is per process), started
 * from the CLI that global setup found or built — never downloaded.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Runtime, DefaultLogger } from '@temporalio/worker';
import { ensureTemporalCli } from '../../local/temporal-cli';

let shared: Promise<TestWorkflowEnvironment> | undefined;
let quietRuntime = false;

/** Keeps worker logs out of test output unless something is wrong. */
function installQuietRuntime(): void {
  if (quietRuntime) return;
  quietRuntime = true;
  Runtime.install({ logger: new DefaultLogger('WARN') });
}

export async function startLocalTemporal(options: { dbFilename?: string; port?: number } = {}) {
  installQuietRuntime();
  const path = await ensureTemporalCli();
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path },
      ip: '127.0.0.1',
      ui: false,
      ...(options.dbFilename ? { dbFilename: options.dbFilename } : {}),
      ...(options.port ? { port: options.port } : {}),
      extraArgs: ['--log-level', 'error'],
    },
  });
}

/** The process-wide dev server; call `stopSharedTemporal` in `afterAll`. */
export function sharedTemporal(): Promise<TestWorkflowEnvironment> {
  shared ??= startLocalTemporal();
  return shared;
}

export async function stopSharedTemporal(): Promise<void> {
  const env = shared;
  shared = undefined;
  if (env) await (await env).teardown();
}
