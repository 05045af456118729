/**
 * The AWS side of the payload data converter, as the gateway and the worker both add it: the
 * codec's KMS key and the external-storage bucket (each when its props are set), the environment
 * that tells the code where they are (PAYLOAD_ENV), and the grants on exactly these two.
 */
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { LargePayloadsProps, PayloadEncryptionProps } from '../props/payload-props';
import { LargePayloadBucket, type LargePayloadGrantOptions } from './large-payload-bucket';
import { PayloadEncryptionKey } from './payload-encryption-key';

export interface PayloadConverterProps {
  readonly payloadEncryption?: PayloadEncryptionProps;
  readonly largePayloads?: LargePayloadsProps;
  /** The customer-managed key of a created bucket. @default - AWS-managed */
  readonly encryptionKey?: kms.IKey;
}

export interface PayloadConverterResources {
  readonly encryption?: PayloadEncryptionKey;
  readonly largePayloads?: LargePayloadBucket;
  /** PAYLOAD_ENV settings for the code: empty when neither feature is on. */
  readonly environment: Record<string, string>;
  /** Grants a principal what the converter does with the key and the bucket; nothing when both are off. */
  grant(grantee: iam.IRole, options?: LargePayloadGrantOptions): void;
}

/** Adds the key (`PayloadEncryption`) and the bucket (`LargePayloads`) under `scope`, as the props ask. */
export function addPayloadConverter(
  scope: Construct,
  props: PayloadConverterProps,
): PayloadConverterResources {
  const encryption = props.payloadEncryption
    ? new PayloadEncryptionKey(scope, 'PayloadEncryption', props.payloadEncryption)
    : undefined;
  const largePayloads = props.largePayloads
    ? new LargePayloadBucket(scope, 'LargePayloads', {
        ...props.largePayloads,
        encryptionKey: props.encryptionKey,
      })
    : undefined;
  return {
    encryption,
    largePayloads,
    environment: { ...encryption?.environment, ...largePayloads?.environment },
    grant(grantee, options) {
      encryption?.grantEncryptDecrypt(grantee);
      largePayloads?.grantReadWrite(grantee, options);
    },
  };
}
