/**
 * The gateway's SQS message format as the CLI writes and reads it. The schema and the request id
 * come from functions/core, so the CLI and the queue handler cannot disagree about either.
 */
import { deliveryRequestId } from '../../functions/adapters/request-id';
import { SqsSignalMessageSchema } from '../../functions/core/checked-schemas';
import type { SqsSignalMessage } from '../../functions/core/sqs-message';

export type { SqsSignalMessage };

/**
 * FIFO fields of a signal message. The group is the workflow, which gives per-workflow order; the
 * dedup id is the delivery's request id, so sending one event twice within SQS's 5-minute window
 * stores it once, and a different event for the same workflow is never mistaken for it.
 */
export function fifoFieldsOf(message: SqsSignalMessage & { eventId: string }) {
  return {
    MessageGroupId: message.workflowId,
    MessageDeduplicationId: deliveryRequestId(message.workflowId, message.signal, message.eventId),
  };
}

export interface ParsedBody {
  /** The body as JSON, when it is JSON. */
  json?: unknown;
  /** The body as a gateway signal message, when it is one. */
  signal?: SqsSignalMessage;
}

export function parseBody(body: string | undefined): ParsedBody {
  if (body === undefined) return {};
  let json: unknown;
  try {
    json = JSON.parse(body) as unknown;
  } catch {
    return {};
  }
  const parsed = SqsSignalMessageSchema.safeParse(json);
  return parsed.success ? { json, signal: parsed.data } : { json };
}
