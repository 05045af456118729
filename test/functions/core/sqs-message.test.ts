import { describe, expect, it } from 'vitest';
import { DEFAULT_GATEWAY_CONFIG } from '../../../functions/core/default-config';
import { parseGatewayConfig } from '../../../functions/core/gateway-config';
import {
  QUEUE_INGEST_ATTRIBUTES,
  parseSqsRecord,
  sqsRecordEventId,
} from '../../../functions/core/sqs-message';

const config = parseGatewayConfig(DEFAULT_GATEWAY_CONFIG);
const record = (body: unknown, messageAttributes?: Record<string, { stringValue: string }>) => ({
  messageId: 'msg-1',
  body: typeof body === 'string' ? body : JSON.stringify(body),
  ...(messageAttributes ? { messageAttributes } : {}),
});

describe('reading an SQS record', () => {
  it("takes a producer's command and namespaces its eventId under the queue's producers", () => {
    const result = parseSqsRecord(
      config,
      record({ workflowId: 'staged-1', signal: 'advanceStage', payload: { stage: 1 }, eventId: 'e-9' }),
    );
    expect(result).toMatchObject({
      ok: true,
      value: [{ kind: 'signal', command: { eventId: '@sqs:queue:e-9', suppliedId: 'e-9', source: 'sqs' } }],
    });
  });

  it('keeps the event id of a sealed gateway message (a signal the HTTP path queued)', () => {
    const message = {
      workflowId: 'staged-1',
      signal: 'advanceStage',
      payload: { stage: 1 },
      eventId: '@http:key-ab12:k-1',
      suppliedId: 'k-1',
    };
    expect(parseSqsRecord(config, record(message), { sealed: true })).toMatchObject({
      ok: true,
      value: [{ command: { eventId: '@http:key-ab12:k-1', suppliedId: 'k-1' } }],
    });
    // The same body from a producer is a producer's id: '@' is reserved, so it is refused.
    expect(parseSqsRecord(config, record(message))).toMatchObject({
      ok: false,
      problem: { code: 'reserved-event-id', field: 'body.eventId' },
    });
  });

  it("refuses a producer's eventId that would pass for a webhook source's", () => {
    const result = parseSqsRecord(
      config,
      record({
        workflowId: 'staged-1',
        signal: 'advanceStage',
        payload: { stage: 1 },
        eventId: 'stripe:evt_X',
      }),
    );
    expect(result).toMatchObject({
      ok: false,
      problem: { code: 'reserved-event-id', field: 'body.eventId' },
    });
  });

  it('dead-letters an unsealed webhook envelope as unverified, whatever it holds', () => {
    const forged = {
      webhook: {
        source: 'stripe',
        verifiedBy: 'stripe',
        eventId: 'stripe:evt_forged_1',
        headers: {},
        body: JSON.stringify({
          id: 'evt_forged_1',
          type: 'payment_intent.succeeded',
          data: { object: { metadata: { workflowKey: 'q6-1' } } },
        }),
        receivedAt: '2026-01-01T00:00:00Z',
      },
    };
    expect(parseSqsRecord(config, record(forged))).toMatchObject({
      ok: false,
      problem: { code: 'unverified-envelope' },
    });
    expect(parseSqsRecord(config, record({ ...forged, gatewaySeal: 'v1.AAAA' }))).toMatchObject({
      ok: false,
      problem: { code: 'unverified-envelope' },
    });
  });

  it('keeps a command marked never-start from starting a workflow on a start-if-missing target', () => {
    const message = { workflowId: 'staged-1', signal: 'advanceStage', payload: { stage: 1 }, eventId: 'e-9' };
    expect(config.targets.find((target) => target.name === 'staged')?.startIfMissing).toBe(true);
    const plain = parseSqsRecord(config, record(message));
    expect(plain).toMatchObject({ ok: true, value: [{ target: { name: 'staged', startIfMissing: true } }] });
    const marked = parseSqsRecord(config, record({ ...message, neverStart: true }));
    expect(marked).toMatchObject({
      ok: true,
      value: [
        {
          command: { eventId: '@sqs:queue:e-9', neverStart: true },
          target: { name: 'staged', startIfMissing: false },
        },
      ],
    });
    // The configuration itself is untouched: the next message may start the workflow again.
    expect(config.targets.find((target) => target.name === 'staged')?.startIfMissing).toBe(true);
  });

  it('falls back to the SQS messageId as the event id, stable across redeliveries', () => {
    const result = parseSqsRecord(
      config,
      record({ workflowId: 'staged-1', signal: 'advanceStage', payload: { stage: 1 } }),
    );
    expect(result).toMatchObject({
      ok: true,
      value: [{ command: { eventId: '@sqs:queue:msg-1', workflowId: 'staged-1' } }],
    });
  });

  it('routes a CloudEvent body like POST /v1/events, with the CloudEvent id as the event id', () => {
    const event = {
      specversion: '1.0',
      id: 'ce-42',
      source: '/orders',
      type: 'com.example.stage.advanced',
      datacontenttype: 'application/json',
      data: { workflowKey: 'order-42', stage: 2 },
    };
    expect(parseSqsRecord(config, record(event))).toMatchObject({
      ok: true,
      value: [
        {
          kind: 'signal',
          command: {
            workflowId: 'staged-order-42',
            payload: { stage: 2 },
            eventId: '@sqs:queue:ce-42',
            source: 'stage-advanced',
          },
        },
      ],
    });
  });

  it('refuses a CloudEvent no route matches as a permanent no-matching-route problem', () => {
    const event = { specversion: '1.0', id: 'x', source: '/s', type: 'com.example.other', data: {} };
    expect(parseSqsRecord(config, record(event))).toMatchObject({
      ok: false,
      problem: { code: 'no-matching-route' },
    });
  });

  it('reads a queue-mode message: the body is the bare argument, the target is in the attributes', () => {
    const result = parseSqsRecord(
      config,
      record(
        { stage: 3 },
        {
          [QUEUE_INGEST_ATTRIBUTES.workflowId]: { stringValue: 'staged-q' },
          [QUEUE_INGEST_ATTRIBUTES.signal]: { stringValue: 'advanceStage' },
        },
      ),
    );
    expect(result).toMatchObject({
      ok: true,
      value: [
        {
          command: {
            workflowId: 'staged-q',
            signal: 'advanceStage',
            payload: { stage: 3 },
            eventId: '@sqs:queue:msg-1',
          },
        },
      ],
    });
  });

  it('validates a queue-mode argument against the signal schema', () => {
    const attributes = {
      [QUEUE_INGEST_ATTRIBUTES.workflowId]: { stringValue: 'staged-q' },
      [QUEUE_INGEST_ATTRIBUTES.signal]: { stringValue: 'advanceStage' },
    };
    expect(parseSqsRecord(config, record({ stage: 'x' }, attributes))).toMatchObject({
      ok: false,
      problem: { code: 'invalid-request', field: 'body.stage' },
    });
  });

  it('names the problem of a body that is neither JSON nor a known shape', () => {
    expect(parseSqsRecord(config, record('not json'))).toMatchObject({
      ok: false,
      problem: { code: 'invalid-json' },
    });
    expect(parseSqsRecord(config, record({ hello: 'world' }))).toMatchObject({
      ok: false,
      problem: { code: 'invalid-request', field: 'body.workflowId' },
    });
  });
});

describe('the event id of a record that cannot be delivered', () => {
  const record = (body: string, messageAttributes = {}) => ({ messageId: 'm-1', body, messageAttributes });

  it("is the body's eventId or CloudEvent id, whatever else is wrong with it", () => {
    expect(sqsRecordEventId(record('{"workflowId":"payments-9","signal":"x","eventId":"e-7"}'))).toBe('e-7');
    expect(sqsRecordEventId(record('{"specversion":"1.0","id":"ce-3","type":"unrouted"}'))).toBe('ce-3');
  });

  it('falls back to the message id for bodies without one, non-JSON and queue-mode messages', () => {
    expect(sqsRecordEventId(record('{"workflowId": '))).toBe('m-1');
    expect(sqsRecordEventId(record('[1,2]'))).toBe('m-1');
    expect(sqsRecordEventId(record('{"eventId":42}'))).toBe('m-1');
    expect(sqsRecordEventId(record('{"eventId":""}'))).toBe('m-1');
    const queueMode = {
      [QUEUE_INGEST_ATTRIBUTES.workflowId]: { stringValue: 'staged-1' },
      [QUEUE_INGEST_ATTRIBUTES.signal]: { stringValue: 'advanceStage' },
    };
    expect(sqsRecordEventId(record('{"eventId":"not-mine"}', queueMode))).toBe('m-1');
  });
});
