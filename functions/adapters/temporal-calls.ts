import { failedDelivery, type FailedDelivery } from '../core/outcomes';
import { problem } from '../core/problems';
import { classifyTemporalCall } from './temporal-status-details';
import { fromPayload, toPayload } from './temporal-wire/payloads';
import type { WorkflowPacing } from './workflow-pacing';
import type { WirePayloads } from './temporal-wire/types';

export const DEFAULT_TEMPORAL_DEADLINE_MS = 5_000;

/** The absolute deadline (ms since the epoch) of a call, or of an exchange of calls, starting now. */
export function deadlineIn(deadlineMs: number): number {
  return Date.now() + deadlineMs;
}

export { toPayload };

export function toPayloads(...values: unknown[]): WirePayloads {
  return { payloads: values.map(toPayload) };
}

export function fromPayloads(payloads: WirePayloads | null | undefined): unknown {
  const first = payloads?.payloads?.[0];
  return first ? fromPayload(first) : null;
}

export function identity(): string {
  return `event-gateway@${process.env.AWS_LAMBDA_FUNCTION_NAME ?? process.pid}`;
}

/**
 * A call's arguments as payloads, converted before any call: a value that cannot be encoded is the
 * event's fault — permanent, never to be confused with Temporal being unreachable.
 */
export function encodeOrRefuse(what: string, values: () => unknown[]): WirePayloads | FailedDelivery {
  try {
    return toPayloads(...values());
  } catch (error) {
    const detail = `The ${what} cannot be encoded for Temporal: ${(error as Error).message}`;
    return failedDelivery(false, problem('invalid-request', detail, 'body'), error);
  }
}

/** Whether {@link encodeOrRefuse} refused. */
export const isRefused = (encoded: WirePayloads | FailedDelivery): encoded is FailedDelivery =>
  'status' in encoded;

/**
 * The failure of a call that reached Temporal, classified once (with its status details), and
 * recorded in the workflow's pacing when there is one: a refusal for a per-run limit pauses it.
 */
export function failedCall(error: unknown, workflowId: string, pacing?: WorkflowPacing): FailedDelivery {
  const { transient, problem: reason } = classifyTemporalCall(error, workflowId);
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
