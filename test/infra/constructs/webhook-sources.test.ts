/**
 * Webhook sources as props of `TemporalEventGateway`: a secret per source (created, or an imported
 * `ISecret`) granted to the ingest function and passed by ARN — never the value — the sources in the
 * function's configuration file, the DLQ the function dead-letters to, and synth refusing sources
 * in queue ingest mode. The configuration file and environment are then loaded as the function
 * loads them at cold start.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import { loadSourceRuntimes } from '../../../functions/adapters/webhook-secrets';
import { GATEWAY_ENV } from '../../../functions/core/env-names';
import { parseGatewayConfigJson } from '../../../functions/core/gateway-config';
import {
  sourceSecretArnVariable,
  WebhookSources,
  type WebhookSourceProps,
} from '../../../infra/constructs/webhook-sources';
import {
  applyNagPacks,
  TemporalConnection,
  TemporalEventGateway,
  type TemporalEventGatewayProps,
} from '../../../infra/index';
import {
  functionEnvironment,
  logicalId,
  propsProblemsOf,
  resourcesOfType,
  roleStatements,
} from '../support/template';

const IMPORTED_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:github-webhook-AbCdEf';

const ROUTING: TemporalEventGatewayProps['routing'] = {
  targets: [
    {
      name: 'order',
      workflowIdPattern: '^order-[A-Za-z0-9-]{1,40}$',
      workflowType: 'orderWorkflow',
      taskQueue: 'orders',
      signals: { paymentReceived: {}, pullRequest: {} },
    },
  ],
};

function sources(stack: Stack): WebhookSourceProps[] {
  return [
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
    {
      name: 'github',
      verifier: { preset: 'github' },
      secret: secretsmanager.Secret.fromSecretCompleteArn(stack, 'GithubSecret', IMPORTED_ARN),
      routes: [
        {
          name: 'pr',
          match: { typeGlob: 'pull_request.*' },
          workflowId: 'order-pr-{number}',
          signal: 'pullRequest',
        },
      ],
    },
    { name: 'internal', verifier: { preset: 'none' } },
  ];
}

function build(props: Partial<TemporalEventGatewayProps> = {}, nag = false) {
  const app = new App({ context: { 'aws:cdk:enable-asset-metadata': true } });
  const stack = new Stack(app, 'Orders');
  const temporal = new TemporalConnection(stack, 'Temporal', {
    address: 'orders.a1b2c.tmprl.cloud:7233',
    namespace: 'orders.a1b2c',
    taskQueue: 'orders',
    auth: 'api-key',
  });
  const gateway = new TemporalEventGateway(stack, 'Gateway', {
    temporal,
    routing: ROUTING,
    sources: sources(stack),
    ...props,
  });
  if (nag) applyNagPacks(app);
  const assembly = app.synth();
  return { stack, gateway, assembly, template: Template.fromStack(stack) };
}

describe('TemporalEventGateway with webhook sources', () => {
  const built = build();
  const httpId = logicalId(built.stack, built.gateway.httpFunction!.function);
  const env = functionEnvironment(built.template, httpId);
  const created = resourcesOfType(built.template, 'AWS::SecretsManager::Secret').filter(([, secret]) =>
    String(secret.Properties?.Description).startsWith('Webhook source "stripe"'),
  );

  it('creates a secret for a source without one and imports the given ISecret, passing both by ARN', () => {
    expect(created).toHaveLength(1);
    const [createdId] = created[0]!;
    expect(env[sourceSecretArnVariable('stripe')]).toEqual({ Ref: createdId });
    expect(env[sourceSecretArnVariable('github')]).toBe(IMPORTED_ARN);
    expect(env[sourceSecretArnVariable('internal')]).toBeUndefined();
    // No secret value, only ARNs: nothing in the environment is a literal secret.
    for (const value of Object.values(env))
      expect(JSON.stringify(value)).not.toMatch(/whsec_|"SecretString"/);
    expect(created[0]![1]).toMatchObject({ DeletionPolicy: 'Retain' });
  });

  it('grants the ingest function read access to each source secret, and sending to the DLQ', () => {
    const roleId = logicalId(built.stack, built.gateway.httpFunction!.role);
    const statements = JSON.stringify(roleStatements(built.template, roleId));
    expect(statements).toContain('secretsmanager:GetSecretValue');
    expect(statements).toContain(created[0]![0]);
    expect(statements).toContain(IMPORTED_ARN);
    expect(env[GATEWAY_ENV.dlqUrl]).toBeDefined();
  });

  it('puts the sources in the function configuration, which loads as at cold start and reads each secret by ARN', async () => {
    const resource = (
      built.template.toJSON() as { Resources: Record<string, { Metadata?: Record<string, string> }> }
    ).Resources[httpId];
    const dir = join(built.assembly.directory, resource!.Metadata!['aws:asset:path']!);
    const config = parseGatewayConfigJson(readFileSync(join(dir, 'gateway-config.json'), 'utf8'));
    expect(config.sources.map((source) => [source.name, source.secret])).toEqual([
      ['stripe', { secretArnEnv: sourceSecretArnVariable('stripe') }],
      ['github', { secretArnEnv: sourceSecretArnVariable('github') }],
      ['internal', undefined],
    ]);
    const read: string[] = [];
    const loaded = await loadSourceRuntimes(config.sources, {
      env: {
        [sourceSecretArnVariable('stripe')]: 'arn:stripe',
        [sourceSecretArnVariable('github')]: IMPORTED_ARN,
      },
      secret: (arn) => {
        read.push(arn);
        return Promise.resolve('["new-secret","old-secret"]');
      },
    });
    expect(loaded.ok).toBe(true);
    expect(read.sort()).toEqual([IMPORTED_ARN, 'arn:stripe']);
  });

  it('passes cdk-nag with created and imported source secrets', () => {
    expect(() => build({}, true)).not.toThrow();
  });

  it('refuses webhook sources at synth with queue ingest, naming each verifier it cannot run', () => {
    const problems = propsProblemsOf(() =>
      build({ ingestMode: 'queue', gatewayAuth: 'none', apiAuthorization: { kind: 'iam' } }),
    );
    expect(problems).toEqual([
      expect.stringContaining(
        'sources.0: ingestMode queue cannot run the stripe verifier of source "stripe"',
      ),
      expect.stringContaining('sources.1: ingestMode queue cannot run the github verifier'),
      expect.stringContaining('sources.2: ingestMode queue cannot run the none verifier'),
    ]);
  });

  it('reports a source route that its target does not allow, by its path', () => {
    const problems = propsProblemsOf(() =>
      build({
        sources: [
          {
            name: 'stripe',
            verifier: { preset: 'stripe' },
            routes: [{ name: 'paid', workflowId: 'order-{data.id}', signal: 'refund' }],
          },
        ],
      }),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^routing\.sources\[0\]\.routes\[0\]\.signal: "refund" is not declared/),
    ]);
  });
});

describe('WebhookSources on its own', () => {
  it('refuses a secret for the none verifier', () => {
    const stack = new Stack(new App(), 'S');
    const secret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'S', IMPORTED_ARN);
    expect(
      () =>
        new WebhookSources(stack, 'Sources', {
          sources: [{ name: 'x', verifier: { preset: 'none' }, secret }],
        }),
    ).toThrow(/the none verifier takes no secret/);
  });
});
