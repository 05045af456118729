/**
 * Runs a workflow update and waits for the workflow's answer, under the call deadline. The update id
 * derives from the event id, so a retried request finds the update it already made (Temporal
 * answers with the recorded outcome) instead of applying it twice; the event id also travels in the
 * update's header for the workflow's dedupe interceptor, which covers resets and continue-as-new. Where the target may start
 * workflows, update-with-start (ExecuteMultiOperation) creates a missing workflow atomically.
 *
 * The raw workflow service is used, like the signaler, because it lets the deadline cover the
 * whole exchange (request and any polling) and sets request ids exactly.
 */
import { EventGatewayError } from '../../contract/errors';
import type { UpdateCommand } from '../core/commands';
import type { Target } from '../core/gateway-config-model';
import type { Delivery } from '../core/outcomes';
import { deliveryRequestId } from './request-id';
import { eventHeader } from './event-header';
import type { Updater } from './ports';
import type { TemporalClientProvider } from './temporal-connection';
import { deadlineIn, encodeOperation, failedCall, heldBack, identity, isRefused } from './temporal-calls';
import {
  UpdateWorkflowExecutionLifecycleStage,
  WorkflowExecutionStatus,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
} from './temporal-enums';
import { createWorkflowPacing, type WorkflowPacing } from './workflow-pacing';
import type { UpdateOutcome as WireOutcome, UpdateWorkflowExecutionResponse } from './temporal-wire/types';

const COMPLETED = UpdateWorkflowExecutionLifecycleStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED;
const RUNNING = WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
const UNSPECIFIED = WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_UNSPECIFIED;

/**
 * The workflow refused the update (its validator or handler threw); `cause` carries the workflow's
 * own message. Named as `@temporalio/client` names it, so it is classified the same way.
 */
export class WorkflowUpdateFailedError extends EventGatewayError {
  override readonly name = 'WorkflowUpdateFailedError';
}

export function createUpdater(
  clients: TemporalClientProvider,
  deadlineMs: number,
  pacing: WorkflowPacing = createWorkflowPacing(),
): Updater {
  const updater: Updater = {
    pacing,
    async update(command, target) {
      const outcome = await updateOnce(command, target);
      // Update-with-start after the workflow closed: the start is refused, but the latest run may
      // have applied this very update (a retry after close). A plain update with the same id gets
      // its recorded outcome from Temporal; one the run never applied is refused as before.
      if (
        outcome.status === 'failed' &&
        outcome.problem.code === 'workflow-closed' &&
        target.startIfMissing
      ) {
        const recorded = await updateOnce(command, { ...target, startIfMissing: false });
        if (recorded.status === 'delivered') return { ...recorded, duplicate: true };
      }
      return outcome;
    },
  };
  return updater;

  async function updateOnce(command: UpdateCommand, target: Target): Promise<Delivery> {
    const pausedFor = pacing.pausedFor(command.workflowId);
    if (pausedFor > 0) {
      // Held back, not sent: the workflow refused an update for a limit a moment ago.
      const detail =
        `Workflow "${command.workflowId}" cannot admit more updates now (Temporal refused one for a ` +
        `per-run limit); retry in ${Math.ceil(pausedFor / 1000)} s.`;
      return heldBack(pacing, command.workflowId, detail);
    }
    const updateId = deliveryRequestId(command.workflowId, command.update, command.eventId);
    const { dataConverter } = clients;
    const encoded = await encodeOperation(dataConverter, target, {
      kind: 'update',
      name: command.update,
      payload: command.payload,
      workflowId: command.workflowId,
    });
    if (isRefused(encoded)) return encoded;
    const { args, startArgs: startInput } = encoded;
    try {
      const client = await clients.get();
      const service = client.workflowService;
      const { namespace } = clients;
      const updateRequest = {
        namespace,
        workflowExecution: { workflowId: command.workflowId },
        waitPolicy: { lifecycleStage: COMPLETED },
        request: {
          meta: { updateId, identity: identity() },
          input: {
            header: eventHeader(command),
            name: command.update,
            args,
          },
        },
      };
      // One deadline for the whole exchange: the request and any polling after it.
      const deadline = deadlineIn(deadlineMs);
      const { outcome, started, closed } = await (async () => {
        let response: UpdateWorkflowExecutionResponse | null | undefined;
        let started = false;
        // Update-with-start found the run closed: Temporal answered the update it had recorded.
        let closed = false;
        if (target.startIfMissing && startInput) {
          const multi = await service.executeMultiOperation(
            {
              namespace,
              operations: [
                {
                  startWorkflow: {
                    namespace,
                    workflowId: command.workflowId,
                    workflowType: { name: target.workflowType },
                    taskQueue: { name: target.taskQueue },
                    input: startInput,
                    identity: identity(),
                    // Same event → same start request: a retry never starts a second run.
                    requestId: deliveryRequestId(
                      command.workflowId,
                      `start:${command.update}`,
                      command.eventId,
                    ),
                    workflowIdReusePolicy:
                      WorkflowIdReusePolicy[`WORKFLOW_ID_REUSE_POLICY_${target.idReusePolicy}`],
                    workflowIdConflictPolicy:
                      WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
                  },
                },
                { updateWorkflow: updateRequest },
              ],
            },
            deadline,
          );
          started = multi.responses?.[0]?.startWorkflow?.started ?? false;
          const runStatus: number = multi.responses?.[0]?.startWorkflow?.status ?? RUNNING;
          closed = runStatus !== RUNNING && runStatus !== UNSPECIFIED;
          response = multi.responses?.[1]?.updateWorkflow;
        } else {
          response = await service.updateWorkflowExecution(updateRequest, deadline);
        }
        let outcome: WireOutcome | null | undefined = response?.outcome;
        // The server answers early when its own long-poll ends first; keep polling until the deadline.
        while (!outcome) {
          const polled = await service.pollWorkflowExecutionUpdate(
            {
              namespace,
              updateRef: {
                workflowExecution: {
                  workflowId: command.workflowId,
                  runId: response?.updateRef?.workflowExecution?.runId ?? '',
                },
                updateId,
              },
              identity: identity(),
              waitPolicy: { lifecycleStage: COMPLETED },
            },
            deadline,
          );
          outcome = polled.outcome;
        }
        return { outcome, started, closed };
      })();
      pacing.sent(command.workflowId, false);
      if (outcome.failure) {
        const cause = new Error(outcome.failure.message ?? '');
        throw new WorkflowUpdateFailedError('Workflow Update failed', { cause });
      }
      const result = await dataConverter.fromPayloads(outcome.success, command.workflowId);
      return { status: 'delivered', result, started, ...(closed ? { duplicate: true } : {}) };
    } catch (error) {
      // The workflow's own refusal came after the call was counted as sent (above).
      const sent = error instanceof WorkflowUpdateFailedError;
      return failedCall(error, command.workflowId, sent ? undefined : pacing);
    }
  }
}
