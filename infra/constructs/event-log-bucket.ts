/**
 * The event log's bucket (issue 30, docs/event-log.md): one object per record under
 * `events/YYYY/MM/DD/<event id>/`, written by the gateway's functions, read by the ingest
 * function's replay route and by `event-gateway events`. Created when none is given: KMS-encrypted
 * (the construct's `encryptionKey` when set), TLS only, public access blocked, records expiring
 * after `retention` — the log is for people; nothing of the delivery guarantee depends on it.
 */
import type { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { EVENT_LOG_ENV } from '../../contract/env-names';
import { EVENT_LOG_PREFIX } from '../../functions/core/event-record';
import { PropsValidationError } from '../props/props-error';
import { acknowledgePrefixGrant, createPrivateBucket, grantBucketKeyViaS3 } from './private-bucket';

export interface EventLogProps {
  /**
   * How long records are kept (the bucket's lifecycle expiry), in whole days: how far back
   * `event-gateway events show|replay` can look.
   */
  readonly retention: Duration;
  /**
   * A bucket of your own; its lifecycle and encryption are yours to set.
   * @default - a bucket: KMS-encrypted, TLS only, public access blocked, records expiring after `retention`
   */
  readonly bucket?: s3.IBucket;
}

export interface EventLogBucketProps extends EventLogProps {
  /** @default - the AWS-managed key of S3 (`aws/s3`) */
  readonly encryptionKey?: kms.IKey;
}

export class EventLogBucket extends Construct {
  readonly bucket: s3.IBucket;
  private readonly retentionDays: number;

  constructor(scope: Construct, id: string, props: EventLogBucketProps) {
    super(scope, id);
    const days = props.retention.toDays({ integral: false });
    if (!Number.isInteger(days) || days < 1) {
      throw new PropsValidationError(scope.node.path, [
        `eventLog.retention: must be a whole number of days, at least 1 (got ${days})`,
      ]);
    }
    this.retentionDays = days;
    this.bucket =
      props.bucket ??
      createPrivateBucket(this, {
        encryptionKey: props.encryptionKey,
        retention: props.retention,
        expiryRuleId: 'expire-after-retention',
        noAccessLogsReason:
          "The gateway's event log, written and read by its functions only (their IAM policies name this bucket); " +
          'records hold no credential or signature header, and bodies are codec-encrypted when payload encryption ' +
          'is on. Server access logs need a second bucket that cannot use SSE-KMS; CloudTrail S3 data events are ' +
          'the audit trail where one is required.',
      });
  }

  /** The functions' settings: the bucket and the retention (how far back a reader searches). */
  get environment(): Record<string, string> {
    return {
      [EVENT_LOG_ENV.bucket]: this.bucket.bucketName,
      [EVENT_LOG_ENV.retentionDays]: String(this.retentionDays),
    };
  }

  /**
   * Gives a function the log: its environment, PutObject under `events/` of this one bucket, and —
   * with `read` (the replay path) — GetObject there and ListBucket on the bucket; with a
   * customer-managed key, that key's data keys through S3 only.
   */
  attach(fn: lambda.Function, options: { read?: boolean } = {}): void {
    for (const [name, value] of Object.entries(this.environment)) fn.addEnvironment(name, value);
    const role = fn.role!;
    const objects = this.bucket.arnForObjects(`${EVENT_LOG_PREFIX}/*`);
    const actions = options.read ? ['s3:PutObject', 's3:GetObject'] : ['s3:PutObject'];
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources: [objects] }));
    if (options.read) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['s3:ListBucket'],
          resources: [this.bucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': [`${EVENT_LOG_PREFIX}/*`] } },
        }),
      );
    }
    acknowledgePrefixGrant(
      this.bucket,
      role,
      objects,
      'Event log: one object per record under events/<day>/<event id>/, keys unknown until an event arrives; ' +
        'the grant covers that one prefix of this one bucket.',
    );
    grantBucketKeyViaS3(this, this.bucket, role);
  }
}
