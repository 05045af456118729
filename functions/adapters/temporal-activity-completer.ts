/**
 * Completes (or fails) an activity that chose async completion (`CompleteAsyncError`), by its task
 * token. Temporal refuses a second completion of the same attempt (NotFound), which is what makes
 * a twice-POSTed callback apply once.
 */
import type { ActivityCompleter } from './ports';
import type { TemporalClientProvider } from './temporal-connection';
import { deadlineIn, encodeOrRefuse, failedCall, identity, isRefused } from './temporal-calls';

/** The failure type a workflow sees (`ActivityFailure.cause.type`) when a partner fails the step. */
export const CALLBACK_FAILURE_TYPE = 'CallbackFailed';

export function createActivityCompleter(
  clients: TemporalClientProvider,
  deadlineMs: number,
): ActivityCompleter {
  return {
    async complete(command) {
      const taskToken = Buffer.from(command.taskToken, 'base64url');
      const { outcome } = command;
      const result =
        outcome.kind === 'completed'
          ? await encodeOrRefuse(clients.dataConverter, 'body', () => [outcome.result], {
              workflowId: command.workflowId,
            })
          : undefined;
      if (result && isRefused(result)) return result;
      try {
        const client = await clients.get();
        const service = client.workflowService;
        const common = { namespace: clients.namespace, taskToken, identity: identity() };
        const deadline = deadlineIn(deadlineMs);
        await (command.outcome.kind === 'completed'
          ? service.respondActivityTaskCompleted({ ...common, result }, deadline)
          : service.respondActivityTaskFailed(
              {
                ...common,
                failure: {
                  message: command.outcome.reason,
                  source: 'temporal-event-gateway',
                  // The partner said the step failed: the workflow decides what next, the activity
                  // is not retried into minting a new URL the partner never asked for.
                  applicationFailureInfo: { type: CALLBACK_FAILURE_TYPE, nonRetryable: true },
                },
              },
              deadline,
            ));
        return { status: 'delivered' };
      } catch (error) {
        return failedCall(error, command.workflowId);
      }
    },
  };
}
