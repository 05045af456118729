import { Connection, Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  bundleWorkflowCode,
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  type WorkflowBundle,
} from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTimeSkippingTestEnv,
  startTimeSkippingServer,
  type TimeSkippingServer,
} from '../../local/time-skipping-server';
import { portAcceptsConnections } from '../../local/java-process';
import { THREE_WEEKS_MS, type sleepForThreeWeeks } from './fixtures/sleepy-workflow';

const workflowsPath = fileURLToPath(new URL('./fixtures/sleepy-workflow.ts', import.meta.url));
let workflowBundle: WorkflowBundle;

beforeAll(async () => {
  // The worker warns that it polls no activities; this workflow has none on purpose.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  workflowBundle = await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
});

describe('the SDK time-skipping environment backed by the Java test server from Maven Central', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingTestEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('completes a workflow that sleeps three weeks in seconds of wall-clock time', async () => {
    expect(env.supportsTimeSkipping).toBe(true);
    const taskQueue = `sleepy-${randomUUID()}`;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle });
    const started = Date.now();
    const result = await worker.runUntil(
      env.client.workflow.execute<typeof sleepForThreeWeeks>('sleepForThreeWeeks', {
        taskQueue,
        workflowId: `sleepy-${randomUUID()}`,
      }),
    );
    expect(result.sleptMs).toBeGreaterThanOrEqual(THREE_WEEKS_MS);
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});

describe('a bare Java test server started with time skipping enabled', () => {
  let server: TimeSkippingServer;
  beforeAll(async () => {
    server = await startTimeSkippingServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('skips a three-week timer for a plain client that knows nothing of time skipping', async () => {
    const connection = await Connection.connect({ address: server.address });
    const nativeConnection = await NativeConnection.connect({ address: server.address });
    try {
      const client = new Client({ connection });
      const taskQueue = `sleepy-${randomUUID()}`;
      const worker = await Worker.create({ connection: nativeConnection, taskQueue, workflowBundle });
      const started = Date.now();
      const result = await worker.runUntil(
        client.workflow.execute<typeof sleepForThreeWeeks>('sleepForThreeWeeks', {
          taskQueue,
          workflowId: `sleepy-${randomUUID()}`,
        }),
      );
      expect(result.sleptMs).toBeGreaterThanOrEqual(THREE_WEEKS_MS);
      expect(Date.now() - started).toBeLessThan(20_000);
    } finally {
      await connection.close();
      await nativeConnection.close();
    }
  });

  it('frees its port when stopped', async () => {
    const other = await startTimeSkippingServer();
    expect(await portAcceptsConnections(other.port)).toBe(true);
    await other.stop();
    expect(await portAcceptsConnections(other.port)).toBe(false);
  });
});
