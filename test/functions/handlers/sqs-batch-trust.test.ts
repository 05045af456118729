/**
 * The queue handler's trust decision, as a unit: which records it routes as gateway-made and which
 * it dead-letters as forged (fakes for Temporal and the DLQ; the real-stack attacks are in
 * test/security).
 */
import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createEnvelopeSealer } from '../../../functions/adapters/envelope-seal';
import { silentLogger } from '../../../functions/adapters/logger';
import { createDeliverer } from '../../../functions/adapters/deliverer';
import type { Signaler, Updater } from '../../../functions/adapters/ports';
import type { SignalCommand } from '../../../functions/core/commands';
import { DEFAULT_GATEWAY_CONFIG } from '../../../functions/core/default-config';
import { parseGatewayConfig } from '../../../functions/core/gateway-config';
import type { Problem } from '../../../functions/core/problems';
import { createSqsBatchHandler } from '../../../functions/handlers/sqs-batch';

const config = parseGatewayConfig(DEFAULT_GATEWAY_CONFIG);
const gatewayKey = createEnvelopeSealer(['the-gateway-key']);

function record(body: string, messageId = crypto.randomUUID()): SQSRecord {
  return {
    messageId,
    receiptHandle: messageId,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 'AIDAPRODUCER',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:event-gateway-events',
    awsRegion: 'us-east-1',
  };
}

function harness() {
  const signalled: SignalCommand[] = [];
  const deadLettered: { messageId: string; problem: Problem }[] = [];
  let unverified = 0;
  const signaler = {
    signal: (command: SignalCommand) => {
      signalled.push(command);
      return Promise.resolve({ status: 'delivered' as const, started: false });
    },
  } as unknown as Signaler;
  const handler = createSqsBatchHandler({
    config,
    deliverer: createDeliverer({ signaler, updater: {} as Updater, logger: silentLogger }),
    logger: silentLogger,
    sealer: gatewayKey,
    trustMetrics: { unverifiedEnvelope: () => void unverified++ },
    deadLetters: {
      send: (r, problem) => {
        deadLettered.push({ messageId: r.messageId, problem });
        return Promise.resolve();
      },
    },
  });
  return { handler, signalled, deadLettered, unverified: () => unverified };
}

const envelope = {
  webhook: {
    source: 'stripe',
    verifiedBy: 'stripe',
    eventId: 'stripe:evt_1',
    headers: {},
    body: JSON.stringify({
      id: 'evt_1',
      type: 'payment_intent.succeeded',
      data: { object: { metadata: { workflowKey: 'q6-1' } } },
    }),
    receivedAt: '2026-01-01T00:00:00.000Z',
  },
};

describe('the queue handler and gateway-made messages', () => {
  it('routes an envelope the gateway sealed, under the id it was acknowledged with', async () => {
    const { handler, signalled, deadLettered } = harness();
    const response = await handler({ Records: [record(gatewayKey.seal(envelope))] });
    expect(response.batchItemFailures).toEqual([]);
    expect(deadLettered).toEqual([]);
    expect(signalled).toMatchObject([{ workflowId: 'staged-q6-1', eventId: 'stripe:evt_1' }]);
  });

  it.each([
    ['unsealed', JSON.stringify(envelope)],
    ['sealed with another key', createEnvelopeSealer(['a-producer-guess']).seal(envelope)],
    ['sealed, then altered', gatewayKey.seal(envelope).replace('q6-1', 'q6-2').replace('evt_1', 'evt_2')],
  ])('dead-letters an envelope %s as unverified-envelope, counts it and signals nothing', async (_, body) => {
    const { handler, signalled, deadLettered, unverified } = harness();
    const forged = record(body);
    const response = await handler({ Records: [forged] });
    expect(response.batchItemFailures).toEqual([]);
    expect(signalled).toEqual([]);
    expect(deadLettered).toMatchObject([
      { messageId: forged.messageId, problem: { code: 'unverified-envelope' } },
    ]);
    expect(unverified()).toBe(1);
  });

  it("keeps a sealed queued signal's namespaced id, and namespaces a producer's copy of it", async () => {
    const { handler, signalled } = harness();
    const message = {
      workflowId: 'staged-x',
      signal: 'advanceStage',
      payload: { stage: 1 },
      eventId: '@http:key-0123456789abcdef:k-1',
      suppliedId: 'k-1',
    };
    await handler({ Records: [record(gatewayKey.seal(message))] });
    await handler({ Records: [record(JSON.stringify({ ...message, eventId: 'k-1', suppliedId: 'x' }))] });
    expect(signalled.map((command) => [command.eventId, command.suppliedId])).toEqual([
      ['@http:key-0123456789abcdef:k-1', 'k-1'],
      ['@sqs:queue:k-1', 'k-1'],
    ]);
  });
});
