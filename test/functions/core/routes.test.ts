import { describe, expect, it } from 'vitest';
import { DEFAULT_GATEWAY_CONFIG } from '../../../functions/core/default-config';
import {
  GatewayConfigError,
  parseGatewayConfig,
  type GatewayConfigInput,
} from '../../../functions/core/gateway-config';
import { parseTemplate, renderTemplate } from '../../../functions/core/route-expressions';
import { routeCloudEvent } from '../../../functions/core/routes';

const stageSchema = {
  type: 'object',
  properties: { stage: { type: 'integer', minimum: 0, maximum: 3 } },
  required: ['stage'],
  additionalProperties: false,
};

const targets: GatewayConfigInput['targets'] = [
  {
    name: 'orders',
    workflowIdPattern: '^order-[A-Za-z0-9-]+$',
    workflowType: 'orderWorkflow',
    taskQueue: 'orders',
    signals: { paid: { schema: {} }, advanceStage: { schema: stageSchema } },
    updates: { setStage: { schema: stageSchema } },
    startIfMissing: false,
  },
  {
    name: 'audit',
    workflowIdPattern: '^audit-.+$',
    workflowType: 'auditWorkflow',
    taskQueue: 'audit',
    signals: { record: { schema: {} } },
  },
];

const config = parseGatewayConfig({
  targets,
  routes: [
    {
      name: 'payment-succeeded',
      match: { type: 'com.pay.payment.succeeded', source: '/payments' },
      workflowId: 'order-{data.orderId}',
      signal: 'paid',
      payload: 'data',
    },
    {
      name: 'payment-audit',
      match: { typePrefix: 'com.pay.' },
      workflowId: 'audit-{source}-{data.orderId}',
      signal: 'record',
      payload: { kind: 'type', order: 'data.orderId' },
      startIfMissing: true,
    },
    {
      name: 'stage-set',
      match: { type: 'com.example.stage.set' },
      workflowId: 'order-{data.order.id}',
      update: 'setStage',
      payload: { stage: 'data.stage' },
    },
  ],
});

const event = (overrides: Record<string, unknown> = {}) => ({
  specversion: '1.0',
  id: 'evt-1',
  source: '/payments',
  type: 'com.pay.payment.succeeded',
  data: { orderId: 'A7', amount: 12 },
  ...overrides,
});

describe('routing a CloudEvent', () => {
  it('fans one event out to every matching route, each with its own workflow and argument', () => {
    const routed = routeCloudEvent(config, event());
    expect(routed.ok).toBe(true);
    if (!routed.ok) return;
    expect(routed.value.map((r) => [r.route, r.kind, r.command.workflowId])).toEqual([
      ['payment-succeeded', 'signal', 'order-A7'],
      ['payment-audit', 'signal', 'audit-/payments-A7'],
    ]);
    expect(routed.value[0]!.command).toMatchObject({
      payload: { orderId: 'A7', amount: 12 },
      eventId: 'evt-1',
    });
    expect(routed.value[1]!.command.payload).toEqual({ kind: 'com.pay.payment.succeeded', order: 'A7' });
  });

  it('matches the source exactly: the same type from another source skips that route', () => {
    const routed = routeCloudEvent(config, event({ source: '/refunds' }));
    expect(routed.ok && routed.value.map((r) => r.route)).toEqual(['payment-audit']);
  });

  it('matches a type prefix but not a type that merely contains it', () => {
    expect(routeCloudEvent(config, event({ type: 'com.pay.refund', source: 'x' }))).toMatchObject({
      ok: true,
    });
    expect(routeCloudEvent(config, event({ type: 'org.com.pay.refund' }))).toMatchObject({
      ok: false,
      problem: { code: 'no-matching-route', field: 'type' },
    });
  });

  it('answers no-matching-route (422) when no route takes the event', () => {
    expect(routeCloudEvent(config, event({ type: 'com.other.thing' }))).toMatchObject({
      ok: false,
      problem: { code: 'no-matching-route' },
    });
  });

  it('names a missing correlation field (422 event-field-missing)', () => {
    expect(routeCloudEvent(config, event({ data: { amount: 12 } }))).toMatchObject({
      ok: false,
      problem: { code: 'event-field-missing', field: 'data.orderId' },
    });
    expect(routeCloudEvent(config, event({ data: undefined }))).toMatchObject({
      ok: false,
      problem: { code: 'event-field-missing', field: 'data.orderId' },
    });
  });

  it('refuses an object, null or empty string as part of a workflow ID', () => {
    for (const orderId of [{ nested: 1 }, null, '', [1]]) {
      expect(routeCloudEvent(config, event({ data: { orderId } }))).toMatchObject({
        ok: false,
        problem: { code: 'event-field-missing', field: 'data.orderId' },
      });
    }
  });

  it('refuses the whole event when one matching route cannot use it, before anything is delivered', () => {
    // The audit route could use an order ID with a space; the orders target cannot.
    expect(routeCloudEvent(config, event({ data: { orderId: 'A 7' } }))).toMatchObject({
      ok: false,
      problem: { code: 'target-not-declared' },
    });
  });

  it('routes updates, mapping chosen fields and naming the event field a bad value came from', () => {
    const setStage = { type: 'com.example.stage.set', source: 'erp' };
    const routed = routeCloudEvent(config, event({ ...setStage, data: { order: { id: 'B1' }, stage: 2 } }));
    expect(routed).toMatchObject({
      ok: true,
      value: [
        { kind: 'update', command: { workflowId: 'order-B1', update: 'setStage', payload: { stage: 2 } } },
      ],
    });
    expect(
      routeCloudEvent(config, event({ ...setStage, data: { order: { id: 'B1' }, stage: 'two' } })),
    ).toMatchObject({ ok: false, problem: { code: 'invalid-request', field: 'data.stage' } });
    expect(routeCloudEvent(config, event({ ...setStage, data: { order: { id: 'B1' } } }))).toMatchObject({
      ok: false,
      problem: { code: 'event-field-missing', field: 'data.stage' },
    });
  });

  it("applies a route's start-if-missing over its target's", () => {
    const routed = routeCloudEvent(config, event());
    if (!routed.ok) throw new Error('expected routes');
    expect(routed.value.map((r) => r.target.startIfMissing)).toEqual([false, true]);
  });

  it('uses the CloudEvent id as the event id unless an authenticated id replaces it', () => {
    const routed = routeCloudEvent(config, event(), { eventId: 'msg_2Lh' });
    expect(routed.ok && routed.value.every((r) => r.command.eventId === 'msg_2Lh')).toBe(true);
    expect(routeCloudEvent(config, event({ id: 'has space' }))).toMatchObject({
      ok: false,
      problem: { field: 'id' },
    });
  });

  it('refuses JSON that is not a CloudEvent, naming the attribute', () => {
    expect(routeCloudEvent(config, event({ specversion: '0.3' }))).toMatchObject({
      ok: false,
      problem: { code: 'invalid-request', field: 'specversion' },
    });
    expect(routeCloudEvent(config, { ...event(), id: undefined })).toMatchObject({
      ok: false,
      problem: { field: 'id' },
    });
    expect(routeCloudEvent(config, [event()])).toMatchObject({ ok: false, problem: { field: 'body' } });
    expect(routeCloudEvent(config, event({ BadExt: 1 }))).toMatchObject({
      ok: false,
      problem: { field: 'BadExt' },
    });
  });

  it('routes the local default event to the staged workflow with the stage argument', () => {
    const local = parseGatewayConfig(DEFAULT_GATEWAY_CONFIG);
    const routed = routeCloudEvent(local, {
      specversion: '1.0',
      id: 'e-9',
      source: 'demo',
      type: 'com.example.stage.advanced',
      data: { workflowKey: 'order-42', stage: 1, note: 'ignored' },
    });
    expect(routed).toMatchObject({
      ok: true,
      value: [
        {
          kind: 'signal',
          command: {
            workflowId: 'staged-order-42',
            signal: 'advanceStage',
            payload: { stage: 1 },
            eventId: 'e-9',
          },
          target: { startIfMissing: true },
        },
      ],
    });
  });
});

describe('workflow-ID templates', () => {
  it('fills several fields, numbers and booleans included, and reads array elements by index', () => {
    const parsed = parseTemplate('t-{data.items.1.sku}-{data.n}-{data.flag}');
    if (!parsed.ok) throw new Error(parsed.error);
    expect(
      renderTemplate(parsed.template, { data: { items: [{}, { sku: 'X' }], n: 7, flag: false } }),
    ).toEqual({
      ok: true,
      value: 't-X-7-false',
    });
  });

  it('never reads inherited properties such as constructor or __proto__', () => {
    const parsed = parseTemplate('t-{data.constructor}');
    if (!parsed.ok) throw new Error(parsed.error);
    expect(renderTemplate(parsed.template, { data: {} })).toMatchObject({ ok: false });
  });

  it('refuses unbalanced braces and invalid paths', () => {
    expect(parseTemplate('t-{data.x')).toMatchObject({ ok: false });
    expect(parseTemplate('t-data.x}')).toMatchObject({ ok: false });
    expect(parseTemplate('t-{}')).toMatchObject({ ok: false });
    expect(parseTemplate('t-{Data.x}')).toMatchObject({ ok: false });
    expect(parseTemplate('t-{data..x}')).toMatchObject({ ok: false });
  });
});

describe('route configuration', () => {
  const route = {
    name: 'r',
    match: { type: 'x' },
    workflowId: 'order-{data.id}',
    signal: 'paid',
  };

  function problemsOf(routes: unknown[]): string[] {
    try {
      parseGatewayConfig({ targets, routes });
    } catch (error) {
      if (error instanceof GatewayConfigError) return [...error.problems];
      throw error;
    }
    return [];
  }

  it('accepts a valid route and defaults the payload to the whole data', () => {
    expect(problemsOf([route])).toEqual([]);
  });

  it('reports every route problem at once, naming each route', () => {
    const problems = problemsOf([
      { ...route, match: { type: 'x', typePrefix: 'y' } },
      { ...route, name: 'r2', signal: undefined },
      { ...route, name: 'r3', workflowId: 'order-{data.id' },
      { ...route, name: 'r4', payload: { stage: 'Data.stage' } },
      { ...route, name: 'r5', signal: 'neverDeclared' },
      { ...route, name: 'r6', workflowId: 'nobody-knows-me' },
      { ...route, name: 'r5' },
    ]);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^routes\[0\]\.match: set exactly one/),
        expect.stringMatching(/^routes\[1\]: set exactly one of "signal", "update" or "start"/),
        expect.stringMatching(/^routes\[2\]\.workflowId: .*unbalanced brace/),
        expect.stringMatching(/^routes\[3\]\.payload\.stage: /),
        expect.stringMatching(/^routes\[4\]\.signal: "neverDeclared" is not declared by target "orders"/),
        expect.stringMatching(/^routes\[5\]\.workflowId: "nobody-knows-me" matches no declared target/),
        expect.stringMatching(/^routes: the name "r5" is declared twice/),
      ]),
    );
    expect(problems).toHaveLength(7);
  });

  it('checks an update route against the updates its target declares', () => {
    expect(problemsOf([{ ...route, signal: undefined, update: 'paid' }])).toEqual([
      expect.stringMatching(/^routes\[0\]\.update: "paid" is not declared by target "orders"/),
    ]);
  });

  it('lists unknown keys with their paths', () => {
    expect(problemsOf([{ ...route, typo: true }])).toEqual([expect.stringContaining('routes.0')]);
  });
});
