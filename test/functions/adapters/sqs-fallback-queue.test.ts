/**
 * The HTTP fallback through a real ElasticMQ and back through the queue handler's reading of the
 * message: what the gateway wrote is what the queue handler delivers — the event id (so Temporal
 * applies it once) and, for a callback, the marker that keeps it from starting a gone workflow.
 */
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnvelopeSealer } from '../../../functions/adapters/envelope-seal';
import {
  createSqsFallbackQueue,
  FallbackQueueRefusedError,
} from '../../../functions/adapters/sqs-fallback-queue';
import { DEFAULT_GATEWAY_CONFIG } from '../../../functions/core/default-config';
import { parseGatewayConfig } from '../../../functions/core/gateway-config';
import { MAX_INPUT_BYTES } from '../../../functions/core/input-limits';
import { parseSqsRecord } from '../../../functions/core/sqs-message';
import type { SignalCommand } from '../../../functions/core/commands';
import { startSqsStack, type SqsStack } from '../../support/sqs-stack';

const config = parseGatewayConfig(DEFAULT_GATEWAY_CONFIG);
const sealer = createEnvelopeSealer(['fallback-test-key']);
let stack: SqsStack;

beforeAll(async () => {
  stack = await startSqsStack();
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

/** Enqueues through the fallback, then reads the one message back as the queue handler does. */
async function roundTrip(queueUrl: string, command: SignalCommand) {
  await createSqsFallbackQueue(stack.client, queueUrl, sealer).enqueue(command);
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const { Messages } = await stack.client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 }),
    );
    const message = Messages?.[0];
    if (message?.MessageId && message.Body !== undefined) {
      // As the queue handler reads it: the seal is checked first, and only then is its id kept.
      const sealed = sealer.verify(JSON.parse(message.Body) as Record<string, unknown>);
      return parseSqsRecord(config, { messageId: message.MessageId, body: message.Body }, { sealed });
    }
  }
  throw new Error(`no message arrived on ${queueUrl}`);
}

describe('the SQS fallback queue', () => {
  const command = { workflowId: 'staged-fallback', signal: 'advanceStage', payload: { stage: 2 } };

  it.each([
    ['standard', 'events'],
    ['FIFO', 'eventsFifo'],
  ] as const)('keeps the event id on a %s queue, and a start-if-missing target may start', async (_, key) => {
    const read = await roundTrip(stack.queues[key].url, { ...command, eventId: `e-${key}` });
    expect(read).toMatchObject({
      ok: true,
      value: [{ command: { eventId: `e-${key}`, payload: { stage: 2 } }, target: { startIfMissing: true } }],
    });
  });

  it('carries a callback signal’s never-start marker, so the queue handler never starts the workflow', async () => {
    const read = await roundTrip(stack.queues.events.url, { ...command, eventId: 'e-cb', neverStart: true });
    expect(read).toMatchObject({
      ok: true,
      value: [{ command: { eventId: 'e-cb', neverStart: true }, target: { startIfMissing: false } }],
    });
  });

  it('refuses a signal over the queue handler’s input limit instead of queueing it to be dead-lettered', async () => {
    // Taken over HTTP when large payloads go to S3; the sender gets 503 rather than a dead letter.
    const large = {
      ...command,
      eventId: 'e-large',
      payload: { stage: 1, text: 'x'.repeat(MAX_INPUT_BYTES) },
    };
    const queueUrl = stack.queues.events.url;
    await expect(createSqsFallbackQueue(stack.client, queueUrl, sealer).enqueue(large)).rejects.toThrow(
      FallbackQueueRefusedError,
    );
    const { Messages } = await stack.client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    // (The other tests' messages may show again: they are read, never deleted.)
    expect((Messages ?? []).filter((message) => message.Body?.includes('e-large'))).toEqual([]);
  });
});
