/**
 * A route's argument follows the target's schema: a mapped field the provider's event lacks is left
 * out when the signal's schema makes it optional, takes the mapping's default when it gives one, and
 * makes the event unusable (event-field-missing, naming the field) only when the schema requires it.
 * Real provider payloads: GitHub's from @octokit/webhooks-examples, a Stripe PaymentIntent event.
 */
import githubExamples from '@octokit/webhooks-examples/api.github.com/index.json' with { type: 'json' };
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseGatewayConfig } from '../../../functions/core/gateway-config';
import type { GatewayConfig } from '../../../functions/core/gateway-config-model';
import { routeCloudEvent } from '../../../functions/core/routes';
import { decideWebhook, identifyWebhook } from '../../../functions/core/webhook-routing';
import type { SourceConfigInput } from '../../../functions/core/webhook-sources';

const DIGEST = 'cd'.repeat(32);

/** A review workflow whose signal needs the PR number and may carry a label. */
const reviewTarget = (labelRequired: boolean) => ({
  name: 'review',
  workflowIdPattern: '^review-[0-9]+$',
  workflowType: 'reviewWorkflow',
  taskQueue: 'reviews',
  signals: {
    prChanged: {
      schema: {
        type: 'object',
        properties: { number: { type: 'integer' }, label: { type: 'string' } },
        required: labelRequired ? ['number', 'label'] : ['number'],
        additionalProperties: false,
      },
    },
  },
});

function githubConfig(labelRequired: boolean, label: unknown = 'label.name'): GatewayConfig {
  const source: SourceConfigInput = {
    name: 'github',
    verifier: { preset: 'github' },
    secret: { env: 'GITHUB_SECRET' },
    routes: [
      {
        name: 'pr',
        match: { typeGlob: 'pull_request.*' },
        workflowId: 'review-{pull_request.number}',
        signal: 'prChanged',
        payload: { number: 'pull_request.number', label } as never,
      },
    ],
  };
  return parseGatewayConfig({ targets: [reviewTarget(labelRequired)], sources: [source] });
}

function pullRequestEvent(action: string): Record<string, unknown> {
  const group = (githubExamples as { name: string; examples: Record<string, unknown>[] }[]).find(
    (entry) => entry.name === 'pull_request',
  )!;
  return structuredClone(group.examples.find((example) => example.action === action)!);
}

function decide(config: GatewayConfig, body: Record<string, unknown>) {
  const source = config.sources[0]!;
  const document = { body, headers: { 'x-github-event': 'pull_request', 'x-github-delivery': 'd-1' } };
  return decideWebhook(config, source, document, identifyWebhook(source, document, DIGEST));
}

describe('a webhook mapping against the signal schema (GitHub pull_request payloads)', () => {
  const opened = pullRequestEvent('opened');
  const labeled = pullRequestEvent('labeled');
  const number = (opened.pull_request as { number: number }).number;

  it('the real payloads differ in the mapped field: "opened" has no label, "labeled" has one', () => {
    expect(opened.label).toBeUndefined();
    expect((labeled.label as { name: string }).name).toEqual(expect.any(String));
  });

  it('leaves out a field the event lacks when the schema makes it optional', () => {
    const decision = decide(githubConfig(false), opened);
    expect(decision).toMatchObject({ kind: 'routed' });
    if (decision.kind !== 'routed') return;
    expect(decision.deliveries.map((delivery) => delivery.command.payload)).toEqual([{ number }]);
  });

  it('passes the field when the event has it', () => {
    const decision = decide(githubConfig(false), labeled);
    if (decision.kind !== 'routed') throw new Error(`expected routed, got ${decision.kind}`);
    const labeledNumber = (labeled.pull_request as { number: number }).number;
    expect(decision.deliveries[0]?.command.payload).toEqual({
      number: labeledNumber,
      label: (labeled.label as { name: string }).name,
    });
  });

  it('calls the event unusable, naming the missing field, when the schema requires it', () => {
    expect(decide(githubConfig(true), opened)).toMatchObject({
      kind: 'unusable',
      route: 'pr',
      problem: {
        code: 'event-field-missing',
        field: 'label.name',
        detail: expect.stringContaining('the signal "prChanged" requires') as unknown,
      },
    });
  });

  it("uses the mapping's default for a field the event lacks, required or not", () => {
    const withDefault = githubConfig(true, { path: 'label.name', default: 'unlabelled' });
    const decision = decide(withDefault, opened);
    if (decision.kind !== 'routed') throw new Error(`expected routed, got ${decision.kind}`);
    expect(decision.deliveries[0]?.command.payload).toEqual({ number, label: 'unlabelled' });
    const present = decide(withDefault, labeled);
    if (present.kind !== 'routed') throw new Error(`expected routed, got ${present.kind}`);
    expect(present.deliveries[0]?.command.payload).toMatchObject({
      label: (labeled.label as { name: string }).name,
    });
  });

  it('refuses a default whose path is not a field path, at configuration time', () => {
    expect(() => githubConfig(false, { path: 'label..name', default: 'x' })).toThrow(/payload\.label\.path/);
  });
});

describe('a CloudEvent mapping against the signal schema (a Stripe PaymentIntent as data)', () => {
  const stripeEvent = JSON.parse(
    readFileSync(
      new URL('../../package/fixtures/stripe-payment-intent-succeeded.json', import.meta.url),
      'utf8',
    ),
  ) as { data: { object: Record<string, unknown> } };
  const config = parseGatewayConfig({
    targets: [
      {
        name: 'order',
        workflowIdPattern: '^order-[0-9]+$',
        workflowType: 'orderWorkflow',
        taskQueue: 'orders',
        signals: {
          paymentReceived: {
            schema: {
              type: 'object',
              properties: { amount: { type: 'number' }, currency: { type: 'string', minLength: 3 } },
              required: ['amount'],
            },
          },
        },
      },
    ],
    routes: [
      {
        name: 'paid',
        match: { type: 'com.stripe.payment_intent.succeeded' },
        workflowId: 'order-{data.object.metadata.orderId}',
        signal: 'paymentReceived',
        payload: { amount: 'data.object.amount_received', currency: 'data.object.currency' },
      },
    ],
  });
  const cloudEvent = (data: unknown) => ({
    specversion: '1.0',
    id: 'evt-1',
    source: 'stripe',
    type: 'com.stripe.payment_intent.succeeded',
    data,
  });

  it('delivers an intent without a currency, leaving the optional field out', () => {
    const { currency: _currency, ...withoutCurrency } = stripeEvent.data.object;
    const routed = routeCloudEvent(config, cloudEvent({ object: withoutCurrency }));
    expect(routed).toMatchObject({ ok: true, value: [{ command: { payload: { amount: 9950 } } }] });
    if (routed.ok) expect(routed.value[0]?.command.payload).not.toHaveProperty('currency');
  });

  it('dead-letters an intent without the required amount, naming the field', () => {
    const { amount_received: _amount, ...withoutAmount } = stripeEvent.data.object;
    expect(routeCloudEvent(config, cloudEvent({ object: withoutAmount }))).toMatchObject({
      ok: false,
      problem: { code: 'event-field-missing', field: 'data.object.amount_received' },
    });
  });
});
