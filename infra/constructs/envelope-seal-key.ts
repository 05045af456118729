/**
 * The key that seals the gateway's own queue messages (functions/adapters/envelope-seal.ts): a
 * webhook envelope or a queued signal is trusted by the queue function only with a seal made with
 * it. One Secrets Manager secret, generated here, readable by the gateway's functions and nothing
 * else: the construct grants it to no producer, no worker and no operator role, so a principal that
 * can send to the events queue still cannot make a message pass for the gateway's.
 *
 * Why a MAC and not (only) a queue of its own: the events queue is where the HTTP fallback, the DLQ
 * redrive and producers all meet, and the seal holds wherever a message travels (the DLQ, a
 * redrive, a copy an operator moves by hand), whatever principals a team's own policies let write
 * there. See the README's trust section.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { GATEWAY_ENV } from '../../functions/core/env-names';
import { UNVERIFIED_ENVELOPE_METRIC } from '../../functions/core/trust-metric-names';
import { acknowledgeNag } from '../nag';

export interface EnvelopeSealKeyProps {
  /**
   * Bring your own secret (a string; several comma-separated keys rotate, the first seals).
   * @default - a generated 64-character secret
   */
  readonly existingSecret?: secretsmanager.ISecret;
  /**
   * Customer-managed key of a generated secret (readers get Decrypt on it through Secrets Manager).
   * @default - the AWS-managed `aws/secretsmanager` key
   */
  readonly encryptionKey?: kms.IKey;
}

export class EnvelopeSealKey extends Construct {
  /** The secret holding the sealing key(s). */
  readonly secret: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: EnvelopeSealKeyProps = {}) {
    super(scope, id);
    if (props.existingSecret) {
      this.secret = props.existingSecret;
      return;
    }
    const secret = new secretsmanager.Secret(this, 'Secret', {
      description:
        "Event gateway envelope key: seals the gateway's own queue messages (verified webhooks, queued signals). " +
        'Readable by the gateway functions only. Rotate by listing a new key first (key,oldKey) until the queues drain.',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      encryptionKey: props.encryptionKey,
    });
    acknowledgeNag(
      secret,
      'AwsSolutions-SMG4',
      'Rotating the envelope key is an overlap (new key first, old key kept until the queue and DLQ hold no ' +
        'message sealed with it); a scheduled rotation without it would dead-letter every queued event as unverified.',
    );
    this.secret = secret;
  }

  /** Lets a gateway function seal and check messages: the secret's ARN in its environment, read at cold start. */
  grantSealing(fn: lambda.Function): void {
    fn.addEnvironment(GATEWAY_ENV.envelopeKeySecretArn, this.secret.secretArn);
    this.secret.grantRead(fn);
  }

  /**
   * The count of forged "gateway-made" messages the queue functions dead-lettered (EMF, written
   * by the queue function with its service name as the one dimension Powertools adds).
   */
  static unverifiedEnvelopes(metricsNamespace: string, serviceName: string): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: metricsNamespace,
      metricName: UNVERIFIED_ENVELOPE_METRIC,
      dimensionsMap: { service: serviceName },
      statistic: 'Sum',
      period: Duration.minutes(1),
    });
  }
}
