/** The pure decisions behind webhook sources: configuration, event identity, matching, routing. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_GATEWAY_CONFIG } from '../../../functions/core/default-config';
import { GatewayConfigError, parseGatewayConfig } from '../../../functions/core/gateway-config';
import type { GatewayConfig } from '../../../functions/core/gateway-config-model';
import { sqsRecordEventId } from '../../../functions/core/sqs-message';
import { routeWebhookEnvelope } from '../../../functions/core/webhook-envelope';
import { decideWebhook, identifyWebhook } from '../../../functions/core/webhook-routing';
import { formatWebhookPath, parseWebhookPath } from '../../../functions/core/webhook-fields';
import { compileGlob } from '../../../functions/core/webhook-routes';
import type { SourceConfigInput } from '../../../functions/core/webhook-sources';
import { parseSecretValue } from '../../../functions/core/webhook-verifiers';

const DIGEST = 'ab'.repeat(32);
const targets = DEFAULT_GATEWAY_CONFIG.targets;

function withSources(...sources: SourceConfigInput[]): GatewayConfig {
  return parseGatewayConfig({ targets, sources });
}

function problemsOf(sources: unknown[]): string[] {
  try {
    parseGatewayConfig({ targets, sources });
  } catch (error) {
    if (error instanceof GatewayConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

const route = (extra: Record<string, unknown> = {}) => ({
  name: 'r',
  workflowId: 'staged-{data.key}',
  signal: 'advanceStage',
  payload: { stage: { value: 1 } },
  ...extra,
});

describe('source configuration', () => {
  it('accepts the local default demo sources', () => {
    const config = parseGatewayConfig(DEFAULT_GATEWAY_CONFIG);
    expect(config.sources.map((source) => source.name)).toEqual([
      'stripe',
      'github',
      'standard-webhooks',
      'slack',
      'shopify',
      'partner',
    ]);
  });

  it('reports every problem at once, each named by where it is', () => {
    const broken = [
      { name: 'stripe', verifier: { preset: 'stripe' }, routes: [route({ update: 'setStage' })] },
      { name: 'stripe', verifier: { preset: 'none' }, secret: { env: 'X' } },
      {
        name: 'gh',
        verifier: { preset: 'github' },
        secret: { env: 'GH' },
        routes: [
          route({ match: { type: 'a', typeGlob: 'b.*' } }),
          route({ name: 'bad-template', workflowId: 'staged-{data..key}' }),
          route({ name: 'undeclared', signal: 'terminate' }),
        ],
      },
    ];
    expect(problemsOf(broken)).toEqual(
      expect.arrayContaining([
        'sources: the name "stripe" is declared twice',
        expect.stringContaining('sources[0].secret: the stripe verifier needs a secret'),
        'sources[0].routes[0]: set exactly one of "signal", "update" or "start"',
        'sources[1].secret: the none verifier takes no secret',
        'sources[2].routes[0].match: set at most one of "type", "typePrefix", "typeGlob"',
        expect.stringContaining('sources[2].routes[1].workflowId: '),
        expect.stringContaining(
          'sources[2].routes[2].signal: "terminate" is not declared by target "staged"',
        ),
      ]),
    );
    // Schema violations are reported before compiling, each with its path.
    expect(problemsOf([...broken, { name: 'Bad Name', verifier: { preset: 'hmac' } }])).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^sources\.3\.name: /),
        expect.stringMatching(/^sources\.3\.verifier\.header: /),
      ]),
    );
  });

  it('refuses a secret that is not a Secrets Manager ARN', () => {
    expect(
      problemsOf([{ name: 's', verifier: { preset: 'stripe' }, secret: { secretArn: 'whsec_x' } }]),
    ).toEqual([expect.stringContaining('sources.0.secret')]);
  });
});

describe('field paths, globs and secret values', () => {
  it('reads body fields by default, headers under headers., and the whole body as body', () => {
    expect(parseWebhookPath('data.object.id')).toEqual({ ok: true, path: ['body', 'data', 'object', 'id'] });
    expect(parseWebhookPath('headers.X-GitHub-Event')).toEqual({
      ok: true,
      path: ['headers', 'x-github-event'],
    });
    expect(parseWebhookPath('body.headers')).toEqual({ ok: true, path: ['body', 'headers'] });
    expect(parseWebhookPath('body')).toEqual({ ok: true, path: ['body'] });
    expect(parseWebhookPath('headers.a.b').ok).toBe(false);
    expect(parseWebhookPath('data..id').ok).toBe(false);
    expect(formatWebhookPath(['body', 'data', 'id'])).toBe('data.id');
    expect(formatWebhookPath(['headers', 'x-a'])).toBe('headers.x-a');
    expect(formatWebhookPath(['body'])).toBe('body');
  });

  it('matches * within one dot-separated part and ** across parts, all else literally', () => {
    expect(compileGlob('pull_request.*').test('pull_request.closed')).toBe(true);
    expect(compileGlob('pull_request.*').test('pull_request.review.submitted')).toBe(false);
    expect(compileGlob('customer.**').test('customer.subscription.updated')).toBe(true);
    expect(compileGlob('a.b').test('aXb')).toBe(false);
    expect(compileGlob('orders/*').test('orders/paid')).toBe(true);
  });

  it('takes one secret or a JSON array of them (rotation)', () => {
    expect(parseSecretValue(' whsec_abc \n')).toEqual({ ok: true, secrets: ['whsec_abc'] });
    expect(parseSecretValue('["new","old"]')).toEqual({ ok: true, secrets: ['new', 'old'] });
    expect(parseSecretValue('[]').ok).toBe(false);
    expect(parseSecretValue('[1]').ok).toBe(false);
    expect(parseSecretValue('').ok).toBe(false);
  });
});

describe('event identity', () => {
  const config = parseGatewayConfig(DEFAULT_GATEWAY_CONFIG);
  const source = (name: string) => config.sources.find((candidate) => candidate.name === name)!;

  it('uses the provider id, namespaced by the source, and the digest where the provider signs none', () => {
    expect(
      identifyWebhook(
        source('stripe'),
        { body: { id: 'evt_1', type: 'charge.succeeded' }, headers: {} },
        DIGEST,
      ),
    ).toEqual({
      eventId: 'stripe:evt_1',
      eventType: 'charge.succeeded',
    });
    // GitHub signs the body only: a forged X-GitHub-Delivery must not make a replay a new event.
    const github = identifyWebhook(
      source('github'),
      {
        body: { action: 'closed' },
        headers: { 'x-github-event': 'pull_request', 'x-github-delivery': 'forged' },
      },
      DIGEST,
    );
    expect(github).toEqual({ eventId: `github:sha256-${DIGEST}`, eventType: 'pull_request.closed' });
    expect(
      identifyWebhook(source('github'), { body: {}, headers: { 'x-github-event': 'ping' } }, DIGEST)
        .eventType,
    ).toBe('ping');
    expect(
      identifyWebhook(
        source('slack'),
        { body: { event_id: 'Ev1', type: 'event_callback', event: { type: 'app_mention' } }, headers: {} },
        DIGEST,
      ),
    ).toEqual({ eventId: 'slack:Ev1', eventType: 'app_mention' });
    expect(
      identifyWebhook(source('shopify'), { body: {}, headers: { 'x-shopify-topic': 'orders/paid' } }, DIGEST),
    ).toEqual({
      eventId: `shopify:sha256-${DIGEST}`,
      eventType: 'orders/paid',
    });
  });

  it('binds an unsigned type header into the event id of GitHub and Shopify, never an unsigned delivery id', () => {
    const digestOf = (type: string | undefined) => (type === undefined ? 'body' : `body+${type}`);
    const shopify = (topic: string, webhookId: string) =>
      identifyWebhook(
        source('shopify'),
        { body: { id: 7 }, headers: { 'x-shopify-topic': topic, 'x-shopify-webhook-id': webhookId } },
        digestOf,
      );
    // The same signed body as two topics: two events, each of its own topic's routes.
    expect(shopify('orders/create', 'w1').eventId).toBe('shopify:sha256-body+orders/create');
    expect(shopify('orders/paid', 'w1').eventId).toBe('shopify:sha256-body+orders/paid');
    // A forged (unsigned) webhook id never makes a replay a new event.
    expect(shopify('orders/paid', 'w2').eventId).toBe(shopify('orders/paid', 'w1').eventId);
    expect(
      identifyWebhook(
        source('github'),
        { body: { action: 'closed' }, headers: { 'x-github-event': 'issues', 'x-github-delivery': 'd' } },
        digestOf,
      ).eventId,
    ).toBe('github:sha256-body+issues.closed');
    // A preset that signs its type keeps the body's digest alone.
    expect(identifyWebhook(source('stripe'), { body: {}, headers: {} }, digestOf).eventId).toBe(
      'stripe:sha256-body',
    );
  });

  it('falls back to the digest when the provider id is missing or unusable as an event id', () => {
    for (const id of [undefined, '', 'has spaces', 'x'.repeat(300), { nested: true }]) {
      expect(identifyWebhook(source('stripe'), { body: { id }, headers: {} }, DIGEST).eventId).toBe(
        `stripe:sha256-${DIGEST}`,
      );
    }
  });
});

describe('deciding what a verified webhook comes to', () => {
  const config = withSources({
    name: 'acme',
    verifier: { preset: 'hmac', header: 'x-sig' },
    secret: { env: 'ACME' },
    routes: [
      route({
        name: 'paid',
        match: { typePrefix: 'invoice.', fields: { 'data.currency': { in: ['eur', 'usd'] } } },
      }),
      route({
        name: 'vip',
        match: { type: 'invoice.paid', fields: { 'data.vip': true, 'data.note': { exists: false } } },
        workflowId: 'staged-vip-{data.key}',
      }),
      route({ name: 'again', match: { type: 'invoice.paid' } }),
    ],
  });
  const acme = config.sources[0]!;
  const decide = (body: unknown, headers: Record<string, string> = {}) =>
    decideWebhook(config, acme, { body, headers }, identifyWebhook(acme, { body, headers }, DIGEST));

  it('ignores an event no route wants: type or field conditions', () => {
    expect(decide({ type: 'customer.created', data: { key: 'k' } }).kind).toBe('ignored');
    expect(decide({ type: 'invoice.created', data: { key: 'k', currency: 'gbp' } }).kind).toBe('ignored');
  });

  it('fans out to every matching route, collapsing duplicates of the same workflow and signal', () => {
    const decision = decide({ type: 'invoice.paid', data: { key: 'k', currency: 'eur', vip: true } });
    expect(decision.kind).toBe('routed');
    if (decision.kind !== 'routed') return;
    expect(decision.deliveries.map((d) => [d.route, d.command.workflowId, d.command.payload])).toEqual([
      ['paid', 'staged-k', { stage: 1 }],
      ['vip', 'staged-vip-k', { stage: 1 }],
    ]);
  });

  it('calls a routed event without its key unusable, naming the field as the route wrote it', () => {
    const decision = decide({ type: 'invoice.paid', data: { currency: 'eur' } });
    expect(decision).toMatchObject({
      kind: 'unusable',
      route: 'paid',
      problem: { code: 'event-field-missing', field: 'data.key' },
    });
  });

  it('routes a queued envelope with the configuration in force, and nothing when no route wants it any more', () => {
    const envelope = (type: string) => ({
      webhook: {
        source: 'acme',
        verifiedBy: 'hmac',
        eventId: 'acme:evt-1',
        headers: {},
        body: JSON.stringify({ type, data: { key: 'k', currency: 'usd' } }),
        receivedAt: new Date().toISOString(),
      },
    });
    const routed = routeWebhookEnvelope(config, envelope('invoice.paid'));
    expect(routed.ok && routed.value.map((d) => [d.command.workflowId, d.command.eventId])).toEqual([
      ['staged-k', 'acme:evt-1'],
    ]);
    expect(routeWebhookEnvelope(config, envelope('customer.created'))).toEqual({ ok: true, value: [] });
    // Dead-lettered again, it keeps the event id it was acknowledged with.
    expect(sqsRecordEventId({ messageId: 'm-1', body: JSON.stringify(envelope('x')) })).toBe('acme:evt-1');
    expect(
      routeWebhookEnvelope(config, { webhook: { ...envelope('x').webhook, source: 'gone' } }),
    ).toMatchObject({
      ok: false,
      problem: { code: 'source-not-found' },
    });
  });
});
