/** Read-only calls: describe a workflow, run a query, check that Temporal answers. */
import type { google } from '@temporalio/proto';
import { workflowStatusName } from './temporal-enums';
import { ok, type Result } from '../core/result';
import type { TemporalClientProvider } from './temporal-connection';
import { classifyCall, deadlineIn } from './temporal-calls';

export interface WorkflowDescription {
  workflowId: string;
  runId: string;
  workflowType: string;
  /** `RUNNING`, `COMPLETED`, `FAILED`, `CANCELED`, `TERMINATED`, `CONTINUED_AS_NEW`, `TIMED_OUT`. */
  status: string;
  startTime: string | null;
  closeTime: string | null;
  taskQueue: string | null;
  historyLength: number;
}

export interface Reader {
  describe(workflowId: string): Promise<Result<WorkflowDescription>>;
  /** Runs a query with its arguments as the workflow's handler receives them (none, one, several). */
  query(workflowId: string, query: string, args?: unknown[]): Promise<Result<unknown>>;
  /** Resolves when Temporal answers for the namespace within the deadline. */
  health(): Promise<Result<{ namespace: string }>>;
}

function isoTime(ts: google.protobuf.ITimestamp | null | undefined): string | null {
  if (!ts?.seconds) return null;
  return new Date(Number(ts.seconds) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6)).toISOString();
}

export function createReader(clients: TemporalClientProvider, deadlineMs: number): Reader {
  async function run<T>(workflowId: string | undefined, call: () => Promise<T>): Promise<Result<T>> {
    try {
      return ok(await call());
    } catch (error) {
      return { ok: false, ...classifyCall(error, workflowId) };
    }
  }

  return {
    describe: (workflowId) =>
      run(workflowId, async () => {
        const client = await clients.get();
        const { workflowExecutionInfo: info } = await client.workflowService.describeWorkflowExecution(
          { namespace: clients.namespace, execution: { workflowId } },
          deadlineIn(deadlineMs),
        );
        return {
          workflowId,
          runId: info?.execution?.runId ?? '',
          workflowType: info?.type?.name ?? '',
          status: workflowStatusName(info?.status),
          startTime: isoTime(info?.startTime),
          closeTime: isoTime(info?.closeTime),
          taskQueue: info?.taskQueue ?? null,
          historyLength: Number(info?.historyLength ?? 0),
        };
      }),
    query: (workflowId, query, args = []) =>
      run(workflowId, async () => {
        const { dataConverter } = clients;
        const queryArgs = await dataConverter.toPayloads(args, workflowId);
        const client = await clients.get();
        const response = await client.workflowService.queryWorkflow(
          { namespace: clients.namespace, execution: { workflowId }, query: { queryType: query, queryArgs } },
          deadlineIn(deadlineMs),
        );
        return dataConverter.fromPayloads(response.queryResult, workflowId);
      }),
    health: () =>
      run(undefined, async () => {
        const client = await clients.get();
        await client.workflowService.describeNamespace(
          { namespace: clients.namespace },
          deadlineIn(deadlineMs),
        );
        return { namespace: clients.namespace };
      }),
  };
}
