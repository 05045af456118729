/**
 * The demo app with payload encryption, large payloads and a customer-managed key (issue 28): the
 * gateway stack owns the key and the bucket, the worker stack uses the same ones (by reference and by
 * export name), and the settings refuse a threshold without a retention.
 */
import { describe, expect, it } from 'vitest';
import { PAYLOAD_ENV } from '../../../contract/env-names';
import { loadAppSettings } from '../../../infra/demo-app/settings';
import { lazySynth } from '../support/synth';
import { logicalId, resourcesOfType, roleStatements } from '../support/template';
import { DEPLOYMENT_VARIANTS } from '../support/variants';

const synth = lazySynth(
  DEPLOYMENT_VARIANTS['encrypted payloads, large payloads, customer-managed key, sync'],
);

function containerEnvironment(template: ReturnType<typeof synth>['worker']): Record<string, unknown> {
  const [definition] = resourcesOfType(template, 'AWS::ECS::TaskDefinition').map(([, resource]) => resource);
  const [container] = definition?.Properties?.ContainerDefinitions as Array<{
    Environment: Array<{ Name: string; Value: unknown }>;
  }>;
  return Object.fromEntries(container!.Environment.map(({ Name, Value }) => [Name, Value]));
}

describe('the demo app with payloadEncryption, largePayloadRetentionDays and customerManagedKey', () => {
  it('gives the worker the gateway’s payload key and bucket, and grants its task role on exactly those', () => {
    const { gateway, worker, stacks } = synth();
    const environment = containerEnvironment(worker);
    expect(JSON.stringify(environment[PAYLOAD_ENV.kmsKeyId])).toContain('Fn::ImportValue');
    expect(environment[PAYLOAD_ENV.largePayloadBucket]).toEqual({
      'Fn::ImportValue': 'event-gateway-large-payload-bucket',
    });
    expect(environment[PAYLOAD_ENV.largePayloadThresholdBytes]).toBe('262144');
    const taskRoleId = logicalId(stacks.worker, stacks.worker.worker.taskDefinition.taskRole);
    const imported = (name: string) => ({ 'Fn::ImportValue': name });
    const bucketArn = [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':s3:::',
      imported('event-gateway-large-payload-bucket'),
    ];
    // Exactly: the payload key (codec context only), v0/* of the one bucket, ListBucket on it (the SDK
    // driver's HEAD), and the bucket's key through S3 only.
    expect(roleStatements(worker, taskRoleId)).toEqual([
      {
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Condition: { StringEquals: { 'kms:EncryptionContext:temporal-payload-format': 'kms-aes256gcm/v1' } },
        Effect: 'Allow',
        Resource: imported(
          'event-gateway:ExportsOutputFnGetAttGatewayPayloadEncryptionKey54AD83F2Arn79E3EC51',
        ),
      },
      {
        Action: ['s3:GetObject', 's3:PutObject'],
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', [...bucketArn, '/v0/*']] },
      },
      { Action: 's3:ListBucket', Effect: 'Allow', Resource: { 'Fn::Join': ['', bucketArn] } },
      {
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Condition: {
          StringEquals: {
            'kms:ViaService': { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
          },
        },
        Effect: 'Allow',
        Resource: imported('event-gateway:ExportsOutputFnGetAttDataKey17AFBB84ArnCE2A1BC6'),
      },
    ]);
    // Two keys in the gateway stack: the payload key and the key of everything at rest.
    gateway.resourceCountIs('AWS::KMS::Key', 2);
    gateway.resourceCountIs('AWS::S3::Bucket', 1);
    for (const [, group] of resourcesOfType(worker, 'AWS::Logs::LogGroup')) {
      expect(JSON.stringify(group.Properties?.KmsKeyId)).toContain('Fn::ImportValue');
    }
  });

  it('encrypts every function’s environment at rest with the customer-managed key (checkov CKV_AWS_173)', () => {
    const { gateway, worker } = synth();
    const [keyId] = resourcesOfType(gateway, 'AWS::KMS::Key')
      .filter(([, key]) => JSON.stringify(key.Properties).includes('logs.'))
      .map(([id]) => id);
    expect(keyId).toBeDefined();
    const functions = [
      ...resourcesOfType(gateway, 'AWS::Lambda::Function'),
      ...resourcesOfType(worker, 'AWS::Lambda::Function'),
    ];
    expect(functions.length).toBeGreaterThan(1);
    for (const [, fn] of functions) expect(fn.Properties?.KmsKeyArn).toBeDefined();
    for (const [, fn] of resourcesOfType(gateway, 'AWS::Lambda::Function')) {
      expect(fn.Properties?.KmsKeyArn).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    }
  });

  it('refuses a large-payload threshold without the retention that turns large payloads on', () => {
    expect(() =>
      loadAppSettings({
        context: (key) => ({ largePayloadThresholdBytes: '65536' })[key],
        env: {},
      }),
    ).toThrow(
      /largePayloadThresholdBytes \(EVENT_GATEWAY_LARGE_PAYLOADS_THRESHOLD_BYTES\): only applies together with largePayloadRetentionDays/,
    );
  });
});
