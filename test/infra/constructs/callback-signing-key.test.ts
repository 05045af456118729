import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import { CallbackSigningKey } from '../../../infra/constructs/callback-signing-key';

function fn(stack: Stack) {
  return new lambda.Function(stack, 'Fn', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => {}'),
  });
}

describe('CallbackSigningKey', () => {
  it('generates a secret and lets a function verify with it by ARN, never by value', () => {
    const stack = new Stack();
    const key = new CallbackSigningKey(stack, 'Key');
    key.grantVerify(fn(stack));
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 48, ExcludePunctuation: true },
    });
    const secretId = Object.keys(template.findResources('AWS::SecretsManager::Secret'))[0]!;
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { CALLBACK_SIGNING_KEYS_SECRET_ARN: { Ref: secretId } } },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
            Resource: { Ref: secretId },
          }),
        ]),
      },
    });
    expect(Object.keys(key.workerSecrets)).toEqual(['CALLBACK_SIGNING_KEYS']);
  });

  it('uses a secret the team brings and creates none', () => {
    const stack = new Stack();
    const existing = secretsmanager.Secret.fromSecretNameV2(stack, 'Existing', 'team/callback-keys');
    const key = new CallbackSigningKey(stack, 'Key', { existingSecret: existing });
    expect(key.secret).toBe(existing);
    Template.fromStack(stack).resourceCountIs('AWS::SecretsManager::Secret', 0);
  });
});
