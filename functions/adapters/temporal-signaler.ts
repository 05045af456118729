/**
 * Delivers a signal exactly once per (workflow run, event): the gRPC `requestId` is derived from the
 * event, so Temporal records a redelivered event once per run; the event id also travels in the
 * Temporal header, so the workflow's dedupe interceptor skips it across resets and continue-as-new.
 * Uses the raw workflow service because the high-level handle API does not expose `requestId`.
 */
import { problem } from '../core/problems';
import { wireArguments, type SignalCommand } from '../core/commands';
import type { Target } from '../core/gateway-config';
import type { DeliveryOutcome } from '../core/outcomes';
import { deliveryRequestId } from '../core/request-id';
import { eventHeader } from './event-header';
import { latestRunApplied } from './temporal-history';
import { classifyTemporalCall } from './temporal-status-details';
import type { TemporalClientProvider } from './temporal-connection';
import { deadlineIn, identity, toPayloads } from './temporal-calls';
import { WorkflowIdReusePolicy } from './temporal-enums';
import { createWorkflowPacing, type WorkflowPacing } from './workflow-pacing';

export interface Signaler {
  signal(command: SignalCommand, target: Target): Promise<DeliveryOutcome>;
  /** This signaler's per-workflow pacing (shared by every request of the process). */
  readonly pacing?: WorkflowPacing;
}

/**
 * The outcome of a signal held back by pacing: transient like the refusal it avoids, so the HTTP
 * paths queue it and the queue handler retries it later.
 */
function pacedOutcome(command: SignalCommand, pausedForMs: number): DeliveryOutcome {
  const detail =
    `Workflow "${command.workflowId}" cannot take more signals now (Temporal refused it for a per-run ` +
    `limit); the gateway holds its signals back for ${Math.ceil(pausedForMs)} ms.`;
  return { status: 'failed', command, transient: true, problem: problem('workflow-busy', detail) };
}

/**
 * A signal refused because the workflow closed may be a retry of one its latest run applied; the
 * history says. Unreadable history leaves the refusal as it was (409 workflow-closed).
 */
async function appliedBeforeClose(
  clients: TemporalClientProvider,
  command: SignalCommand,
  deadlineMs: number,
): Promise<boolean> {
  try {
    return await latestRunApplied(clients, command.workflowId, command.eventId, deadlineIn(deadlineMs));
  } catch {
    return false;
  }
}

export function createSignaler(
  clients: TemporalClientProvider,
  deadlineMs: number,
  pacing: WorkflowPacing = createWorkflowPacing(),
): Signaler {
  return {
    pacing,
    async signal(command, target) {
      const requestId = deliveryRequestId(command.workflowId, command.signal, command.eventId);
      // Converted before any call: a payload that cannot be encoded is the event's fault, permanent,
      // never to be confused with Temporal being unreachable.
      let signalInput: ReturnType<typeof toPayloads>;
      try {
        signalInput = toPayloads(...wireArguments(target, 'signal', command.signal, command.payload));
      } catch (error) {
        const detail = `The payload cannot be encoded for Temporal: ${(error as Error).message}`;
        return {
          status: 'failed',
          command,
          transient: false,
          problem: problem('invalid-request', detail, 'body'),
          cause: error,
        };
      }
      const pausedFor = pacing.pausedFor(command.workflowId);
      if (pausedFor > 0) {
        pacing.held(command.workflowId);
        return pacedOutcome(command, pausedFor);
      }
      try {
        const client = await clients.get();
        const service = client.workflowService;
        const common = {
          namespace: clients.namespace,
          signalName: command.signal,
          identity: identity(),
          requestId,
          // On signal-with-start Temporal records it on the start and on the signal event alike.
          header: eventHeader(command),
        };
        if (target.startIfMissing) {
          const response = await service.signalWithStartWorkflowExecution(
            {
              ...common,
              workflowId: command.workflowId,
              workflowType: { name: target.workflowType },
              taskQueue: { name: target.taskQueue },
              input: toPayloads(...target.startArgs),
              signalInput,
              workflowIdReusePolicy:
                WorkflowIdReusePolicy[`WORKFLOW_ID_REUSE_POLICY_${target.idReusePolicy}`],
            },
            deadlineIn(deadlineMs),
          );
          pacing.sent(command.workflowId, false);
          return { status: 'delivered', command, started: response.started ?? false };
        }
        await service.signalWorkflowExecution(
          { ...common, workflowExecution: { workflowId: command.workflowId }, input: signalInput },
          deadlineIn(deadlineMs),
        );
        pacing.sent(command.workflowId, false);
        return { status: 'delivered', command, started: false };
      } catch (error) {
        const classification = classifyTemporalCall(error, command.workflowId);
        pacing.sent(command.workflowId, classification.problem.code === 'workflow-busy');
        if (
          classification.problem.code === 'workflow-closed' &&
          (await appliedBeforeClose(clients, command, deadlineMs))
        ) {
          return { status: 'delivered', command, started: false, duplicate: true };
        }
        return { status: 'failed', command, ...classification, cause: error };
      }
    },
  };
}
