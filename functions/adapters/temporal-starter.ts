/**
 * Starts a workflow from an event, idempotent by the event: the start's `requestId` derives from
 * the event id, so Temporal answers a retried start with the run the first one created (running or
 * closed since) instead of starting another; the event id also travels in the start's header, so
 * the run's history says which event started it. What a start finds running, started by another
 * event, is the target's conflict policy: fail (409), use the existing run, or terminate it.
 *
 * Temporal answers "started" alike for the first start of an event and for its retry (the request
 * id dedupe, measured on server 1.29), so a start whose run began before the call was sent — by
 * more than {@link CLOCK_TOLERANCE_MS} — is reported as started earlier by the same event.
 */
import { wireArguments, type StartCommand } from '../core/commands';
import { GRPC_STATUS, grpcCode } from '../core/error-classification';
import type { StartConflictPolicy, Target } from '../core/gateway-config';
import type { StartOutcome } from '../core/outcomes';
import { problem } from '../core/problems';
import { deliveryRequestId } from '../core/request-id';
import { eventHeader } from './event-header';
import { deadlineIn, identity, toPayloads } from './temporal-calls';
import type { TemporalClientProvider } from './temporal-connection';
import { WorkflowExecutionStatus, WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from './temporal-enums';
import { classifyTemporalCall } from './temporal-status-details';

export interface Starter {
  start(command: StartCommand, target: Target): Promise<StartOutcome>;
}

/** The operation name a start's request id derives from (a signal or update can never be named so). */
export const START_OPERATION = '@start';

/** Clock difference allowed between the gateway and Temporal when telling a new start from a retry. */
export const CLOCK_TOLERANCE_MS = 2_000;

const CONFLICT_POLICIES: Record<StartConflictPolicy, number> = {
  fail: WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
  'use-existing': WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
  'terminate-existing': WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING,
};

export function createStarter(clients: TemporalClientProvider, deadlineMs: number): Starter {
  /** When the run began (ms since the epoch, Temporal's clock); undefined when unknown. */
  async function runStartTime(workflowId: string, runId: string): Promise<number | undefined> {
    const client = await clients.get();
    const { workflowExecutionInfo: info } = await client.workflowService.describeWorkflowExecution(
      { namespace: clients.namespace, execution: { workflowId, runId } },
      deadlineIn(deadlineMs),
    );
    const seconds = info?.startTime?.seconds;
    if (seconds === undefined || seconds === null) return undefined;
    return Number(seconds) * 1000 + Math.floor((info?.startTime?.nanos ?? 0) / 1e6);
  }

  return {
    async start(command, target) {
      const policy = target.start?.conflictPolicy ?? 'fail';
      let input: ReturnType<typeof toPayloads>;
      try {
        input = toPayloads(...wireArguments(target, 'start', START_OPERATION, command.payload));
      } catch (error) {
        const detail = `The input cannot be encoded for Temporal: ${(error as Error).message}`;
        return {
          status: 'failed',
          command,
          transient: false,
          problem: problem('invalid-request', detail, 'body'),
        };
      }
      const sentAt = Date.now();
      try {
        const client = await clients.get();
        const response = await client.workflowService.startWorkflowExecution(
          {
            namespace: clients.namespace,
            workflowId: command.workflowId,
            workflowType: { name: target.workflowType },
            taskQueue: { name: target.taskQueue },
            input,
            identity: identity(),
            requestId: deliveryRequestId(command.workflowId, START_OPERATION, command.eventId),
            workflowIdReusePolicy: WorkflowIdReusePolicy[`WORKFLOW_ID_REUSE_POLICY_${target.idReusePolicy}`],
            workflowIdConflictPolicy: CONFLICT_POLICIES[policy],
            header: eventHeader(command),
          },
          deadlineIn(deadlineMs),
        );
        const runId = response.runId ?? '';
        // use-existing found another event's run: this event's input is not applied.
        if (!response.started) return { status: 'running', command, runId };
        const running =
          (response.status ?? WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) ===
          WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
        if (!running) return { status: 'already-started', command, runId };
        const startedAt = await runStartTime(command.workflowId, runId).catch(() => undefined);
        const earlier = startedAt !== undefined && startedAt < sentAt - CLOCK_TOLERANCE_MS;
        return { status: earlier ? 'already-started' : 'started', command, runId };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (grpcCode(error) === GRPC_STATUS.ALREADY_EXISTS && /already running/i.test(message)) {
          const detail = `Workflow "${command.workflowId}" is already running, started by another event.`;
          return {
            status: 'failed',
            command,
            transient: false,
            problem: problem('workflow-running', detail, 'workflowId'),
            cause: error,
          };
        }
        const classification = classifyTemporalCall(error, command.workflowId);
        return { status: 'failed', command, ...classification, cause: error };
      }
    },
  };
}

/** For a process built without a starter (tests, tools): every start refused, permanently. */
export const NO_STARTER: Starter = {
  start: (command) =>
    Promise.resolve({
      status: 'failed',
      command,
      transient: false,
      problem: problem('operation-not-allowed', 'This gateway process cannot start workflows.', 'workflowId'),
    }),
};
