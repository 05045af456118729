/**
 * What `event-gateway dev` reads from a team's synthesized app: every TemporalEventGateway, found by
 * its functions' routing file in the cloud assembly (nested stages included), the one `--gateway`
 * names, and the routing made local — each source's Secrets Manager reference replaced by its local
 * variable, nothing else changed. Then the local secrets: environment over `.env` over what was
 * generated earlier, a missing one generated once and kept (mode 600), and `send`'s view of it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Stage } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TemporalConnection, TemporalEventGateway, type TemporalEventGatewayProps } from '../../infra/index';
import { devSessionEnv, localRouting, writeDevSession } from '../../local/cli/dev-session';
import { localSourceSecretName, resolveLocalSecrets } from '../../local/cli/local-secrets';
import { cloudAssembly, findGateways, pickGateway } from '../../local/dev-app/cloud-assembly';
import { devCodecServer } from '../../local/dev-app/payload-services';
import { SHOP_THRESHOLD_BYTES, SHOP_UI_ORIGIN, synthCustomerApp } from './fixtures/customer-app/app';

const work = mkdtempSync(join(tmpdir(), 'teg-dev-discovery-'));
const assemblyDir = join(work, 'cdk.out');
const customerAssemblyDir = join(work, 'customer.out');

const routing: TemporalEventGatewayProps['routing'] = {
  targets: [
    {
      name: 'order',
      workflowIdPattern: '^order-[0-9]+$',
      workflowType: 'orderWorkflow',
      taskQueue: 'orders',
      signals: { paymentReceived: {} },
    },
  ],
};

beforeAll(() => {
  const app = new App({
    outdir: assemblyDir,
    // What the CDK CLI (and event-gateway dev) passes an app.
    context: { 'aws:cdk:enable-path-metadata': true, 'aws:cdk:enable-asset-metadata': true },
  });
  const stack = new Stack(app, 'Orders');
  const temporal = new TemporalConnection(stack, 'Temporal', {
    address: 'orders.a1b2c.tmprl.cloud:7233',
    namespace: 'orders.a1b2c',
    taskQueue: 'orders',
    auth: 'api-key',
  });
  new TemporalEventGateway(stack, 'Gateway', {
    temporal,
    routing,
    sources: [
      {
        name: 'stripe',
        verifier: { preset: 'stripe' },
        routes: [
          {
            name: 'paid',
            match: { type: 'payment_intent.succeeded' },
            workflowId: 'order-{data.object.metadata.orderId}',
            signal: 'paymentReceived',
          },
        ],
      },
    ],
  });
  // A second gateway in a nested stage: queue ingest, so no ingest function and no auth.
  const stage = new Stage(app, 'Partners');
  const partners = new Stack(stage, 'Ingest');
  new TemporalEventGateway(partners, 'QueueGateway', {
    temporal: new TemporalConnection(partners, 'Temporal', {
      address: 'orders.a1b2c.tmprl.cloud:7233',
      namespace: 'orders.a1b2c',
      taskQueue: 'orders',
      auth: 'api-key',
    }),
    routing,
    ingestMode: 'queue',
  });
  app.synth();
  synthCustomerApp(customerAssemblyDir);
}, 300_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('finding the gateways of a synthesized app', () => {
  it('finds each gateway by construct path, with its auth mode and routing file', () => {
    const gateways = findGateways(assemblyDir);
    expect(gateways.map((gateway) => [gateway.path, gateway.auth])).toEqual([
      ['Orders/Gateway', 'api-key'],
      ['Partners/Ingest/QueueGateway', 'none'],
    ]);
    const config = JSON.parse(gateways[0]!.configJson) as { targets: Array<{ name: string }> };
    expect(config.targets.map((target) => target.name)).toEqual(['order']);
  });

  it('reads an existing assembly given with --app as it is, without synthesizing', async () => {
    const log: string[] = [];
    const options = {
      appDir: work,
      outDir: join(work, 'never-written'),
      log: (line: string) => log.push(line),
    };
    expect(await cloudAssembly({ ...options, app: 'cdk.out' })).toBe(assemblyDir);
    expect(log).toEqual([]);
    await expect(cloudAssembly({ ...options, app: '.' })).rejects.toThrow(/without a manifest\.json/);
  });

  it('asks for --gateway when there are several, and takes the one named', () => {
    const gateways = findGateways(assemblyDir);
    expect(() => pickGateway(gateways, undefined)).toThrow(
      /2 gateways; pick one with --gateway <path>:\n {2}Orders\/Gateway\n {2}Partners\/Ingest\/QueueGateway/,
    );
    expect(pickGateway(gateways, 'Partners/Ingest/QueueGateway').auth).toBe('none');
    expect(() => pickGateway(gateways, 'Orders/Nope')).toThrow(/No gateway at Orders\/Nope/);
    expect(() => pickGateway([], undefined)).toThrow(/has no TemporalEventGateway/);
  });

  it("replaces each source's Secrets Manager reference by its local variable, and nothing else", () => {
    const [orders] = findGateways(assemblyDir);
    const synthesized = JSON.parse(orders!.configJson) as { sources: Array<{ secret: unknown }> };
    expect(synthesized.sources[0]?.secret).toEqual({ secretArnEnv: 'GATEWAY_SOURCE_STRIPE_SECRET_ARN' });
    const local = localRouting(orders!.configJson);
    expect(local.secrets).toEqual([
      { source: 'stripe', preset: 'stripe', name: 'GATEWAY_SOURCE_STRIPE_SECRET', kind: 'stripe' },
    ]);
    const config = JSON.parse(local.configJson) as { sources: Array<{ secret: unknown }> };
    expect(config.sources[0]?.secret).toEqual({ env: 'GATEWAY_SOURCE_STRIPE_SECRET' });
    expect({ ...config, sources: [] }).toEqual({ ...JSON.parse(orders!.configJson), sources: [] });
  });
});

describe("the app's payload props, as event-gateway dev follows them", () => {
  it('reads payloadEncryption, largePayloads with its threshold, and the codec settings from the functions', () => {
    const [codec, plain, shop] = findGateways(customerAssemblyDir);
    expect([codec?.path, plain?.path, shop?.path]).toEqual([
      'Codec/Gateway',
      'Plain/Gateway',
      'Shop/Gateway',
    ]);
    expect(shop?.payloads).toEqual({
      encryption: true,
      largePayloads: { thresholdBytes: SHOP_THRESHOLD_BYTES },
    });
    expect(shop?.codecEnv).toEqual({ GATEWAY_CODEC_ALLOWED_ORIGINS: SHOP_UI_ORIGIN });
    expect(plain?.payloads).toEqual({ encryption: false });
    expect(shop?.codecApiKeys).toBe(true);
    expect(plain?.codecEnv).toEqual({});
    expect(plain?.codecApiKeys).toBe(false);
    // payloadCodec: the module the synth bundled beside the handler, found in the assembly.
    expect(codec?.payloads.encryption).toBe(false);
    expect(codec?.payloads.largePayloads).toBeUndefined();
    expect(codec?.payloads.codecModule).toMatch(/team-codec\.mjs$/);
    expect(existsSync(codec!.payloads.codecModule!)).toBe(true);
    // A gateway without payload props at all (the first app's) reads the same as Plain.
    expect(findGateways(assemblyDir)[0]?.payloads).toEqual({ encryption: false });
  });

  it('serves the codec server to the local UI only when there is something to decode, keeping the app’s origins', () => {
    const [codec, plain, shop] = findGateways(customerAssemblyDir);
    expect(devCodecServer(codec!, 'http://127.0.0.1:3000', 8233)?.endpoint).toBe(
      'http://127.0.0.1:3000/v1/codec',
    );
    expect(devCodecServer(plain!, 'http://127.0.0.1:3000', 8233)).toBeUndefined();
    expect(devCodecServer(shop!, 'http://127.0.0.1:3000', 8233)).toEqual({
      endpoint: 'http://127.0.0.1:3000/v1/codec',
      env: {
        GATEWAY_CODEC_ALLOWED_ORIGINS: `http://localhost:8233,http://127.0.0.1:8233,${SHOP_UI_ORIGIN}`,
        EVENT_GATEWAY_LOCAL_CODEC_LOOPBACK: '1',
      },
    });
    const offloadOnly = { ...plain!, payloads: { encryption: false, largePayloads: {} } };
    expect(devCodecServer(offloadOnly, 'http://127.0.0.1:3000', 8233)?.endpoint).toBe(
      'http://127.0.0.1:3000/v1/codec',
    );
  });
});

describe('local secrets', () => {
  it('derives the local name from the source name', () => {
    expect(localSourceSecretName('stripe')).toBe('GATEWAY_SOURCE_STRIPE_SECRET');
    expect(localSourceSecretName('standard-webhooks')).toBe('GATEWAY_SOURCE_STANDARD_WEBHOOKS_SECRET');
  });

  it('takes the environment over .env over the kept file; generates a missing one once and keeps it', () => {
    const appDir = mkdtempSync(join(work, 'app-'));
    writeFileSync(
      join(appDir, '.env'),
      'GATEWAY_SOURCE_GITHUB_SECRET=from-dotenv\nGATEWAY_API_KEYS=dotenv-key\n',
    );
    const wanted = [
      { name: 'GATEWAY_SOURCE_STRIPE_SECRET', kind: 'stripe' as const },
      { name: 'GATEWAY_SOURCE_GITHUB_SECRET', kind: 'hmac' as const },
      { name: 'GATEWAY_API_KEYS', kind: 'api-key' as const },
    ];
    const first = resolveLocalSecrets(appDir, { GATEWAY_API_KEYS: 'env-key' }, wanted);
    expect(first.map(({ name, origin }) => [name, origin])).toEqual([
      ['GATEWAY_SOURCE_STRIPE_SECRET', 'generated now'],
      ['GATEWAY_SOURCE_GITHUB_SECRET', '.env'],
      ['GATEWAY_API_KEYS', 'environment'],
    ]);
    expect(first[0]?.value).toMatch(/^whsec_[0-9a-f]{48}$/);
    expect(first.slice(1).map((secret) => secret.value)).toEqual(['from-dotenv', 'env-key']);
    const kept = join(appDir, '.event-gateway', 'secrets.env');
    expect(statSync(kept).mode & 0o777).toBe(0o600);
    expect(readFileSync(kept, 'utf8')).toBe(`GATEWAY_SOURCE_STRIPE_SECRET=${first[0]?.value}\n`);

    const again = resolveLocalSecrets(appDir, {}, wanted);
    expect(again[0]).toEqual({ ...first[0], origin: 'generated earlier' });
    expect(again[2]).toMatchObject({ value: 'dotenv-key', origin: '.env' });
    const overridden = resolveLocalSecrets(appDir, { GATEWAY_SOURCE_STRIPE_SECRET: 'whsec_mine' }, wanted);
    expect(overridden[0]).toMatchObject({ value: 'whsec_mine', origin: 'environment' });
  });

  it("gives send the running session's routing, port and secrets, its own environment winning", () => {
    const appDir = mkdtempSync(join(work, 'app-'));
    const [generated] = resolveLocalSecrets(appDir, {}, [
      { name: 'GATEWAY_SOURCE_STRIPE_SECRET', kind: 'stripe' },
    ]);
    writeDevSession(appDir, {
      gatewayUrl: 'http://127.0.0.1:3917',
      auth: 'api-key',
      configJson: '{"targets":[]}',
    });
    expect(devSessionEnv({}, appDir)).toMatchObject({
      GATEWAY_CONFIG: '{"targets":[]}',
      GATEWAY_AUTH: 'api-key',
      GATEWAY_PORT: '3917',
      GATEWAY_SOURCE_STRIPE_SECRET: generated?.value,
    });
    expect(
      devSessionEnv({ GATEWAY_PORT: '4000', GATEWAY_SOURCE_STRIPE_SECRET: 'whsec_x' }, appDir),
    ).toMatchObject({
      GATEWAY_PORT: '4000',
      GATEWAY_SOURCE_STRIPE_SECRET: 'whsec_x',
    });
    // Outside an app running event-gateway dev, the environment alone.
    expect(devSessionEnv({ A: 'b' }, mkdtempSync(join(work, 'other-')))).toEqual({ A: 'b' });
  });
});
