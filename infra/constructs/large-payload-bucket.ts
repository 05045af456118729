/**
 * The bucket of Temporal's external storage (docs/large-payloads.md): payloads above the threshold
 * are stored under `v0/…` (the S3 driver's key layout) and referenced from workflow histories.
 * Created when none is given: KMS-encrypted, TLS only, public access blocked, objects expiring after
 * the declared retention — Temporal never deletes them — and kept when the stack goes.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { PAYLOAD_ENV } from '../../contract/env-names';
import { acknowledgeNag, nagResourceFinding } from '../nag';
import { DEFAULT_LARGE_PAYLOAD_THRESHOLD_BYTES, type LargePayloadsProps } from '../props/payload-props';

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
    this.bucket = props.bucket ?? this.createBucket(props.retention, props.encryptionKey);
  }

  private createBucket(retention: Duration, encryptionKey: kms.IKey | undefined): s3.Bucket {
    const bucket = new s3.Bucket(this, 'Bucket', {
      encryption: encryptionKey ? s3.BucketEncryption.KMS : s3.BucketEncryption.KMS_MANAGED,
      encryptionKey,
      // One data key per bucket and period instead of one KMS call per object.
      bucketKeyEnabled: true,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        {
          id: 'expire-after-declared-retention',
          expiration: retention,
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeNag(
      bucket,
      'AwsSolutions-S1',
      'Holds Temporal payloads written and read by the gateway functions and the worker role only (their IAM ' +
        'policies name this bucket); objects are addressed by content hash and hold ciphertext when payload ' +
        'encryption is on. Server access logs need a second bucket that cannot use SSE-KMS; CloudTrail S3 data ' +
        'events are the audit trail where one is required.',
    );
    return bucket;
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
    // A bucket created in another stack reaches this one as an export whose name is chosen at synth:
    // the app acknowledges that finding itself (the demo app imports the bucket by export name).
    const createdElsewhere = this.bucket instanceof s3.Bucket && Stack.of(this.bucket) !== Stack.of(grantee);
    if (!createdElsewhere) {
      acknowledgeNag(
        grantee,
        `AwsSolutions-IAM5[${nagResourceFinding(grantee, objects)}]`,
        'Temporal external storage: the object keys are content hashes under v0/ (namespace, workflow, run), ' +
          'unknown until a payload is stored; the grant covers that one prefix of this one bucket.',
      );
    }
    if (options.headsBeforePut) {
      principal.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }),
      );
    }
    const key = this.bucket.encryptionKey;
    if (key) {
      principal.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [key.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(this).region}.amazonaws.com` } },
        }),
      );
    }
  }
}
