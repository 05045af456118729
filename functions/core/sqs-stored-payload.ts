/**
 * A sealed queue message that carries its payload as a stored reference instead of inline: where
 * the reference sits, what the queue handler puts back once it resolved it, and the problem when it
 * cannot (core/sqs-message.ts reads messages; adapters/sqs-stored-payloads.ts writes and resolves).
 */
import { problem } from './problems';

/**
 * Where a sealed message carries its payload as a stored reference (Temporal's external storage
 * reference in proto3 JSON, written by the gateway's data converter) in place of the inline value:
 * a queued signal's `payloadRef` instead of `payload`, a webhook envelope's `webhook.bodyRef` instead
 * of `webhook.body`. Wire names: never rename them.
 */
export const STORED_PAYLOAD_FIELDS = { signal: 'payloadRef', webhookBody: 'bodyRef' } as const;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The stored reference a parsed message carries, and where its resolved value goes. */
export function storedReferenceIn(
  value: unknown,
): { field: 'payload' | 'body'; reference: unknown; workflowId?: string } | undefined {
  if (!isObject(value)) return undefined;
  if (Object.hasOwn(value, STORED_PAYLOAD_FIELDS.signal)) {
    const workflowId = typeof value.workflowId === 'string' ? value.workflowId : undefined;
    return {
      field: 'payload',
      reference: value[STORED_PAYLOAD_FIELDS.signal],
      ...(workflowId ? { workflowId } : {}),
    };
  }
  const webhook = value.webhook;
  if (isObject(webhook) && Object.hasOwn(webhook, STORED_PAYLOAD_FIELDS.webhookBody)) {
    return { field: 'body', reference: webhook[STORED_PAYLOAD_FIELDS.webhookBody] };
  }
  return undefined;
}

/** A sealed message whose payload is stored: what the queue handler resolves before routing it. */
export interface StoredPayloadMessage {
  /** The message as parsed (its seal verified). */
  readonly message: Record<string, unknown>;
  /** The reference, in proto3 JSON as the gateway wrote it. */
  readonly reference: unknown;
  /** Where the resolved value goes: a signal's `payload`, or a webhook envelope's raw `body` (text). */
  readonly field: 'payload' | 'body';
  /** The signal's workflow (the codecs' serialization context); absent for a webhook body. */
  readonly workflowId?: string;
}

/** The problem that dead-letters a sealed message whose stored payload this handler cannot resolve. */
export const unresolvedStoredPayloadProblem = () =>
  problem(
    'codec-unavailable',
    'The message carries its payload as a stored reference (the large payload bucket), but this queue ' +
      'handler has no large payload store to resolve it: configure EVENT_GATEWAY_LARGE_PAYLOAD_BUCKET as ' +
      'on the HTTP function, then redrive. Nothing was delivered.',
    'body',
  );
