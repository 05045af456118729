import { describe, expect, it } from 'vitest';
import { v5 as uuidv5 } from 'uuid';
import { deliveryRequestId } from '../../../functions/adapters/request-id';

describe('delivery request ids', () => {
  it('are stable for the same workflow, operation and event', () => {
    expect(deliveryRequestId('staged-1', 'advanceStage', 'e1')).toBe(
      deliveryRequestId('staged-1', 'advanceStage', 'e1'),
    );
    expect(deliveryRequestId('staged-1', 'advanceStage', 'e1')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('differ when any part differs, including how the parts are split', () => {
    const ids = new Set([
      deliveryRequestId('staged-1', 'advanceStage', 'e1'),
      deliveryRequestId('staged-2', 'advanceStage', 'e1'),
      deliveryRequestId('staged-1', 'other', 'e1'),
      deliveryRequestId('staged-1', 'advanceStage', 'e2'),
      deliveryRequestId('a-b', 'c', 'e'),
      deliveryRequestId('a', 'b-c', 'e'),
    ]);
    expect(ids.size).toBe(6);
  });
});

describe('delivery request ids against the uuid package', () => {
  const GATEWAY_NAMESPACE = 'a3c1f0d6-5b7e-4c29-9f64-2d8e3b1a7c55';
  const oracle = (workflowId: string, operation: string, eventId: string) =>
    uuidv5(JSON.stringify([workflowId, operation, eventId]), GATEWAY_NAMESPACE);

  it('are exactly its v5 ids in the gateway namespace, ASCII and Unicode alike', () => {
    const parts = [
      '',
      'staged-1',
      'advanceStage',
      'stripe:evt_1PqR2sT3uV4wX5yZ',
      'http:api-key:caller-7:8d1f3e0c-2b4a-4c6d-9e8f-0a1b2c3d4e5f',
      'ordre-été-№42',
      '注文-😀-🚀',
      'a"quoted\\path\n\ttab\u0000nul',
      'lone \ud800 high and \udfff low surrogates',
      'x'.repeat(300),
    ];
    const cases: [string, string, string][] = [];
    for (const workflowId of parts)
      for (const operation of parts.slice(0, 5))
        for (const eventId of parts) cases.push([workflowId, operation, eventId]);
    // And many generated ones, over the whole BMP and beyond.
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const text = () =>
      String.fromCodePoint(
        ...Array.from({ length: Math.floor(random() * 40) }, () => Math.floor(random() * 0x10ffff)),
      );
    for (let i = 0; i < 500; i++) cases.push([text(), text(), text()]);
    for (const [workflowId, operation, eventId] of cases) {
      expect(deliveryRequestId(workflowId, operation, eventId)).toBe(oracle(workflowId, operation, eventId));
    }
  });
});
