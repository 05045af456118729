import type { Target } from '../core/gateway-config-model';
import { wireArguments } from '../core/operation-arguments';
import { failedDelivery, type FailedDelivery } from '../core/outcomes';
import { problem, type Problem } from '../core/problems';
import { PayloadCodecError, type TemporalDataConverter } from './temporal-data-converter';
import { classifyTemporalCall } from './temporal-status-details';
import { toPayload } from './temporal-wire/payloads';
import type { WorkflowPacing } from './workflow-pacing';
import type { WirePayloads } from './temporal-wire/types';

export const DEFAULT_TEMPORAL_DEADLINE_MS = 5_000;

/** The absolute deadline (ms since the epoch) of a call, or of an exchange of calls, starting now. */
export function deadlineIn(deadlineMs: number): number {
  return Date.now() + deadlineMs;
}

export { toPayload };

/** Values as payloads of the default converter alone, no codec (benchmarks, tools). */
export function toPayloads(...values: unknown[]): WirePayloads {
  return { payloads: values.map(toPayload) };
}

let processIdentity: string | undefined;

/**
 * The `identity` the gateway's calls carry: the function's name (or the process id). Both are fixed
 * for the life of the process, so it is read once, not from `process.env` on every call.
 */
export function identity(): string {
  return (processIdentity ??= `event-gateway@${process.env.AWS_LAMBDA_FUNCTION_NAME ?? process.pid}`);
}

/**
 * A call's arguments as payloads, converted and run through the codecs before any call: a value
 * that cannot be converted is the event's fault — permanent, never to be confused with Temporal
 * being unreachable; a codec or the large payload store that fails (KMS or S3 unavailable, the key
 * refused) is transient: the event is not acknowledged, the sender retries or it is queued.
 */
export async function encodeOrRefuse(
  converter: TemporalDataConverter,
  what: string,
  values: () => unknown[],
  call: { workflowId: string; workflowType?: string },
): Promise<WirePayloads | FailedDelivery> {
  try {
    return await converter.toPayloads(values(), call.workflowId, call.workflowType);
  } catch (error) {
    if (error instanceof PayloadCodecError) return failedDelivery(true, codecProblem(error), error);
    const detail = `The ${what} cannot be encoded for Temporal: ${(error as Error).message}`;
    return failedDelivery(false, problem('invalid-request', detail, 'body'), error);
  }
}

/**
 * A codec failure as the sender sees it: Temporal cannot be given the event now (503, retried). The
 * codec's own message (key ARNs, KMS's words) is for the log (the Deliverer's), not the sender.
 */
function codecProblem(error: PayloadCodecError): Problem {
  const detail = error.retryable
    ? 'The payload codec or large payload store is unavailable (KMS or S3 did not answer); retry later.'
    : 'The payload codec or large payload store failed (see the gateway log); retry later.';
  return problem('temporal-unavailable', detail);
}

/**
 * A failed call classified once: a codec failure is transient (see {@link encodeOrRefuse}); any
 * other error is Temporal's answer, classified with its status details.
 */
export function classifyCall(
  error: unknown,
  workflowId: string | undefined,
): { transient: boolean; problem: Problem } {
  if (error instanceof PayloadCodecError) return { transient: true, problem: codecProblem(error) };
  return classifyTemporalCall(error, workflowId);
}

/** Whether {@link encodeOrRefuse} (or {@link encodeOperation}) refused. */
export const isRefused = <T extends object>(encoded: T | FailedDelivery): encoded is FailedDelivery =>
  'status' in encoded;

/**
 * A signal's or update's arguments as payloads, and the start's arguments when the target starts a
 * missing workflow (signal- and update-with-start: both then name the workflow type, which keys a
 * large payload's object, as the SDK's client does).
 */
export async function encodeOperation(
  converter: TemporalDataConverter,
  target: Target,
  operation: { kind: 'signal' | 'update'; name: string; payload: unknown; workflowId: string },
): Promise<{ args: WirePayloads; startArgs: WirePayloads | undefined } | FailedDelivery> {
  const { kind, name, payload, workflowId } = operation;
  const call = { workflowId, ...(target.startIfMissing ? { workflowType: target.workflowType } : {}) };
  const args = await encodeOrRefuse(
    converter,
    'payload',
    () => wireArguments(target, kind, name, payload),
    call,
  );
  if (isRefused(args) || !target.startIfMissing)
    return isRefused(args) ? args : { args, startArgs: undefined };
  // No start arguments (the usual target): what the converter answers for no values, with no codec
  // call, without another round of awaits per signal.
  if (target.startArgs.length === 0) return { args, startArgs: { payloads: [] } };
  const startArgs = await encodeOrRefuse(converter, 'start arguments', () => target.startArgs, call);
  return isRefused(startArgs) ? startArgs : { args, startArgs };
}

/**
 * The failure of a call that reached Temporal, classified once (with its status details), and
 * recorded in the workflow's pacing when there is one: a refusal for a per-run limit pauses it.
 */
export function failedCall(error: unknown, workflowId: string, pacing?: WorkflowPacing): FailedDelivery {
  // A result the codec could not decode: the call itself went through, the workflow is not busy.
  if (error instanceof PayloadCodecError) return failedDelivery(true, codecProblem(error), error);
  const { transient, problem: reason } = classifyCall(error, workflowId);
  pacing?.sent(workflowId, reason.code === 'workflow-busy');
  return failedDelivery(transient, reason, error);
}

/**
 * The failure of a call held back by pacing, never sent: transient like the refusal it avoids, so
 * the HTTP paths queue it (signals) or answer 503, and the queue handler retries it later.
 */
export function heldBack(pacing: WorkflowPacing, workflowId: string, detail: string): FailedDelivery {
  pacing.held(workflowId);
  return failedDelivery(true, problem('workflow-busy', detail));
}
