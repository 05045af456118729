/**
 * Delivers a signal exactly once per (workflow run, event): the gRPC `requestId` is derived from the
 * event, so Temporal records a redelivered event once per run; the event id also travels in the
 * Temporal header, so the workflow's dedupe interceptor skips it across resets and continue-as-new.
 * Uses the raw workflow service because the high-level handle API does not expose `requestId`.
 */
import type { SignalCommand } from '../core/commands';
import { deliveryRequestId } from './request-id';
import { eventHeader } from './event-header';
import type { Signaler } from './ports';
import { latestRunApplied } from './temporal-history';
import type { TemporalClientProvider } from './temporal-connection';
import { deadlineIn, encodeOperation, failedCall, heldBack, identity, isRefused } from './temporal-calls';
import { WorkflowIdReusePolicy } from './temporal-enums';
import { createWorkflowPacing, type WorkflowPacing } from './workflow-pacing';

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
      // The connection is opened (on a cold start: a TLS handshake) while the arguments are encoded
      // — with an encryption codec, the first signal's KMS round trip — rather than after them. Its
      // failure is awaited below, inside the try that answers it; this catch only keeps it handled.
      const connected = clients.get();
      connected.catch(() => undefined);
      const encoded = await encodeOperation(clients.dataConverter, target, {
        kind: 'signal',
        name: command.signal,
        payload: command.payload,
        workflowId: command.workflowId,
      });
      if (isRefused(encoded)) return encoded;
      const { args: signalInput, startArgs: startInput } = encoded;
      const pausedFor = pacing.pausedFor(command.workflowId);
      if (pausedFor > 0) {
        const detail =
          `Workflow "${command.workflowId}" cannot take more signals now (Temporal refused it for a per-run ` +
          `limit); the gateway holds its signals back for ${Math.ceil(pausedFor)} ms.`;
        return heldBack(pacing, command.workflowId, detail);
      }
      try {
        const client = await connected;
        const service = client.workflowService;
        const common = {
          namespace: clients.namespace,
          signalName: command.signal,
          identity: identity(),
          requestId,
          // On signal-with-start Temporal records it on the start and on the signal event alike.
          header: eventHeader(command),
        };
        if (target.startIfMissing && startInput) {
          const response = await service.signalWithStartWorkflowExecution(
            {
              ...common,
              workflowId: command.workflowId,
              workflowType: { name: target.workflowType },
              taskQueue: { name: target.taskQueue },
              input: startInput,
              signalInput,
              workflowIdReusePolicy:
                WorkflowIdReusePolicy[`WORKFLOW_ID_REUSE_POLICY_${target.idReusePolicy}`],
            },
            deadlineIn(deadlineMs),
          );
          pacing.sent(command.workflowId, false);
          return { status: 'delivered', started: response.started ?? false };
        }
        await service.signalWorkflowExecution(
          { ...common, workflowExecution: { workflowId: command.workflowId }, input: signalInput },
          deadlineIn(deadlineMs),
        );
        pacing.sent(command.workflowId, false);
        return { status: 'delivered', started: false };
      } catch (error) {
        const failed = failedCall(error, command.workflowId, pacing);
        if (
          failed.problem.code === 'workflow-closed' &&
          (await appliedBeforeClose(clients, command, deadlineMs))
        ) {
          return { status: 'delivered', started: false, duplicate: true };
        }
        return failed;
      }
    },
  };
}
