/**
 * A SIGTERM that arrives while the worker is still being created (connecting, bundling its
 * workflow sources) stops it cleanly: exit 0, no IllegalStateError about a connection a created
 * worker still holds, and it never starts polling.
 */
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEMPORAL_ENV, WORKER_ENV } from '../../contract';
import { sharedTemporal, stopSharedTemporal } from '../support/temporal';
import { uniqueId } from './helpers';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await sharedTemporal();
});

afterAll(async () => {
  await stopSharedTemporal();
});

describe('SIGTERM while the worker is being created', () => {
  it('exits 0 without polling and without a cleanup error', async () => {
    const taskQueue = uniqueId('stop-during-start');
    const childEnv: NodeJS.ProcessEnv = {
      ...process.env,
      [TEMPORAL_ENV.address]: env.address,
      [TEMPORAL_ENV.taskQueue]: taskQueue,
      [WORKER_ENV.shutdownGraceMs]: '2000',
      TEMPORAL_CONFIG_FILE: join(tmpdir(), 'no-such-temporal.toml'),
    };
    delete childEnv.NODE_OPTIONS;
    delete childEnv.VITEST;
    delete childEnv[WORKER_ENV.workflowBundlePath];
    // From sources: Worker.create bundles them (seconds), so the signal lands inside creation.
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'worker', 'main.ts')], {
      cwd: repoRoot,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let signalled = false;
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (!signalled && /worker connecting to/.test(output)) {
        signalled = true;
        child.kill('SIGTERM');
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );

    expect(signalled, output).toBe(true);
    expect(output).toMatch(/worker received SIGTERM/);
    expect(output).not.toMatch(/IllegalStateError|Cannot close connection/);
    expect(output).not.toMatch(/worker polling task queue/);
    expect(exit, output).toEqual({ code: 0, signal: null });
  }, 120_000);
});
