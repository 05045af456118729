/**
 * The KMS key of the built-in payload codec (`kms-aes256gcm/v1`, docs/payload-encryption.md): given,
 * or created with automatic rotation and kept when the stack goes — payloads encrypted under it sit
 * in workflow histories for as long as the namespace keeps them, whatever happens to the stack.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { PAYLOAD_ENV } from '../../contract/env-names';
import { KMS_ENCRYPTION_CONTEXT } from '../../payloads/wire-format';
import type { PayloadEncryptionProps } from '../props/payload-props';

/** What the codec calls: a data key per batch (encode) and its decryption (decode). */
const CODEC_ACTIONS = ['kms:GenerateDataKey', 'kms:Decrypt'];

export class PayloadEncryptionKey extends Construct {
  readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: PayloadEncryptionProps = {}) {
    super(scope, id);
    this.key =
      props.key ??
      new kms.Key(this, 'Key', {
        description:
          'Temporal payload encryption (kms-aes256gcm/v1): data keys for the event gateway and its workers',
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
  }

  /** The codec's setting: the key ARN (not a secret). */
  get environment(): Record<string, string> {
    return { [PAYLOAD_ENV.kmsKeyId]: this.key.keyArn };
  }

  /**
   * Lets a principal encrypt and decrypt payloads: GenerateDataKey and Decrypt on this one key, only
   * with the codec's encryption context, so the grant serves no other use of the key.
   */
  grantEncryptDecrypt(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: CODEC_ACTIONS,
        resources: [this.key.keyArn],
        conditions: {
          StringEquals: Object.fromEntries(
            Object.entries(KMS_ENCRYPTION_CONTEXT).map(([name, value]) => [
              `kms:EncryptionContext:${name}`,
              value,
            ]),
          ),
        },
      }),
    );
  }
}
