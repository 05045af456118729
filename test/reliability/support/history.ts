/**
 * Reads what Temporal recorded: the `seq` of every signal in a workflow's history. It waits until no
 * workflow task is running first, because Temporal writes signals that arrive during a running
 * workflow task only when that task completes.
 */
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { setTimeout as sleep } from 'node:timers/promises';

/** temporal.api.enums.v1.PendingWorkflowTaskState.PENDING_WORKFLOW_TASK_STATE_STARTED */
const WORKFLOW_TASK_STARTED = 2;

export async function recordedSignals(
  client: Client,
  workflowId: string,
  signal: string,
  field: string,
): Promise<unknown[]> {
  return (await recordedRun(client, workflowId, undefined, signal, field)).values;
}

/**
 * The signals of a workflow's whole lineage: the current run and, through each run's
 * `continuedExecutionRunId`, the runs it continued-as-new from. A run a reset replaced is not in
 * the lineage (the reset run holds copies of what it kept), so nothing is counted twice by the
 * reading itself.
 */
export async function recordedSignalsAcrossRuns(
  client: Client,
  workflowId: string,
  signal: string,
  field: string,
): Promise<{ values: unknown[]; runs: number }> {
  const values: unknown[] = [];
  let runs = 0;
  let runId: string | undefined;
  do {
    const run = await recordedRun(client, workflowId, runId, signal, field);
    values.unshift(...run.values);
    runs += 1;
    runId = run.continuedFrom;
  } while (runId);
  return { values, runs };
}

async function recordedRun(
  client: Client,
  workflowId: string,
  runId: string | undefined,
  signal: string,
  field: string,
): Promise<{ values: unknown[]; continuedFrom?: string }> {
  const handle = client.workflow.getHandle(workflowId, runId);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const { raw } = await handle.describe();
    if (Number(raw.pendingWorkflowTask?.state ?? 0) !== WORKFLOW_TASK_STARTED) break;
    await sleep(100);
  }
  const history = await handle.fetchHistory();
  const values: unknown[] = [];
  let continuedFrom: string | undefined;
  for (const event of history.events ?? []) {
    const started = event.workflowExecutionStartedEventAttributes;
    if (started?.continuedExecutionRunId) continuedFrom = started.continuedExecutionRunId;
    const attributes = event.workflowExecutionSignaledEventAttributes;
    if (!attributes || attributes.signalName !== signal) continue;
    const first = attributes.input?.payloads?.[0];
    const payload = first ? defaultPayloadConverter.fromPayload<Record<string, unknown> | null>(first) : null;
    values.push(payload?.[field]);
  }
  return continuedFrom ? { values, continuedFrom } : { values };
}

/** Signal timestamps in history order, for checks on (skipped) time between events. */
export async function signalTimes(client: Client, workflowId: string): Promise<Date[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? [])
    .filter((event) => event.workflowExecutionSignaledEventAttributes)
    .map((event) => {
      const time = event.eventTime;
      const seconds = Number(time?.seconds ?? 0);
      return new Date(seconds * 1000 + Math.floor(Number(time?.nanos ?? 0) / 1e6));
    });
}
