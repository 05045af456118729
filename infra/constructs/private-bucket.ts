/**
 * The private buckets the gateway creates for its own data (the event log, large payloads): KMS-encrypted,
 * TLS only, public access blocked, objects expiring after a retention, kept when the stack goes; and the
 * grants every such bucket gives: objects under one prefix (acknowledged to cdk-nag), its
 * customer-managed key through S3 only.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { acknowledgeNag, nagResourceFinding } from '../nag';

export interface PrivateBucketProps {
  /** @default - the AWS-managed key of S3 (`aws/s3`) */
  readonly encryptionKey?: kms.IKey;
  /** How long an object is kept (the lifecycle expiry). */
  readonly retention: Duration;
  /** The id of the lifecycle rule that expires objects. */
  readonly expiryRuleId: string;
  /**
   * Why the bucket has no server access logs (cdk-nag AwsSolutions-S1): what it holds, who reads it,
   * and where an audit trail comes from.
   */
  readonly noAccessLogsReason: string;
}

/** Creates the bucket `Bucket` under `scope`. */
export function createPrivateBucket(scope: Construct, props: PrivateBucketProps): s3.Bucket {
  const { encryptionKey } = props;
  const bucket = new s3.Bucket(scope, 'Bucket', {
    encryption: encryptionKey ? s3.BucketEncryption.KMS : s3.BucketEncryption.KMS_MANAGED,
    encryptionKey,
    // One data key per bucket and period instead of one KMS call per object.
    bucketKeyEnabled: true,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    lifecycleRules: [
      {
        id: props.expiryRuleId,
        expiration: props.retention,
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      },
    ],
    removalPolicy: RemovalPolicy.RETAIN,
  });
  acknowledgeNag(bucket, 'AwsSolutions-S1', props.noAccessLogsReason);
  return bucket;
}

/**
 * Acknowledges the cdk-nag wildcard finding of a grant on `objects` (one prefix of `bucket`) to `role`.
 * Not when the bucket was created in another stack: it reaches the role's stack as an export whose
 * name is chosen at synth, and the app acknowledges that finding itself (the demo app imports the
 * bucket by export name).
 */
export function acknowledgePrefixGrant(
  bucket: s3.IBucket,
  role: iam.IRole,
  objects: string,
  reason: string,
): void {
  const createdElsewhere = bucket instanceof s3.Bucket && Stack.of(bucket) !== Stack.of(role);
  if (!createdElsewhere) {
    acknowledgeNag(role, `AwsSolutions-IAM5[${nagResourceFinding(role, objects)}]`, reason);
  }
}

/**
 * When `bucket` has a customer-managed key: its data keys for `principal`, through S3 (in `scope`'s
 * region) only. Decrypt for writers too: S3 decrypts the bucket key (and multipart parts) on their behalf.
 */
export function grantBucketKeyViaS3(scope: Construct, bucket: s3.IBucket, principal: iam.IPrincipal): void {
  const key = bucket.encryptionKey;
  if (!key) return;
  principal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(scope).region}.amazonaws.com` } },
    }),
  );
}
