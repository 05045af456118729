/**
 * The bucket of Temporal's external storage (docs/large-payloads.md): payloads above the threshold
 * are stored under `v0/…` (the S3 driver's key layout) and referenced from workflow histories.
 * Created when none is given: KMS-encrypted, TLS only, public access blocked, objects expiring after
 * the declared retention — Temporal never deletes them — and kept when the stack goes.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { PAYLOAD_ENV } from '../../contract/env-names';
import { DEFAULT_LARGE_PAYLOAD_THRESHOLD_BYTES, type LargePayloadsProps } from '../props/payload-props';
import { acknowledgePrefixGrant, createPrivateBucket, grantBucketKeyViaS3 } from './private-bucket';

/** The S3 driver's key prefix, version 0 of its layout (`v0/ns/…/d/sha256/<hex>`). */
export const LARGE_PAYLOAD_KEY_PREFIX = 'v0/';

export interface LargePayloadBucketProps extends LargePayloadsProps {
  /**
   * The customer-managed key a created bucket is encrypted with.
   * @default - the AWS-managed key of S3 (`aws/s3`)
   */
  readonly encryptionKey?: kms.IKey;
}

/** What a principal may do in the bucket. */
export interface LargePayloadGrantOptions {
  /**
   * Also `s3:ListBucket` on the bucket: Temporal's S3 driver (`@temporalio/external-storage-s3`)
   * HEADs an object before it PUTs it, and without ListBucket S3 answers a missing object's HEAD
   * with 403 instead of 404, which the driver reports as a failure.
   * @default false
   */
  readonly headsBeforePut?: boolean;
}

export class LargePayloadBucket extends Construct {
  readonly bucket: s3.IBucket;
  readonly thresholdBytes: number;

  constructor(scope: Construct, id: string, props: LargePayloadBucketProps) {
    super(scope, id);
    this.thresholdBytes = props.thresholdBytes ?? DEFAULT_LARGE_PAYLOAD_THRESHOLD_BYTES;
    this.bucket =
      props.bucket ??
      createPrivateBucket(this, {
        encryptionKey: props.encryptionKey,
        retention: props.retention,
        expiryRuleId: 'expire-after-declared-retention',
        noAccessLogsReason:
          'Holds Temporal payloads written and read by the gateway functions and the worker role only (their IAM ' +
          'policies name this bucket); objects are addressed by content hash and hold ciphertext when payload ' +
          'encryption is on. Server access logs need a second bucket that cannot use SSE-KMS; CloudTrail S3 data ' +
          'events are the audit trail where one is required.',
      });
  }

  /** The converter's settings: the bucket name and the threshold. */
  get environment(): Record<string, string> {
    return {
      [PAYLOAD_ENV.largePayloadBucket]: this.bucket.bucketName,
      [PAYLOAD_ENV.largePayloadThresholdBytes]: String(this.thresholdBytes),
    };
  }

  /**
   * Lets a principal store and read payloads: PutObject and GetObject under `v0/` of this one bucket
   * (ListBucket on it when asked, see {@link LargePayloadGrantOptions}), and, when the bucket has a
   * customer-managed key, that key's data keys through S3 only.
   */
  grantReadWrite(grantee: iam.IRole, options: LargePayloadGrantOptions = {}): void {
    const principal = grantee.grantPrincipal;
    const objects = this.bucket.arnForObjects(`${LARGE_PAYLOAD_KEY_PREFIX}*`);
    principal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject', 's3:GetObject'], resources: [objects] }),
    );
    acknowledgePrefixGrant(
      this.bucket,
      grantee,
      objects,
      'Temporal external storage: the object keys are content hashes under v0/ (namespace, workflow, run), ' +
        'unknown until a payload is stored; the grant covers that one prefix of this one bucket.',
    );
    if (options.headsBeforePut) {
      principal.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }),
      );
    }
    grantBucketKeyViaS3(this, this.bucket, principal);
  }
}
