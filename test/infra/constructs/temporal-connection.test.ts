import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { TEMPORAL_ENV } from '../../../functions/core/env-names';
import { TemporalConnection, type TemporalConnectionProps } from '../../../infra/index';
import { logicalId, roleStatements } from '../support/template';

const CLOUD = { address: 'orders.a1b2c.tmprl.cloud:7233', namespace: 'orders.a1b2c', taskQueue: 'orders' };
const COMPLETE_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:temporal/api-key-AbC123';
const PARTIAL_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:temporal/mtls';

function build(props: TemporalConnectionProps) {
  const stack = new Stack();
  const temporal = new TemporalConnection(stack, 'Temporal', props);
  const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  temporal.grantRead(role);
  return { stack, temporal, role, template: Template.fromStack(stack) };
}

describe('TemporalConnection', () => {
  it("defaults to the 'default' namespace without auth or TLS, and creates no secret", () => {
    const { temporal, template } = build({ address: 'temporal.internal:7233', taskQueue: 'orders' });
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    template.resourceCountIs('AWS::IAM::Policy', 0);
    expect(temporal.functionEnvironment).toEqual({
      [TEMPORAL_ENV.address]: 'temporal.internal:7233',
      [TEMPORAL_ENV.namespace]: 'default',
      [TEMPORAL_ENV.taskQueue]: 'orders',
    });
    expect(temporal.containerSecrets).toEqual({});
  });

  it('creates an API key secret to fill in, with TLS on, and grants reading it; the value never enters the env', () => {
    const { stack, temporal, role, template } = build({ ...CLOUD, auth: 'api-key' });
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { ExcludePunctuation: true, PasswordLength: 32 },
    });
    const secretId = logicalId(stack, temporal.apiKeySecret!);
    expect(temporal.createdSecrets).toHaveLength(1);
    expect(stack.resolve(temporal.functionEnvironment)).toEqual(
      expect.objectContaining({
        [TEMPORAL_ENV.tls]: 'true',
        [TEMPORAL_ENV.apiKeySecretArn]: { Ref: secretId },
      }),
    );
    expect(Object.keys(temporal.containerSecrets)).toEqual([TEMPORAL_ENV.apiKey]);
    expect(roleStatements(template, logicalId(stack, role))).toEqual([
      expect.objectContaining({
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        Resource: { Ref: secretId },
      }),
    ]);
  });

  it('creates an mTLS secret with cert and key fields, given to the worker as two ECS secrets', () => {
    const { temporal, template } = build({ ...CLOUD, auth: 'mtls' });
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      SecretString: Match.stringLikeRegexp('"cert".*"key"'),
    });
    expect(Object.keys(temporal.containerSecrets).sort()).toEqual(
      [TEMPORAL_ENV.tlsClientCertData, TEMPORAL_ENV.tlsClientKeyData].sort(),
    );
  });

  it('uses the secrets the team brings, by complete or partial ARN, and creates none', () => {
    const apiKey = build({ ...CLOUD, auth: 'api-key', apiKeySecretArn: COMPLETE_ARN });
    apiKey.template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(roleStatements(apiKey.template, logicalId(apiKey.stack, apiKey.role))).toEqual([
      expect.objectContaining({ Resource: COMPLETE_ARN }),
    ]);
    const mtls = build({ ...CLOUD, auth: 'mtls', mtlsSecretArn: PARTIAL_ARN });
    mtls.template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    // A partial ARN matches that one secret through the 6-character suffix Secrets Manager appends.
    expect(roleStatements(mtls.template, logicalId(mtls.stack, mtls.role))).toEqual([
      expect.objectContaining({ Resource: `${PARTIAL_ARN}-??????` }),
    ]);
  });
});
