/**
 * The payload converter's AWS side (issue 28) on the gateway and the worker: the KMS key and the
 * large-payload bucket, created or given; the exact IAM statements (one key, one bucket); the
 * PAYLOAD_ENV settings; the props validation; and nothing of it without the props.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { PAYLOAD_ENV } from '../../../contract/env-names';
import {
  applyNagPacks,
  TemporalConnection,
  TemporalEventGateway,
  TemporalWorkerService,
  type TemporalEventGatewayProps,
  type TemporalWorkerServiceProps,
} from '../../../infra/index';
import {
  functionEnvironment,
  logicalId,
  propsProblemsOf,
  resourcesOfType,
  roleStatements,
} from '../support/template';
import { ONE_TARGET_ROUTING } from '../support/stand-ins';

const CODEC_CONDITION = {
  StringEquals: { 'kms:EncryptionContext:temporal-payload-format': 'kms-aes256gcm/v1' },
};

function build(
  gatewayProps: Partial<TemporalEventGatewayProps> = {},
  workerProps: ((gateway: TemporalEventGateway) => Partial<TemporalWorkerServiceProps>) | null = () => ({}),
) {
  const app = new App();
  const stack = new Stack(app, 'Orders', { env: { account: '123456789012', region: 'eu-west-1' } });
  const temporal = new TemporalConnection(stack, 'Temporal', {
    address: 'orders.a1b2c.tmprl.cloud:7233',
    taskQueue: 'orders',
    auth: 'api-key',
  });
  const gateway = new TemporalEventGateway(stack, 'Gateway', {
    temporal,
    routing: ONE_TARGET_ROUTING,
    ...gatewayProps,
  });
  // Without a worker, cdk-nag runs on the gateway alone (a bare VPC has findings of its own; the
  // demo app's variants check the worker stack with its network).
  const worker = workerProps
    ? new TemporalWorkerService(stack, 'Worker', {
        vpc: new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 }),
        temporal,
        image: ecs.ContainerImage.fromRegistry('registry.example.com/orders-worker:1.4.2'),
        ...workerProps(gateway),
      })
    : applyNagPacks(app);
  app.synth();
  return { stack, gateway, worker: worker!, template: Template.fromStack(stack) };
}

type Built = ReturnType<typeof build>;

const gatewayRoleIds = ({ stack, gateway }: Built) =>
  [gateway.httpFunction!, ...gateway.queueFunctions].map((fn) => logicalId(stack, fn.role));
const taskRoleId = ({ stack, worker }: Built) => logicalId(stack, worker.taskDefinition.taskRole);
const functionIds = ({ stack, gateway }: Built) =>
  [gateway.httpFunction!, ...gateway.queueFunctions].map((fn) => logicalId(stack, fn.function));

function containerEnvironment(template: Template): Record<string, unknown> {
  const [definition] = resourcesOfType(template, 'AWS::ECS::TaskDefinition').map(
    ([, resource]) =>
      (
        resource.Properties?.ContainerDefinitions as Array<{
          Environment: Array<{ Name: string; Value: unknown }>;
        }>
      )[0],
  );
  return Object.fromEntries((definition?.Environment ?? []).map(({ Name, Value }) => [Name, Value]));
}

/** The statements of a role that name KMS or S3 actions. */
function payloadStatements(template: Template, roleId: string): unknown[] {
  return roleStatements(template, roleId).filter((statement) =>
    /"(kms|s3):/.test(JSON.stringify((statement as { Action: unknown }).Action)),
  );
}

const RETENTION = Duration.days(120);

describe('payloadEncryption', () => {
  it('creates one key with rotation, kept on stack deletion, used by the functions and the worker', () => {
    const built = build({ payloadEncryption: {} }, (gateway) => ({
      payloadEncryption: { key: gateway.payloadEncryptionKey },
    }));
    const { template, stack, gateway } = built;
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    const keyArn = { 'Fn::GetAtt': [logicalId(stack, gateway.payloadEncryptionKey as kms.Key), 'Arn'] };
    const statement = {
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
      Effect: 'Allow',
      Resource: keyArn,
      Condition: CODEC_CONDITION,
    };
    for (const roleId of [...gatewayRoleIds(built), taskRoleId(built)]) {
      expect(payloadStatements(template, roleId)).toEqual([statement]);
    }
    for (const id of functionIds(built)) {
      expect(functionEnvironment(template, id)[PAYLOAD_ENV.kmsKeyId]).toEqual(keyArn);
      expect(functionEnvironment(template, id)[PAYLOAD_ENV.largePayloadBucket]).toBeUndefined();
    }
    expect(containerEnvironment(template)[PAYLOAD_ENV.kmsKeyId]).toEqual(keyArn);
  });

  it('uses a given key, creating none', () => {
    const app = new App();
    const stack = new Stack(app, 'Given');
    const key = kms.Key.fromKeyArn(
      stack,
      'Key',
      'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    );
    const gateway = new TemporalEventGateway(stack, 'Gateway', {
      temporal: new TemporalConnection(stack, 'Temporal', {
        address: 't:7233',
        taskQueue: 'orders',
        auth: 'api-key',
      }),
      routing: ONE_TARGET_ROUTING,
      payloadEncryption: { key },
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 0);
    expect(payloadStatements(template, logicalId(stack, gateway.httpFunction!.role))).toEqual([
      {
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Effect: 'Allow',
        Resource: key.keyArn,
        Condition: CODEC_CONDITION,
      },
    ]);
  });
});

describe('largePayloads', () => {
  it('creates a KMS-encrypted, TLS-only, private bucket expiring after the declared retention, kept on deletion', () => {
    const { template } = build({ largePayloads: { retention: RETENTION } });
    template.resourceCountIs('AWS::S3::Bucket', 1);
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            { BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } },
          ],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        LifecycleConfiguration: {
          Rules: [Match.objectLike({ ExpirationInDays: 120, Status: 'Enabled' })],
        },
      },
    });
    const [, policy] = resourcesOfType(template, 'AWS::S3::BucketPolicy')[0]!;
    expect(JSON.stringify(policy.Properties)).toContain('"aws:SecureTransport":"false"');
  });

  it('grants PutObject and GetObject under v0/ of the one bucket (the worker also ListBucket) and sets its name and threshold', () => {
    const built = build(
      { largePayloads: { retention: RETENTION, thresholdBytes: 128 * 1024 } },
      (gateway) => ({
        largePayloads: {
          bucket: gateway.largePayloadBucket,
          retention: RETENTION,
          thresholdBytes: 128 * 1024,
        },
      }),
    );
    const { template, stack, gateway } = built;
    template.resourceCountIs('AWS::S3::Bucket', 1);
    const bucketId = logicalId(stack, gateway.largePayloadBucket as s3.Bucket);
    const objects = {
      Action: ['s3:PutObject', 's3:GetObject'],
      Effect: 'Allow',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/v0/*']] },
    };
    for (const roleId of gatewayRoleIds(built))
      expect(payloadStatements(template, roleId)).toEqual([objects]);
    expect(payloadStatements(template, taskRoleId(built))).toEqual([
      objects,
      { Action: 's3:ListBucket', Effect: 'Allow', Resource: { 'Fn::GetAtt': [bucketId, 'Arn'] } },
    ]);
    for (const id of functionIds(built)) {
      expect(functionEnvironment(template, id)).toMatchObject({
        [PAYLOAD_ENV.largePayloadBucket]: { Ref: bucketId },
        [PAYLOAD_ENV.largePayloadThresholdBytes]: '131072',
      });
      expect(functionEnvironment(template, id)[PAYLOAD_ENV.kmsKeyId]).toBeUndefined();
    }
    expect(containerEnvironment(template)).toMatchObject({
      [PAYLOAD_ENV.largePayloadBucket]: { Ref: bucketId },
      [PAYLOAD_ENV.largePayloadThresholdBytes]: '131072',
    });
  });

  it('defaults the threshold to 256 KiB', () => {
    const built = build({ largePayloads: { retention: RETENTION } });
    expect(
      functionEnvironment(built.template, functionIds(built)[0]!)[PAYLOAD_ENV.largePayloadThresholdBytes],
    ).toBe('262144');
  });

  it('names every bad value at once, on the gateway and on the worker', () => {
    const bad = { thresholdBytes: 100, retention: undefined as unknown as Duration };
    const expected: unknown[] = [
      'largePayloads.thresholdBytes: must be a whole number from 1024 to 2097152 (got 100)',
      expect.stringMatching(
        /^largePayloads\.retention: is required: the longest workflow run plus the namespace retention/,
      ),
    ];
    expect(propsProblemsOf(() => build({ largePayloads: bad, queueBatchSize: 11 }))).toEqual([
      expect.stringMatching(/^queueBatchSize:/),
      ...expected,
    ]);
    expect(propsProblemsOf(() => build({}, () => ({ largePayloads: bad, cpu: 300 })))).toEqual([
      expect.stringMatching(/^cpu:/),
      ...expected,
    ]);
    expect(
      propsProblemsOf(() =>
        build({ largePayloads: { thresholdBytes: 3 * 1024 * 1024, retention: Duration.hours(36) } }),
      ),
    ).toEqual([
      'largePayloads.thresholdBytes: must be a whole number from 1024 to 2097152 (got 3145728)',
      'largePayloads.retention: must be a whole number of days, at least 1 (got 1.5)',
    ]);
  });
});

describe('without the payload props', () => {
  it('creates no key or bucket, grants no KMS or S3 action and sets no PAYLOAD_ENV variable', () => {
    const built = build();
    built.template.resourceCountIs('AWS::KMS::Key', 0);
    built.template.resourceCountIs('AWS::S3::Bucket', 0);
    for (const roleId of [...gatewayRoleIds(built), taskRoleId(built)]) {
      expect(payloadStatements(built.template, roleId)).toEqual([]);
    }
    const names = Object.values(PAYLOAD_ENV) as string[];
    for (const id of functionIds(built)) {
      expect(
        Object.keys(functionEnvironment(built.template, id)).filter((name) => names.includes(name)),
      ).toEqual([]);
    }
    expect(Object.keys(containerEnvironment(built.template)).filter((name) => names.includes(name))).toEqual(
      [],
    );
  });
});

describe('cdk-nag', () => {
  it('stays clean on the gateway with both on, in sync and queue mode', () => {
    const on = { payloadEncryption: {}, largePayloads: { retention: RETENTION } };
    expect(() => build(on, null)).not.toThrow();
    expect(() => build({ ...on, ingestMode: 'queue' }, null)).not.toThrow();
  });
});
