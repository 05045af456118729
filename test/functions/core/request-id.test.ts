import { describe, expect, it } from 'vitest';
import { deliveryRequestId } from '../../../functions/core/request-id';

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
