/**
 * The one place that decides whether a failed Temporal call is worth retrying. Adapters act on the
 * answer: transient → retry or queue; permanent → 4xx or DLQ with the reason, never retried.
 */
import { problem, type Problem } from './problems';

/** gRPC status codes (https://grpc.github.io/grpc/core/md_doc_statuscodes.html). */
export const GRPC_STATUS = {
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/**
 * Temporal's `ResourceExhaustedCause` (temporal.api.enums.v1), the `cause` of the
 * `ResourceExhaustedFailure` a server puts in the status details of a RESOURCE_EXHAUSTED answer.
 */
export const RESOURCE_EXHAUSTED_CAUSE = {
  RPS_LIMIT: 1,
  /** A workflow's in-flight update limit (`history.maxInFlightUpdates`, or their payload bytes). */
  CONCURRENT_LIMIT: 2,
  SYSTEM_OVERLOADED: 3,
  PERSISTENCE_LIMIT: 4,
  /** The workflow is closing (a continue-as-new being written) or otherwise busy: retry shortly. */
  BUSY_WORKFLOW: 5,
  APS_LIMIT: 6,
} as const;

/** What the adapter read from a failed call's gRPC status details (`grpc-status-details-bin`). */
export interface TemporalStatusDetails {
  /** The `cause` of a `temporal.api.errordetails.v1.ResourceExhaustedFailure`, when there is one. */
  resourceExhaustedCause?: number;
  /**
   * A `temporal.api.errordetails.v1.QueryFailedFailure`: the workflow's query handler threw (or it
   * registered none by that name). `@temporalio/client` reads the same INVALID_ARGUMENT answer.
   */
  queryFailed?: boolean;
}

/**
 * Temporal's own words for the two per-run limits it reports with no status details at all
 * (server v1.29 to v1.32: `consts.ErrSignalsLimitExceeded` is a bare InvalidArgument and the
 * total-update limit a bare FailedPrecondition), so only the text tells them from a bad request.
 * Each is checked together with its gRPC code.
 */
const SIGNAL_LIMIT_TEXT = 'exceeded workflow execution limit for signal events';
const TOTAL_UPDATE_LIMIT_TEXT = 'limit on the total number of distinct updates';

export interface Classification {
  transient: boolean;
  problem: Problem;
}

/** The gRPC status code of an error, or of the first cause in its chain that has one. */
export function grpcCode(error: unknown): number | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'number') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // gRPC messages start with "<code> <NAME>: "; keep the server's words only.
  return text.replace(/^\d+ [A-Z_]+: /, '').slice(0, 500);
}

const transient = (detail: string): Classification => ({
  transient: true,
  problem: problem('temporal-unavailable', detail),
});
const permanent = (p: Problem): Classification => ({ transient: false, problem: p });

/**
 * The workflow cannot take more signals or updates now — Temporal's per-run limits, or a run
 * that is closing into its continue-as-new — or undefined when the error says something else.
 * Transient for that one workflow: the gateway queues and paces it, and never answers 4xx.
 */
function workflowAtLimit(
  code: number | undefined,
  message: string,
  details: TemporalStatusDetails,
  which: string,
): Classification | undefined {
  const busy = (detail: string): Classification => ({
    transient: true,
    problem: problem('workflow-busy', `${which} ${detail}`),
  });
  if (code === GRPC_STATUS.INVALID_ARGUMENT && message.toLowerCase().includes(SIGNAL_LIMIT_TEXT)) {
    return busy(
      "has taken Temporal's limit of signals for one run (history.maximumSignalsPerExecution); " +
        'the event is kept until the workflow continues as new.',
    );
  }
  if (code === GRPC_STATUS.FAILED_PRECONDITION && message.toLowerCase().includes(TOTAL_UPDATE_LIMIT_TEXT)) {
    return busy(
      "has taken Temporal's limit of updates for one run (history.maxTotalUpdates); " +
        'retry once the workflow has continued as new.',
    );
  }
  if (code !== GRPC_STATUS.RESOURCE_EXHAUSTED) return undefined;
  switch (details.resourceExhaustedCause) {
    case RESOURCE_EXHAUSTED_CAUSE.CONCURRENT_LIMIT:
      return busy(
        'has as many updates in flight as Temporal allows (history.maxInFlightUpdates); retry shortly.',
      );
    case RESOURCE_EXHAUSTED_CAUSE.BUSY_WORKFLOW:
      return busy('is busy (closing into its next run); retry shortly.');
    default:
      return undefined;
  }
}

/**
 * Transient or permanent, and the problem a sender sees. `details` are what the adapter decoded
 * from the call's status details (see {@link TemporalStatusDetails}).
 */
export function classifyTemporalError(
  error: unknown,
  workflowId?: string,
  details: TemporalStatusDetails = {},
): Classification {
  const name = error instanceof Error ? error.name : '';
  const message = messageOf(error);
  const which = workflowId ? `Workflow "${workflowId}"` : 'The workflow';
  const atLimit = workflowAtLimit(grpcCode(error), message, details, which);
  if (atLimit) return atLimit;
  if (details.queryFailed) {
    // The workflow answered, refusing: not Temporal rejecting the request, and no retry helps.
    return permanent(problem('query-failed', `The workflow's query handler failed: ${message}`, 'query'));
  }
  if (name === 'WorkflowNotFoundError') {
    return permanent(problem('workflow-not-found', `${which} does not exist.`, 'workflowId'));
  }
  if (name === 'WorkflowUpdateFailedError') {
    // The workflow answered: its validator (or handler) refused the update, with its own reason.
    const cause = (error as { cause?: unknown }).cause;
    const reason = cause instanceof Error ? cause.message : message;
    return permanent(problem('update-rejected', reason.slice(0, 500), 'body'));
  }
  if (name === 'WorkflowUpdateRPCTimeoutOrCancelledError') {
    return { transient: true, problem: problem('deadline-exceeded', 'The workflow did not answer in time.') };
  }
  switch (grpcCode(error)) {
    case GRPC_STATUS.NOT_FOUND:
      return /already completed|already finished|closed/i.test(message)
        ? permanent(problem('workflow-closed', `${which} has already closed.`, 'workflowId'))
        : permanent(problem('workflow-not-found', `${which} does not exist.`, 'workflowId'));
    case GRPC_STATUS.ALREADY_EXISTS:
      // A start refused by the ID reuse policy: a closed run holds the ID.
      return permanent(
        problem('workflow-closed', `${which} has already closed; it is not started again.`, 'workflowId'),
      );
    case GRPC_STATUS.INVALID_ARGUMENT:
    case GRPC_STATUS.OUT_OF_RANGE:
    case GRPC_STATUS.UNIMPLEMENTED:
    case GRPC_STATUS.FAILED_PRECONDITION:
      return permanent(problem('temporal-rejected', `Temporal rejected the request: ${message}`));
    // The gateway cancels a call only when its deadline passes, and grpc-js then reports either code
    // (measured: about 1 in 8 expiries arrive as CANCELLED "Call cancelled").
    case GRPC_STATUS.DEADLINE_EXCEEDED:
    case GRPC_STATUS.CANCELLED:
      return { transient: true, problem: problem('deadline-exceeded', 'Temporal did not answer in time.') };
    case GRPC_STATUS.UNAUTHENTICATED:
    case GRPC_STATUS.PERMISSION_DENIED:
      // The event is fine; the gateway's own credentials are not. Keep the event until they are fixed.
      return transient(`The gateway could not authenticate to Temporal: ${message}`);
    default:
      // Unavailable, resource exhausted, aborted, internal, connect failures, unknown errors: the
      // event may succeed later, and a bounded retry (maxReceiveCount → DLQ) catches the rest.
      return transient(`Temporal is unreachable: ${message}`);
  }
}
