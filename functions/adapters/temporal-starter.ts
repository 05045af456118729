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
import { GRPC_STATUS, grpcCode } from '../core/error-classification';
import type { StartConflictPolicy } from '../core/gateway-config-model';
import { wireArguments } from '../core/operation-arguments';
import { failedDelivery, type Delivery, type StartStatus } from '../core/outcomes';
import { problem } from '../core/problems';
import { deliveryRequestId } from './request-id';
import { eventHeader } from './event-header';
import type { Starter } from './ports';
import { deadlineIn, encodeOrRefuse, failedCall, identity, isRefused } from './temporal-calls';
import type { TemporalClientProvider } from './temporal-connection';
import { WorkflowExecutionStatus, WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from './temporal-enums';

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
      const input = await encodeOrRefuse(
        clients.dataConverter,
        'input',
        () => wireArguments(target, 'start', START_OPERATION, command.payload),
        { workflowId: command.workflowId, workflowType: target.workflowType },
      );
      if (isRefused(input)) return input;
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
        const found = (status: StartStatus): Delivery => ({ status: 'delivered', run: { status, runId } });
        // use-existing found another event's run: this event's input is not applied.
        if (!response.started) return found('running');
        const running =
          (response.status ?? WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) ===
          WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
        if (!running) return found('already-started');
        const startedAt = await runStartTime(command.workflowId, runId).catch(() => undefined);
        const earlier = startedAt !== undefined && startedAt < sentAt - CLOCK_TOLERANCE_MS;
        return found(earlier ? 'already-started' : 'started');
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (grpcCode(error) === GRPC_STATUS.ALREADY_EXISTS && /already running/i.test(message)) {
          const detail = `Workflow "${command.workflowId}" is already running, started by another event.`;
          return failedDelivery(false, problem('workflow-running', detail, 'workflowId'), error);
        }
        return failedCall(error, command.workflowId);
      }
    },
  };
}

/** For a process built without a starter (tests, tools): every start refused, permanently. */
export const NO_STARTER: Starter = {
  start: () =>
    Promise.resolve(
      failedDelivery(
        false,
        problem('operation-not-allowed', 'This gateway process cannot start workflows.', 'workflowId'),
      ),
    ),
};
