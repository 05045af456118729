/** A real worker for stagedWorkflow on a unique task queue, inside the test process. */
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../worker/activities';

const workflowsPath = fileURLToPath(new URL('../../worker/workflows/index.ts', import.meta.url));

export async function startStagedWorker(env: TestWorkflowEnvironment, taskQueue: string) {
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowsPath,
    activities: createActivities({ logger: { info() {} } }),
  });
  const running = worker.run();
  return {
    worker,
    async stop() {
      worker.shutdown();
      await running;
    },
  };
}

/** temporal.api.enums.v1.PendingWorkflowTaskState.PENDING_WORKFLOW_TASK_STATE_STARTED */
const PENDING_WORKFLOW_TASK_STARTED = 2;

let counter = 0;
/** A fresh task queue / workflow-ID suffix per test, so tests never see each other's workflows. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

/**
 * The signals' first arguments in history order, once no workflow task is in flight: Temporal
 * buffers signals that arrive during a started workflow task and writes them when it completes.
 */
export async function signalPayloads(
  env: { client: Client },
  workflowId: string,
  signal?: string,
): Promise<unknown[]> {
  const handle = env.client.workflow.getHandle(workflowId);
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const { raw } = await handle.describe();
    // Only a task a worker has started holds signals back; a merely scheduled one does not.
    if (Number(raw.pendingWorkflowTask?.state ?? 0) !== PENDING_WORKFLOW_TASK_STARTED) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const history = await handle.fetchHistory();
  return (history.events ?? [])
    .map((event) => event.workflowExecutionSignaledEventAttributes)
    .filter((attributes) => attributes && (signal === undefined || attributes.signalName === signal))
    .map((attributes) => {
      const first = attributes?.input?.payloads?.[0];
      return first ? defaultPayloadConverter.fromPayload(first) : undefined;
    });
}

/** How many times the workflow's history recorded the signal. */
export async function countSignals(
  env: { client: Client },
  workflowId: string,
  signal?: string,
): Promise<number> {
  return (await signalPayloads(env, workflowId, signal)).length;
}
