/**
 * Completes (or fails) an activity that chose async completion (`CompleteAsyncError`), by its task
 * token. Temporal refuses a second completion of the same attempt (NotFound), which is what makes
 * a twice-POSTed callback apply once.
 */
import type { Classification } from '../core/error-classification';
import type { ActivityCompletionCommand } from '../core/callbacks';
import { problem } from '../core/problems';
import type { TemporalClientProvider } from './temporal-connection';
import { deadlineIn, identity, toPayloads } from './temporal-calls';
import { classifyTemporalCall } from './temporal-status-details';

export type CompletionOutcome = { status: 'completed' } | ({ status: 'failed' } & Classification);

export interface ActivityCompleter {
  complete(command: ActivityCompletionCommand): Promise<CompletionOutcome>;
}

/** The failure type a workflow sees (`ActivityFailure.cause.type`) when a partner fails the step. */
export const CALLBACK_FAILURE_TYPE = 'CallbackFailed';

export function createActivityCompleter(
  clients: TemporalClientProvider,
  deadlineMs: number,
): ActivityCompleter {
  return {
    async complete(command) {
      const taskToken = Buffer.from(command.taskToken, 'base64url');
      let result: ReturnType<typeof toPayloads> | undefined;
      if (command.outcome.kind === 'completed') {
        try {
          result = toPayloads(command.outcome.result);
        } catch (error) {
          return {
            status: 'failed',
            transient: false,
            problem: problem(
              'invalid-request',
              `The body cannot be encoded for Temporal: ${(error as Error).message}`,
              'body',
            ),
          };
        }
      }
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
        return { status: 'completed' };
      } catch (error) {
        return { status: 'failed', ...classifyTemporalCall(error, command.workflowId) };
      }
    },
  };
}
