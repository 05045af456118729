/**
 * The cdk-nag findings the gateway's design makes on purpose, acknowledged where they arise, each
 * with the reason it holds for this system.
 */
import type { GatewayAuthMode } from '../props/gateway-props';
import { acknowledgeNag } from '../nag';
import type { GatewayFunction } from './gateway-function';
import type { ApiAuthorization, GatewayHttpApi } from './gateway-http-api';

/** The parts of a gateway whose findings are deliberate. */
export interface GatewayNagFindingsOf {
  readonly httpFunction?: GatewayFunction;
  readonly queueFunctions: readonly GatewayFunction[];
  readonly api: GatewayHttpApi;
  readonly apiAuthorization: ApiAuthorization;
  readonly gatewayAuth: GatewayAuthMode;
}

/** Acknowledges the deliberate findings on the gateway's functions and API. */
export function acknowledgeGatewayNagFindings(of: GatewayNagFindingsOf): void {
  if (of.httpFunction) {
    acknowledgeNag(
      of.httpFunction.function,
      'Serverless-LambdaDLQ',
      'Invoked synchronously by API Gateway only: the caller gets the error (503 with Retry-After), and events ' +
        'the function accepted were already delivered to Temporal or written to the SQS queue.',
    );
    acknowledgeNag(
      of.httpFunction.function,
      'Serverless-LambdaAsyncFailureDestination',
      'Never invoked asynchronously: API Gateway calls it synchronously and answers the sender.',
    );
  }
  for (const fn of of.queueFunctions) {
    acknowledgeNag(
      fn.function,
      'Serverless-LambdaDLQ',
      'Invoked only by an SQS event source mapping: failed records return to the queue and reach its redrive ' +
        'DLQ after maxReceiveCount; permanent failures are sent there at once, with the reason.',
    );
    acknowledgeNag(
      fn.function,
      'Serverless-LambdaAsyncFailureDestination',
      'Invoked only by an SQS event source mapping, never asynchronously; the queue redrive policy is the DLQ.',
    );
    acknowledgeNag(
      fn,
      'Serverless-LambdaEventSourceMappingDestination',
      'SQS event source mappings take no on-failure destination; the source queue redrive policy moves failed ' +
        'messages to the DLQ, which is alarmed.',
    );
  }
  if (of.apiAuthorization.kind === 'none') {
    acknowledgeNag(
      of.api,
      'AwsSolutions-APIG4',
      of.gatewayAuth !== 'none'
        ? `Authentication happens in the ingest function (gatewayAuth=${of.gatewayAuth}, secret in ` +
            'Secrets Manager): webhook senders such as GitHub or Stripe sign requests and cannot use IAM or JWT.'
        : 'The operator set allowUnauthenticatedApi for this deployment (e.g. a private test stage).',
    );
  }
}
