/** A real worker for stagedWorkflow on a unique task queue, inside the test process. */
import { fileURLToPath } from 'node:url';
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

let counter = 0;
/** A fresh task queue / workflow-ID suffix per test, so tests never see each other's workflows. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

/**
 * How many times the workflow's history recorded the signal, once no workflow task is in flight:
 * Temporal buffers signals that arrive during a workflow task and writes them when it completes.
 */
export async function countSignals(
  env: TestWorkflowEnvironment,
  workflowId: string,
  signal?: string,
): Promise<number> {
  const handle = env.client.workflow.getHandle(workflowId);
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const { raw } = await handle.describe();
    if (!raw.pendingWorkflowTask) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const history = await handle.fetchHistory();
  return (history.events ?? []).filter(
    (event) =>
      event.workflowExecutionSignaledEventAttributes &&
      (signal === undefined || event.workflowExecutionSignaledEventAttributes.signalName === signal),
  ).length;
}
