/**
 * `encryptionKey` (issue 28): one customer-managed key for everything the gateway keeps at rest —
 * queues and DLQs, log groups, secrets, the large-payload bucket — with what each principal needs on
 * it, the CloudWatch Logs statement in the key policy, and AWS-managed keys (as before) without it.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import {
  applyNagPacks,
  TemporalConnection,
  TemporalEventGateway,
  type TemporalEventGatewayProps,
} from '../../../infra/index';
import { logicalId, resourcesOfType, roleStatements } from '../support/template';
import { ONE_TARGET_ROUTING } from '../support/stand-ins';

function build(props: Partial<TemporalEventGatewayProps> = {}, withKey = true) {
  const app = new App();
  const stack = new Stack(app, 'Orders', { env: { account: '123456789012', region: 'eu-west-1' } });
  const key = withKey ? new kms.Key(stack, 'DataKey', { enableKeyRotation: true }) : undefined;
  const temporal = new TemporalConnection(stack, 'Temporal', {
    address: 'orders.a1b2c.tmprl.cloud:7233',
    taskQueue: 'orders',
    auth: 'api-key',
    encryptionKey: key,
  });
  const gateway = new TemporalEventGateway(stack, 'Gateway', {
    temporal,
    routing: ONE_TARGET_ROUTING,
    encryptionKey: key,
    ...props,
  });
  applyNagPacks(app);
  app.synth();
  return { stack, key, gateway, template: Template.fromStack(stack) };
}

const propertyOfEach = (template: Template, type: string, property: string) =>
  resourcesOfType(template, type).map(([, resource]) => resource.Properties?.[property]);

/** The statements of the one KMS key's policy. */
function keyPolicy(template: Template): unknown[] {
  const [key] = resourcesOfType(template, 'AWS::KMS::Key');
  return (key?.[1].Properties?.KeyPolicy as { Statement: unknown[] }).Statement;
}

/** The statements of a role that name a KMS action. */
const kmsStatements = (template: Template, roleId: string) =>
  roleStatements(template, roleId).filter((statement) =>
    JSON.stringify((statement as { Action: unknown }).Action).includes('kms:'),
  );

describe('encryptionKey', () => {
  it('encrypts every queue, DLQ, log group, secret and the large-payload bucket with the one key', () => {
    const { template, stack, key } = build({
      fifo: true,
      sources: [{ name: 'stripe', verifier: { preset: 'stripe' }, routes: [] }],
      largePayloads: { retention: Duration.days(30) },
    });
    const keyArn = { 'Fn::GetAtt': [logicalId(stack, key!), 'Arn'] };
    const queues = propertyOfEach(template, 'AWS::SQS::Queue', 'KmsMasterKeyId');
    expect(queues).toHaveLength(4);
    expect(new Set(queues.map((value) => JSON.stringify(value)))).toEqual(new Set([JSON.stringify(keyArn)]));
    const logGroups = propertyOfEach(template, 'AWS::Logs::LogGroup', 'KmsKeyId');
    expect(logGroups.length).toBeGreaterThanOrEqual(4);
    for (const value of logGroups) expect(value).toEqual(keyArn);
    const secrets = propertyOfEach(template, 'AWS::SecretsManager::Secret', 'KmsKeyId');
    // Temporal API key, gateway API keys, callback signing key, envelope key, the Stripe secret.
    expect(secrets).toHaveLength(5);
    for (const value of secrets) expect(value).toEqual(keyArn);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn },
          },
        ],
      },
    });
  });

  it("lets CloudWatch Logs of this account and region use the key, in the key's policy", () => {
    const { template } = build();
    expect(keyPolicy(template)).toContainEqual({
      Sid: 'AllowCloudWatchLogsOfThisAccountAndRegion',
      Effect: 'Allow',
      Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
      Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      Resource: '*',
      Condition: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': {
            'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:eu-west-1:123456789012:log-group:*']],
          },
        },
      },
    });
  });

  it('gives the functions and the queue-ingest integration what SQS and Secrets Manager need on the key, and only on it', () => {
    const sync = build();
    const keyArn = { 'Fn::GetAtt': [logicalId(sync.stack, sync.key!), 'Arn'] };
    const ingest = kmsStatements(sync.template, logicalId(sync.stack, sync.gateway.httpFunction!.role));
    const consumer = kmsStatements(
      sync.template,
      logicalId(sync.stack, sync.gateway.queueFunctions[0]!.role),
    );
    for (const statements of [ingest, consumer]) {
      expect(statements.length).toBeGreaterThan(0);
      for (const statement of statements) expect(statement).toMatchObject({ Resource: keyArn });
    }
    // Sends to the queue (data keys); receives from it (Decrypt).
    expect(ingest).toContainEqual({
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
      Effect: 'Allow',
      Resource: keyArn,
    });
    expect(consumer).toContainEqual({ Action: 'kms:Decrypt', Effect: 'Allow', Resource: keyArn });
    // Reads its secrets: Decrypt through Secrets Manager only, in the key policy (CDK's Secret.grantRead).
    for (const fn of [sync.gateway.httpFunction!, sync.gateway.queueFunctions[0]!]) {
      expect(keyPolicy(sync.template)).toContainEqual({
        Action: 'kms:Decrypt',
        Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
        Effect: 'Allow',
        Principal: { AWS: { 'Fn::GetAtt': [logicalId(sync.stack, fn.role), 'Arn'] } },
        Resource: '*',
      });
    }

    const queue = build({ ingestMode: 'queue' });
    const invokeRoles = resourcesOfType(queue.template, 'AWS::IAM::Role')
      .map(([id]) => id)
      .filter((id) => id.includes('InvokeRole'));
    expect(invokeRoles).toHaveLength(2);
    for (const roleId of invokeRoles) {
      expect(kmsStatements(queue.template, roleId)).toEqual([
        {
          Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
          Effect: 'Allow',
          Resource: { 'Fn::GetAtt': [logicalId(queue.stack, queue.key!), 'Arn'] },
        },
      ]);
    }
  });

  it('passes cdk-nag with the key, in sync and queue mode (build runs it)', () => {
    expect(() => build({ fifo: true })).not.toThrow();
    expect(() => build({ ingestMode: 'queue' })).not.toThrow();
  });

  it('keeps AWS-managed keys without it: SSE-SQS, no key on log groups or secrets, no KMS statement', () => {
    const { template, stack, gateway } = build({}, false);
    expect(propertyOfEach(template, 'AWS::SQS::Queue', 'KmsMasterKeyId')).toEqual([undefined, undefined]);
    expect(propertyOfEach(template, 'AWS::SQS::Queue', 'SqsManagedSseEnabled')).toEqual([true, true]);
    for (const value of propertyOfEach(template, 'AWS::Logs::LogGroup', 'KmsKeyId'))
      expect(value).toBeUndefined();
    for (const value of propertyOfEach(template, 'AWS::SecretsManager::Secret', 'KmsKeyId')) {
      expect(value).toBeUndefined();
    }
    template.resourceCountIs('AWS::KMS::Key', 0);
    for (const fn of [gateway.httpFunction!, ...gateway.queueFunctions]) {
      expect(kmsStatements(template, logicalId(stack, fn.role))).toEqual([]);
    }
  });
});
