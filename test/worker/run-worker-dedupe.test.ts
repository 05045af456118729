/**
 * The harness registers the dedupe interceptor by default and lets a worker opt out: the same
 * event id delivered twice past Temporal's request-id dedupe is applied once, or twice without it.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { defaultPayloadConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEMPORAL_HEADERS } from '../../contract/temporal-headers';
import { bundleHasDedupe, DEDUPE_BUNDLE_MARKER } from '../../worker/dedupe-module';
import { DUPLICATE_EVENTS_METRIC } from '../../worker/interceptors/dedupe';
import { createWorker } from '../../worker/run-worker';
import { counterQuery } from './fixtures/counter-workflow';
import { sharedTemporal, stopSharedTemporal } from '../support/temporal';
import { uniqueId, workflowBundleCode } from './helpers';

const counterSources = fileURLToPath(new URL('./fixtures/counter-workflow.ts', import.meta.url));
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await sharedTemporal();
});

afterAll(async () => {
  await stopSharedTemporal();
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function totalAfterDuplicate(dedupe: boolean | undefined): Promise<number> {
  const worker = await createWorker({
    workflowsPath: counterSources,
    connection: env.nativeConnection,
    taskQueue: uniqueId('harness-dedupe'),
    ...(dedupe === undefined ? {} : { dedupe }),
  });
  const running = worker.run();
  try {
    const workflowId = uniqueId('counter');
    const handle = await env.client.workflow.start('counterWorkflow', {
      taskQueue: worker.taskQueue,
      workflowId,
      args: [{ everyN: 100 }],
    });
    const send = (eventId: string, amount: number) =>
      env.client.workflowService.signalWorkflowExecution({
        namespace: 'default',
        workflowExecution: { workflowId },
        signalName: 'add',
        input: { payloads: [defaultPayloadConverter.toPayload({ amount })] },
        header: { fields: { [TEMPORAL_HEADERS.eventId]: defaultPayloadConverter.toPayload(eventId) } },
        requestId: randomUUID(),
        identity: 'harness-test',
      });
    await send('same', 1);
    await send('same', 1);
    await send('end', 100);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const { total } = await handle.query(counterQuery);
      if (total >= 100) return total;
      await sleep(100);
    }
    throw new Error('the counter never saw the last event');
  } finally {
    worker.shutdown();
    await running;
  }
}

describe('the harness and the dedupe interceptor', () => {
  it('registers it by default', async () => {
    expect(await totalAfterDuplicate(undefined)).toBe(101);
  });

  it('leaves it out with dedupe: false', async () => {
    expect(await totalAfterDuplicate(false)).toBe(102);
  });

  it('recognises a prebundle that contains it', async () => {
    expect(DEDUPE_BUNDLE_MARKER).toBe(DUPLICATE_EVENTS_METRIC);
    expect(bundleHasDedupe({ code: await workflowBundleCode() })).toBe(true);
    expect(bundleHasDedupe({ code: 'export const workflows = {};' })).toBe(false);
  });
});
