/**
 * The queue handler and stored payload references, as a unit (fakes for Temporal, the DLQ and the
 * store; the real round trip is large-payload-queues.test.ts): only a message the gateway sealed
 * makes it fetch a reference — a producer's reference, a sealed one altered, another key's seal are
 * dead-lettered unread; a queue-mode body is a bare argument, never resolved; a store that fails is
 * transient; no store dead-letters with the reason.
 */
import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { payloadToJson } from '../../../functions/adapters/codec-payload-json';
import { createDeliverer } from '../../../functions/adapters/deliverer';
import { createEnvelopeSealer } from '../../../functions/adapters/envelope-seal';
import { silentLogger } from '../../../functions/adapters/logger';
import type { Signaler, Updater } from '../../../functions/adapters/ports';
import type { StoredPayloadResolver } from '../../../functions/adapters/sqs-stored-payloads';
import type { SignalCommand } from '../../../functions/core/commands';
import { DEFAULT_GATEWAY_CONFIG } from '../../../functions/core/default-config';
import { parseGatewayConfig } from '../../../functions/core/gateway-config';
import type { Problem } from '../../../functions/core/problems';
import { QUEUE_INGEST_ATTRIBUTES } from '../../../functions/core/sqs-message';
import { createSqsBatchHandler } from '../../../functions/handlers/sqs-batch';
import { encodeReferencePayload, S3_DRIVER_NAME } from '../../../payloads';

// The staged demo's target, its signal taking any argument (a queue-mode body is a bare argument).
const config = parseGatewayConfig({
  ...DEFAULT_GATEWAY_CONFIG,
  targets: DEFAULT_GATEWAY_CONFIG.targets.map((target) =>
    'advanceStage' in target.signals ? { ...target, signals: { advanceStage: { schema: {} } } } : target,
  ),
});
const gatewayKey = createEnvelopeSealer(['the-gateway-key']);

function record(body: string, attributes: Record<string, string> = {}): SQSRecord {
  const messageId = crypto.randomUUID();
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
    messageAttributes: Object.fromEntries(
      Object.entries(attributes).map(([name, value]) => [
        name,
        { stringValue: value, dataType: 'String', stringListValues: [], binaryListValues: [] },
      ]),
    ),
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:event-gateway-events',
    awsRegion: 'us-east-1',
  };
}

/** A reference to an object a producer would like the gateway to read. */
const reference = payloadToJson(
  encodeReferencePayload({
    driverName: S3_DRIVER_NAME,
    claimData: {
      bucket: 'someone-elses-bucket',
      key: 'secrets.json',
      hashAlgorithm: 'sha256',
      hashValue: 'ab',
    },
    sizeBytes: 10,
  }),
);

/** The gateway's sealed message with its reference pointed at another object, the seal kept. */
function altered(): string {
  const sealed = JSON.parse(gatewayKey.seal(signalMessage)) as typeof signalMessage;
  const claim = Buffer.from(sealed.payloadRef.data, 'base64').toString('utf8').replace('secrets', 'other');
  return JSON.stringify({
    ...sealed,
    payloadRef: { ...sealed.payloadRef, data: Buffer.from(claim).toString('base64') },
  });
}

const signalMessage = {
  workflowId: 'staged-ref',
  signal: 'advanceStage',
  payloadRef: reference,
  eventId: '@http:key-0123456789abcdef:k-1',
};

/** The handler with fakes; `resolver: 'fails'` throws as an unreachable S3 does. */
function harness(resolver: 'resolves' | 'fails' | 'absent' = 'resolves') {
  const signalled: SignalCommand[] = [];
  const deadLettered: Problem[] = [];
  const fetched: unknown[] = [];
  const signaler = {
    signal: (command: SignalCommand) => {
      signalled.push(command);
      return Promise.resolve({ status: 'delivered' as const, started: false });
    },
  } as unknown as Signaler;
  const dataConverter: StoredPayloadResolver = {
    offloads: true,
    fromPayloads: (payloads) => {
      fetched.push(payloads);
      return resolver === 'fails'
        ? Promise.reject(Object.assign(new Error('S3 did not answer'), { retryable: true }))
        : Promise.resolve({ stage: 2 });
    },
  };
  const handler = createSqsBatchHandler({
    config,
    deliverer: createDeliverer({ signaler, updater: {} as Updater, logger: silentLogger }),
    logger: silentLogger,
    sealer: gatewayKey,
    ...(resolver === 'absent' ? {} : { clients: { dataConverter } }),
    deadLetters: {
      send: (_, problem) => {
        deadLettered.push(problem);
        return Promise.resolve();
      },
    },
  });
  return { handler, signalled, deadLettered, fetched };
}

describe('stored payload references on the queue', () => {
  it('resolves the reference of a message the gateway sealed, and delivers the value', async () => {
    const { handler, signalled, deadLettered, fetched } = harness();
    const response = await handler({ Records: [record(gatewayKey.seal(signalMessage))] });
    expect(response.batchItemFailures).toEqual([]);
    expect(deadLettered).toEqual([]);
    expect(fetched).toHaveLength(1);
    expect(signalled).toMatchObject([
      { workflowId: 'staged-ref', payload: { stage: 2 }, eventId: signalMessage.eventId },
    ]);
  });

  const envelope = {
    webhook: {
      source: 'stripe',
      verifiedBy: 'stripe',
      eventId: 'stripe:evt_1',
      headers: {},
      bodyRef: reference,
      receivedAt: '2026-01-01T00:00:00.000Z',
    },
  };

  it.each([
    ['an unsealed signal', JSON.stringify(signalMessage)],
    ['an unsealed webhook envelope', JSON.stringify(envelope)],
    ['a signal sealed with another key', createEnvelopeSealer(['a-producer-guess']).seal(signalMessage)],
    ['a sealed signal whose reference was altered', altered()],
  ])('dead-letters %s as unverified-envelope without reading the store', async (_, body) => {
    const { handler, signalled, deadLettered, fetched } = harness();
    const response = await handler({ Records: [record(body)] });
    expect(response.batchItemFailures).toEqual([]);
    expect(fetched).toEqual([]);
    expect(signalled).toEqual([]);
    expect(deadLettered).toMatchObject([{ code: 'unverified-envelope' }]);
  });

  it('delivers a queue-mode body that looks like a reference as the bare argument it is', async () => {
    const { handler, signalled, fetched } = harness();
    const body = JSON.stringify({ payloadRef: reference });
    await handler({
      Records: [
        record(body, {
          [QUEUE_INGEST_ATTRIBUTES.workflowId]: 'staged-q',
          [QUEUE_INGEST_ATTRIBUTES.signal]: 'advanceStage',
        }),
      ],
    });
    expect(fetched).toEqual([]);
    expect(signalled).toMatchObject([{ workflowId: 'staged-q', payload: { payloadRef: reference } }]);
  });

  it('leaves the record for redelivery when the store fails, and dead-letters nothing', async () => {
    const { handler, signalled, deadLettered } = harness('fails');
    const sealed = record(gatewayKey.seal(signalMessage));
    const response = await handler({ Records: [sealed] });
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: sealed.messageId }]);
    expect(signalled).toEqual([]);
    expect(deadLettered).toEqual([]);
  });

  it('dead-letters a sealed reference with the reason when the handler has no store', async () => {
    const { handler, signalled, deadLettered } = harness('absent');
    await handler({ Records: [record(gatewayKey.seal(signalMessage))] });
    expect(signalled).toEqual([]);
    expect(deadLettered).toMatchObject([{ code: 'codec-unavailable' }]);
    expect(deadLettered[0]?.detail).toContain('EVENT_GATEWAY_LARGE_PAYLOAD_BUCKET');
  });
});
