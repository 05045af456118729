import { describe, expect, it } from 'vitest';
import { DEFAULT_GATEWAY_CONFIG } from '../../../functions/core/default-config';
import { namespaceEventId, reservedPrefixOf } from '../../../functions/core/event-ids';
import { parseGatewayConfig } from '../../../functions/core/gateway-config';
import { PROBLEMS } from '../../../functions/core/problems';

const config = parseGatewayConfig(DEFAULT_GATEWAY_CONFIG);
const ns = (supplied: string, caller = 'key-0123456789abcdef') =>
  namespaceEventId(config, { entry: 'http', caller, supplied, field: 'header.idempotency-key' });

describe('caller-supplied event ids', () => {
  it('live under their entry point and caller, and keep the supplied id beside', () => {
    expect(ns('order-42')).toEqual({
      ok: true,
      value: { eventId: '@http:key-0123456789abcdef:order-42', suppliedId: 'order-42' },
    });
    // Two callers with the same key are two events.
    expect(ns('order-42', 'anonymous')).toMatchObject({ value: { eventId: '@http:anonymous:order-42' } });
  });

  it.each(DEFAULT_GATEWAY_CONFIG.sources.map((source) => source.name))(
    'refuses an id that would pass for the %s source’s, with 422 reserved-event-id',
    (name) => {
      const refused = ns(`${name}:evt_X`);
      expect(refused).toMatchObject({
        ok: false,
        problem: { code: 'reserved-event-id', field: 'header.idempotency-key' },
      });
      expect(PROBLEMS['reserved-event-id'].status).toBe(422);
    },
  );

  it("refuses an id in the gateway's own namespaces, so none can be forged", () => {
    expect(ns('@sqs:queue:e-1')).toMatchObject({ ok: false, problem: { code: 'reserved-event-id' } });
    expect(reservedPrefixOf(config, 'stripe-like:evt')).toBeUndefined();
  });

  it('still refuses unusable ids with 400 naming the field', () => {
    expect(ns('has space')).toMatchObject({
      ok: false,
      problem: { code: 'invalid-request', field: 'header.idempotency-key' },
    });
  });
});
