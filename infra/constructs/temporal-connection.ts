import { SecretValue } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, type IConstruct } from 'constructs';
import { TEMPORAL_ENV } from '../../functions/core/env-names';
import { acknowledgeNag } from '../nag';

export type TemporalAuth = 'none' | 'api-key' | 'mtls';

export interface TemporalConnectionProps {
  /** `host:port` of the Temporal frontend (Temporal Cloud: `<namespace>.<account>.tmprl.cloud:7233`). */
  readonly address: string;
  /** @default 'default' */
  readonly namespace?: string;
  /** Task queue the worker polls and the gateway starts workflows on. */
  readonly taskQueue: string;
  /** How clients authenticate to Temporal. @default 'none' (a self-hosted cluster without auth) */
  readonly auth?: TemporalAuth;
  /** @default - true unless auth is `none` */
  readonly tls?: boolean;
  /**
   * Existing secret holding the API key as a plain string (auth `api-key`).
   * @default - a secret is created for you to fill in
   */
  readonly apiKeySecretArn?: string;
  /**
   * Existing secret holding `{ "cert": PEM, "key": PEM }` (auth `mtls`).
   * @default - a secret with placeholder fields is created for you to fill in
   */
  readonly mtlsSecretArn?: string;
  /**
   * Customer-managed key of the generated secrets (readers get Decrypt on it through Secrets Manager).
   * CDK grants that Decrypt in the key's policy, naming each reader: keep the readers (the worker,
   * the backlog publisher) in the key's stack, or a reader in a stack deployed later makes a
   * dependency cycle (the demo app leaves this unset for that reason).
   * @default - the AWS-managed `aws/secretsmanager` key
   */
  readonly encryptionKey?: kms.IKey;
}

/** A complete secret ARN ends in the 6-character suffix Secrets Manager appends to the name. */
export function isCompleteSecretArn(arn: string): boolean {
  return /-[A-Za-z0-9]{6}$/.test(arn);
}

/** Imports a secret by complete or partial ARN, so grants match it either way. */
export function importSecretByArn(scope: Construct, id: string, arn: string): secretsmanager.ISecret {
  return isCompleteSecretArn(arn)
    ? secretsmanager.Secret.fromSecretCompleteArn(scope, id, arn)
    : secretsmanager.Secret.fromSecretPartialArn(scope, id, arn);
}

/** Created credential secrets are rotated in Temporal Cloud (or by the operator), not by a Lambda. */
const ROTATION_REASON =
  'Temporal credentials are issued and rotated by Temporal Cloud / the cluster operator, outside AWS; ' +
  'there is no rotation Lambda that could mint a new API key or client certificate.';

/**
 * How everything in this app reaches Temporal: address, namespace, task queue and credentials.
 * Credentials stay in Secrets Manager: functions get secret ARNs (read at cold start), the worker
 * gets ECS secrets — never plaintext environment.
 */
export class TemporalConnection extends Construct {
  readonly address: string;
  readonly namespace: string;
  readonly taskQueue: string;
  readonly auth: TemporalAuth;
  readonly tls: boolean;
  readonly apiKeySecret?: secretsmanager.ISecret;
  readonly mtlsSecret?: secretsmanager.ISecret;
  /** Secrets this construct created (and that the operator must fill in before the worker starts). */
  readonly createdSecrets: secretsmanager.Secret[] = [];
  private readonly partialArns: string[] = [];

  constructor(scope: Construct, id: string, props: TemporalConnectionProps) {
    super(scope, id);
    this.address = props.address;
    this.namespace = props.namespace ?? 'default';
    this.taskQueue = props.taskQueue;
    this.auth = props.auth ?? 'none';
    this.tls = props.tls ?? this.auth !== 'none';

    if (this.auth === 'api-key') {
      if (props.apiKeySecretArn) {
        this.apiKeySecret = this.importSecret('ApiKeySecret', props.apiKeySecretArn);
      } else {
        const secret = new secretsmanager.Secret(this, 'ApiKeySecret', {
          description: `Temporal API key for namespace ${this.namespace} (replace the generated value).`,
          generateSecretString: { excludePunctuation: true, passwordLength: 32 },
          encryptionKey: props.encryptionKey,
        });
        this.createdSecrets.push(secret);
        this.apiKeySecret = secret;
      }
    }
    if (this.auth === 'mtls') {
      if (props.mtlsSecretArn) {
        this.mtlsSecret = this.importSecret('MtlsSecret', props.mtlsSecretArn);
      } else {
        // The fields must exist for ECS to resolve `cert` and `key`; the values are placeholders.
        const secret = new secretsmanager.Secret(this, 'MtlsSecret', {
          description: `Temporal mTLS client certificate for namespace ${this.namespace}: {"cert": PEM, "key": PEM}.`,
          secretObjectValue: {
            cert: SecretValue.unsafePlainText('REPLACE WITH CLIENT CERTIFICATE PEM'),
            key: SecretValue.unsafePlainText('REPLACE WITH CLIENT KEY PEM'),
          },
          encryptionKey: props.encryptionKey,
        });
        this.createdSecrets.push(secret);
        this.mtlsSecret = secret;
      }
    }
    for (const secret of this.createdSecrets) acknowledgeNag(secret, 'AwsSolutions-SMG4', ROTATION_REASON);
  }

  private importSecret(id: string, arn: string): secretsmanager.ISecret {
    if (!isCompleteSecretArn(arn)) this.partialArns.push(arn);
    return importSecretByArn(this, id, arn);
  }

  /**
   * Acknowledges the one wildcard a partial secret ARN forces into a grant (`<arn>-??????`, the
   * suffix Secrets Manager appends) on a construct holding such a grant, e.g. an ECS task definition.
   */
  acknowledgePartialArnGrants(scope: IConstruct): void {
    for (const arn of this.partialArns) {
      acknowledgeNag(
        scope,
        `AwsSolutions-IAM5[Resource::${arn}-??????]`,
        'The Temporal secret was configured by partial ARN: the grant matches the random 6-character suffix ' +
          'Secrets Manager appends, so only that one secret matches.',
      );
    }
  }

  /** Settings shared by functions and the worker; no credentials. */
  private get connectionEnvironment(): Record<string, string> {
    return {
      [TEMPORAL_ENV.address]: this.address,
      [TEMPORAL_ENV.namespace]: this.namespace,
      [TEMPORAL_ENV.taskQueue]: this.taskQueue,
      ...(this.tls ? { [TEMPORAL_ENV.tls]: 'true' } : {}),
    };
  }

  /** Lambda environment: connection settings plus the ARNs of the secrets read at cold start. */
  get functionEnvironment(): Record<string, string> {
    return {
      ...this.connectionEnvironment,
      ...(this.apiKeySecret ? { [TEMPORAL_ENV.apiKeySecretArn]: this.apiKeySecret.secretArn } : {}),
      ...(this.mtlsSecret ? { [TEMPORAL_ENV.mtlsSecretArn]: this.mtlsSecret.secretArn } : {}),
    };
  }

  /** Container environment: connection settings only; credentials go in {@link containerSecrets}. */
  get containerEnvironment(): Record<string, string> {
    return this.connectionEnvironment;
  }

  /** Credentials as ECS secrets, resolved by the ECS agent into the standard TEMPORAL_* names. */
  get containerSecrets(): Record<string, ecs.Secret> {
    return {
      ...(this.apiKeySecret
        ? { [TEMPORAL_ENV.apiKey]: ecs.Secret.fromSecretsManager(this.apiKeySecret) }
        : {}),
      ...(this.mtlsSecret
        ? {
            [TEMPORAL_ENV.tlsClientCertData]: ecs.Secret.fromSecretsManager(this.mtlsSecret, 'cert'),
            [TEMPORAL_ENV.tlsClientKeyData]: ecs.Secret.fromSecretsManager(this.mtlsSecret, 'key'),
          }
        : {}),
    };
  }

  /** Lets a function read the credential secrets named in {@link functionEnvironment}. */
  grantRead(grantee: iam.IGrantable & IConstruct): void {
    this.apiKeySecret?.grantRead(grantee);
    this.mtlsSecret?.grantRead(grantee);
    this.acknowledgePartialArnGrants(grantee);
  }
}
