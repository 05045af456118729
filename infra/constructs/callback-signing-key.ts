/**
 * The key callback URLs are signed with: one Secrets Manager secret, read by the ingest function
 * (to verify, at cold start) and injected into the worker task (to mint). Its value is the
 * `keyId:secret[,keyId:secret…]` list of docs/callbacks.md; the generated one is a bare secret (key
 * id `k0`).
 */
import { Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { CALLBACK_ENV } from '../../contract/callbacks';
import { acknowledgeNag } from '../nag';

export interface CallbackSigningKeyProps {
  /**
   * Bring your own secret (e.g. shared with another deployment's worker), in the key-list format.
   * @default - a generated 48-character secret
   */
  readonly existingSecret?: secretsmanager.ISecret;
  /**
   * Customer-managed key of a generated secret (readers get Decrypt on it through Secrets Manager).
   * @default - the AWS-managed `aws/secretsmanager` key
   */
  readonly encryptionKey?: kms.IKey;
}

export class CallbackSigningKey extends Construct {
  /** The secret holding the signing keys. */
  readonly secret: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: CallbackSigningKeyProps = {}) {
    super(scope, id);
    if (props.existingSecret) {
      this.secret = props.existingSecret;
      return;
    }
    const secret = new secretsmanager.Secret(this, 'Secret', {
      description:
        'Callback URL signing keys (keyId:secret[,keyId:secret…], the first signs). Rotate by listing a new key first.',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
      encryptionKey: props.encryptionKey,
    });
    acknowledgeNag(
      secret,
      'AwsSolutions-SMG4',
      'Rotation is an overlap the operator controls (new key first, old key kept until its URLs expire, see ' +
        'docs/callbacks.md); an automatic rotation would void every callback URL still out with partners.',
    );
    this.secret = secret;
  }

  /** Lets a function verify callback tokens: the secret's ARN in its environment, read at cold start. */
  grantVerify(fn: lambda.Function): void {
    fn.addEnvironment(CALLBACK_ENV.signingKeysSecretArn, this.secret.secretArn);
    this.secret.grantRead(fn);
  }

  /**
   * The worker container's secrets for minting: ECS injects the value as `CALLBACK_SIGNING_KEYS`,
   * never a plain environment variable of the task definition (the execution role is granted read).
   */
  get workerSecrets(): Record<string, ecs.Secret> {
    return { [CALLBACK_ENV.signingKeys]: ecs.Secret.fromSecretsManager(this.secret) };
  }

  /**
   * {@link workerSecrets} for a worker task in `scope`'s stack. With a customer-managed key and the
   * worker in another stack, CDK's read grant would put the worker's execution role into the key's
   * policy — a reference back from this stack, a dependency cycle. There the secret is imported into
   * the worker's stack and the execution role gets Decrypt on the key, through Secrets Manager only.
   */
  workerSecretsIn(scope: Construct, executionRole: iam.IRole): Record<string, ecs.Secret> {
    const key = this.secret.encryptionKey;
    if (!key || Stack.of(scope) === Stack.of(this)) return this.workerSecrets;
    const imported = secretsmanager.Secret.fromSecretCompleteArn(
      scope,
      'CallbackSigningKeySecret',
      this.secret.secretArn,
    );
    executionRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [key.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(scope).region}.amazonaws.com` },
        },
      }),
    );
    return { [CALLBACK_ENV.signingKeys]: ecs.Secret.fromSecretsManager(imported) };
  }
}
