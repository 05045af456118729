/**
 * What an SQS message body means: a signal command `{ workflowId, signal, payload, eventId? }`.
 * The event id is the body's `eventId`, else the SQS `messageId`, which is stable across
 * redeliveries — so a redelivered message maps to the same Temporal request id.
 */
import { z } from 'zod';
import { prepareSignal, type SignalCommand } from './commands';
import type { GatewayConfig, Target } from './gateway-config';
import { problem } from './problems';
import { fail, type Result } from './result';

export const SqsSignalMessageSchema = z.object({
  workflowId: z.string(),
  signal: z.string(),
  payload: z.unknown(),
  eventId: z.string().optional(),
});

export type SqsSignalMessage = z.infer<typeof SqsSignalMessageSchema>;

export interface SqsRecordInput {
  messageId: string;
  body: string;
}

export function parseSqsRecord(
  config: GatewayConfig,
  record: SqsRecordInput,
): Result<{ command: SignalCommand; target: Target }> {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch (error) {
    return fail(
      problem('invalid-json', `The message body is not valid JSON: ${(error as Error).message}`, 'body'),
    );
  }
  const parsed = SqsSignalMessageSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = ['body', ...(issue?.path ?? []).map(String)].join('.');
    return fail(
      problem(
        'invalid-request',
        `${field}: ${issue?.message ?? 'invalid'} (expected { workflowId, signal, payload, eventId? })`,
        field,
      ),
    );
  }
  const { workflowId, signal, payload, eventId } = parsed.data;
  return prepareSignal(config, { workflowId, signal, payload, eventId: eventId ?? record.messageId });
}
