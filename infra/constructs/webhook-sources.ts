/**
 * Webhook sources as CDK props: per source a Secrets Manager secret, created or imported, whose ARN
 * reaches the ingest function in its environment (read at cold start, cached; never the value), and
 * the source's configuration for the gateway's configuration file, which refers to that variable.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { SourceConfigInput } from '../../functions/core/webhook-sources';
import { acknowledgeNag } from '../nag';
import { PropsValidationError } from '../props/props-error';
import type { WebhookSourceProps } from '../props/routing';

export type { WebhookSourceProps } from '../props/routing';

export interface WebhookSourcesProps {
  readonly sources: readonly WebhookSourceProps[];
  /**
   * `queue` ingest has no function on the HTTP path to verify a signature: every source is refused.
   * @default 'sync'
   */
  readonly ingestMode?: 'sync' | 'queue';
  /**
   * Customer-managed key of the generated secrets (readers get Decrypt on it through Secrets Manager).
   * @default - the AWS-managed `aws/secretsmanager` key
   */
  readonly encryptionKey?: kms.IKey;
}

/** The environment variable that carries a source's secret ARN to the ingest function. */
export const sourceSecretArnVariable = (name: string): string =>
  `GATEWAY_SOURCE_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_SECRET_ARN`;

/**
 * The secrets of a deployment's webhook sources. {@link config} goes into the gateway's
 * configuration; {@link secretVariables} are what the ingest function must get (ARN in the named
 * variable, plus read access) — `TemporalEventGateway` does both when given `sources`.
 *
 * @example
 * new TemporalEventGateway(stack, 'Gateway', {
 *   temporal,
 *   routing,
 *   sources: [{
 *     name: 'stripe',
 *     verifier: { preset: 'stripe' },
 *     routes: [{ name: 'paid', match: { type: 'payment_intent.succeeded' },
 *                workflowId: 'order-{data.object.metadata.orderId}', signal: 'paymentReceived' }],
 *   }],
 * });
 */
export class WebhookSources extends Construct {
  /** The sources as the gateway configuration's `sources`, each secret referred to by variable. */
  readonly config: SourceConfigInput[];
  /** Each source's secret and the variable its ARN goes in. */
  readonly secretVariables: ReadonlyArray<{
    source: string;
    variable: string;
    secret: secretsmanager.ISecret;
  }>;

  constructor(scope: Construct, id: string, props: WebhookSourcesProps) {
    super(scope, id);
    const problems: string[] = [];
    if ((props.ingestMode ?? 'sync') === 'queue') {
      props.sources.forEach((source, index) =>
        problems.push(
          `sources.${index}: ingestMode queue cannot run the ${source.verifier?.preset ?? 'given'} verifier of ` +
            `source "${source.name}": API Gateway writes to SQS directly, with no function on the HTTP path to ` +
            'check a signature (use ingestMode sync for webhook sources)',
        ),
      );
    }
    props.sources.forEach((source, index) => {
      if (source.verifier?.preset === 'none' && source.secret) {
        problems.push(`sources.${index}.secret: the none verifier takes no secret`);
      }
    });
    if (problems.length > 0) throw new PropsValidationError(this.node.path, problems);

    const variables: { source: string; variable: string; secret: secretsmanager.ISecret }[] = [];
    this.config = props.sources.map(({ secret: given, ...source }) => {
      if (source.verifier?.preset === 'none') return source;
      const secret = given ?? this.createSecret(source.name, props.encryptionKey);
      const variable = sourceSecretArnVariable(source.name);
      variables.push({ source: source.name, variable, secret });
      return { ...source, secret: { secretArnEnv: variable } };
    });
    this.secretVariables = variables;
  }

  private createSecret(name: string, encryptionKey: kms.IKey | undefined): secretsmanager.Secret {
    const secret = new secretsmanager.Secret(this, `${name}Secret`, {
      description:
        `Webhook source "${name}": the provider's signing secret (replace the generated value; a JSON ` +
        'array of secrets accepts each of them while rotating).',
      generateSecretString: { excludePunctuation: true, passwordLength: 40 },
      encryptionKey,
      // The provider keeps its copy; replacing the stack must not lose the one the gateway checks.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeNag(
      secret,
      'AwsSolutions-SMG4',
      'A webhook signing secret is issued by the provider (Stripe, GitHub, …); rotating it means switching the ' +
        'provider over, so the operator rotates it by hand (listing old and new meanwhile), not on a schedule.',
    );
    return secret;
  }
}
