/**
 * The event log's bucket (issue 30): created under the construct's key, TLS only, public access
 * blocked, expiring after `retention`; every function may write records under `events/` of that one
 * bucket, only the ingest function read them (its replay route); the functions know the bucket and
 * the retention; cdk-nag has nothing left to say; a retention of part of a day is refused.
 */
import { Duration } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { EVENT_LOG_ENV } from '../../../contract/env-names';
import { synthOneTargetGateway } from '../support/stand-ins';

describe('TemporalEventGateway eventLog', () => {
  const { template, stack, gateway } = synthOneTargetGateway((scope) => ({
    encryptionKey: new kms.Key(scope, 'Key', { enableKeyRotation: true }),
    eventLog: { retention: Duration.days(14) },
  }));
  const bucketId = stack.getLogicalId(gateway.eventLogBucket!.node.defaultChild as never);

  it('creates a KMS-encrypted, TLS-only, private bucket expiring records after the retention', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }),
          }),
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 14, Status: 'Enabled' })]),
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('lets every function write under events/ of that bucket, and only the ingest function read', () => {
    const objects = {
      'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/events/*']],
    };
    const policies = template.findResources('AWS::IAM::Policy');
    const statements = Object.values(policies).flatMap(
      (policy) =>
        (policy as { Properties: { PolicyDocument: { Statement: unknown[] } } }).Properties.PolicyDocument
          .Statement,
    ) as { Action: string | string[]; Resource: unknown }[];
    const onLog = statements.filter((s) => JSON.stringify(s.Resource).includes(bucketId));
    const writes = onLog.filter((s) => JSON.stringify(s.Resource) === JSON.stringify(objects));
    // The ingest function and the two queue functions.
    expect(writes.map((s) => s.Action)).toEqual(
      expect.arrayContaining([['s3:PutObject', 's3:GetObject'], 's3:PutObject']),
    );
    expect(writes.filter((s) => s.Action === 's3:PutObject').length).toBe(gateway.queueFunctions.length);
    expect(onLog.filter((s) => s.Action === 's3:ListBucket')).toHaveLength(1);
    // No statement names another bucket or every bucket.
    for (const statement of statements)
      expect(JSON.stringify(statement.Resource)).not.toContain('arn:aws:s3:::*');
  });

  it('tells the functions the bucket and the retention', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [EVENT_LOG_ENV.bucket]: { Ref: bucketId },
          [EVENT_LOG_ENV.retentionDays]: '14',
        }),
      },
    });
  });

  it('leaves no cdk-nag error or warning', () => {
    const findings = [
      ...Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
      ...Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')),
    ];
    expect(findings.map((finding) => finding.entry.data)).toEqual([]);
  });

  it('refuses a retention of part of a day', () => {
    expect(() => synthOneTargetGateway({ eventLog: { retention: Duration.hours(36) } })).toThrow(
      /eventLog\.retention: must be a whole number of days/,
    );
  });
});
