/**
 * The gateway's sync ingest: the function behind the HTTP API's `$default` route with everything it
 * reads — the gateway auth secret, the callback signing key, the webhook sources' secrets, each
 * given to it by ARN. Called by `TemporalEventGateway` with itself as the scope, so the construct ids
 * and the template are those of one construct.
 */
import { Duration } from 'aws-cdk-lib';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { CALLBACK_ENV } from '../../contract/callbacks';
import { GATEWAY_ENV } from '../../functions/core/env-names';
import { acknowledgeNag } from '../nag';
import { codecServerEnvironment } from '../props/codec-server-props';
import type { GatewayAuthMode, TemporalEventGatewayProps } from '../props/gateway-props';
import { CallbackSigningKey } from './callback-signing-key';
import type { EnvelopeSealKey } from './envelope-seal-key';
import { grantQueueKey } from './event-queue';
import { GatewayFunction } from './gateway-function';
import type { GatewayHttpApi } from './gateway-http-api';
import type { GatewayQueuePair, SharedFunctionProps } from './gateway-queues';
import type { WebhookSources } from './webhook-sources';

/** The codec server's routes (functions/handlers/http-codec-routes.ts). */
const CODEC_ROUTES = '/v1/codec/{proxy+}';

/** Below API Gateway's 30 s integration limit, so the function answers before the gateway gives up. */
const HTTP_FUNCTION_TIMEOUT = Duration.seconds(29);

/** What the sync ingest is wired to. */
export interface HttpIngestWiring {
  readonly props: Pick<
    TemporalEventGatewayProps,
    'temporal' | 'callbacks' | 'existingCallbackSigningKeySecret' | 'encryptionKey' | 'codecServer'
  >;
  readonly gatewayAuth: GatewayAuthMode;
  /** The secret `gatewayAuth` checks against, when the app brings it. */
  readonly gatewayAuthSecret?: secretsmanager.ISecret;
  readonly shared: SharedFunctionProps;
  readonly api: GatewayHttpApi;
  readonly ingestQueue: GatewayQueuePair;
  readonly envelopeSealKey: EnvelopeSealKey;
  readonly webhookSources?: WebhookSources;
}

/** The ingest function and the secrets and keys it was given. */
export interface HttpIngest {
  readonly httpFunction: GatewayFunction;
  readonly gatewayAuthSecret?: secretsmanager.ISecret;
  readonly callbackSigningKey?: CallbackSigningKey;
}

/** The secret `gatewayAuth` checks against: the app's, or a generated one (none when auth is `none`). */
function gatewayAuthSecretOf(
  scope: Construct,
  gatewayAuth: GatewayAuthMode,
  brought: secretsmanager.ISecret | undefined,
  encryptionKey: kms.IKey | undefined,
): secretsmanager.ISecret | undefined {
  if (gatewayAuth === 'none') return undefined;
  const secret =
    brought ??
    new secretsmanager.Secret(scope, 'GatewayAuthSecret', {
      description:
        `Event gateway ${gatewayAuth} secret: ` +
        (gatewayAuth === 'api-key'
          ? 'comma-separated API keys (a generated key is ready to use).'
          : 'the webhook signing secret from the sender (replace the generated value).'),
      generateSecretString: { excludePunctuation: true, passwordLength: 40 },
      encryptionKey,
    });
  if (secret instanceof secretsmanager.Secret) {
    acknowledgeNag(
      secret,
      'AwsSolutions-SMG4',
      'Gateway API keys and webhook signing secrets are shared with external senders; rotating one needs ' +
        'the sender to switch over, so the operator rotates it by hand, not on a schedule.',
    );
  }
  return secret;
}

/**
 * Gives a function one more secret: its ARN in `variable` (read at cold start, never the value in
 * the environment) and read access to it.
 */
export function attachSecretByArn(
  fn: GatewayFunction,
  variable: string,
  secret: secretsmanager.ISecret,
): void {
  fn.function.addEnvironment(variable, secret.secretArn);
  secret.grantRead(fn.role);
  const arn = secret.secretArn;
  // A secret imported by partial ARN forces `<arn>-??????` into the grant: only that secret matches.
  if (!secret.secretFullArn && !arn.startsWith('${Token')) {
    acknowledgeNag(
      fn.role,
      `AwsSolutions-IAM5[Resource::${arn}-??????]`,
      'The secret was configured by partial ARN: the grant matches the random 6-character suffix Secrets ' +
        'Manager appends, so only that one secret matches.',
    );
  }
}

/** Adds the ingest function (`HttpIngest`) as the API's `$default` route, with its secrets and grants. */
export function addHttpIngest(scope: Construct, wiring: HttpIngestWiring): HttpIngest {
  const { props, gatewayAuth, ingestQueue, webhookSources } = wiring;
  const gatewayAuthSecret = gatewayAuthSecretOf(
    scope,
    gatewayAuth,
    wiring.gatewayAuthSecret,
    props.encryptionKey,
  );
  const httpFunction = new GatewayFunction(scope, 'HttpIngest', {
    ...wiring.shared,
    handler: 'http',
    serviceName: 'event-gateway-http',
    description: 'HTTP ingest: signals, updates and queries into Temporal; queues when Temporal is down',
    timeout: HTTP_FUNCTION_TIMEOUT,
    environment: {
      ...wiring.shared.environment,
      [GATEWAY_ENV.auth]: gatewayAuth,
      [GATEWAY_ENV.queueUrl]: ingestQueue.queue.queueUrl,
      ...codecServerEnvironment(props.codecServer ?? {}),
    },
  });
  wiring.envelopeSealKey.grantSealing(httpFunction.function);
  ingestQueue.queue.grantSendMessages(httpFunction.role);
  grantQueueKey(ingestQueue.queue, httpFunction.role, 'send');
  props.temporal.grantRead(httpFunction.role);
  if (gatewayAuthSecret) attachSecretByArn(httpFunction, GATEWAY_ENV.authSecretArn, gatewayAuthSecret);
  const codecApiKeys = props.codecServer?.apiKeySecret;
  if (codecApiKeys) attachSecretByArn(httpFunction, GATEWAY_ENV.codecApiKeysSecretArn, codecApiKeys);
  let callbackSigningKey: CallbackSigningKey | undefined;
  if (props.callbacks ?? true) {
    callbackSigningKey = new CallbackSigningKey(scope, 'CallbackSigningKey', {
      existingSecret: props.existingCallbackSigningKeySecret,
      encryptionKey: props.encryptionKey,
    });
    attachSecretByArn(httpFunction, CALLBACK_ENV.signingKeysSecretArn, callbackSigningKey.secret);
  }
  for (const { variable, secret } of webhookSources?.secretVariables ?? []) {
    attachSecretByArn(httpFunction, variable, secret);
  }
  if (webhookSources) {
    // A routed webhook its route cannot use is acknowledged and dead-lettered here, with its reason.
    httpFunction.function.addEnvironment(GATEWAY_ENV.dlqUrl, ingestQueue.deadLetterQueue.queueUrl);
    ingestQueue.deadLetterQueue.grantSendMessages(httpFunction.role);
    grantQueueKey(ingestQueue.deadLetterQueue, httpFunction.role, 'send');
  }
  const integration = new HttpLambdaIntegration('HttpIngestIntegration', httpFunction.function);
  wiring.api.addDefaultRoute(integration);
  // A browser's preflight carries no credentials, so an authorizer would refuse it and the Temporal
  // UI could never call the codec server; the function answers it with CORS headers only.
  if (wiring.api.authorization.kind !== 'none') wiring.api.addPreflightRoute(CODEC_ROUTES, integration);
  return { httpFunction, gatewayAuthSecret, callbackSigningKey };
}
