import { RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer, HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeNag } from '../nag';
import { allowCloudWatchLogs } from './logs-key-policy';

/** What API Gateway checks before a route runs. HTTP APIs have no API keys: IAM or JWT. */
export type ApiAuthorization =
  { kind: 'none' } | { kind: 'iam' } | { kind: 'jwt'; issuer: string; audience: string[] };

export interface GatewayHttpApiProps {
  /** @default - the construct path */
  readonly apiName?: string;
  /** Authorizer applied to every route added through this construct. @default { kind: 'none' } */
  readonly authorization?: ApiAuthorization;
  /** Steady-state requests per second across the stage. @default 100 */
  readonly throttleRateLimit?: number;
  /** @default 200 */
  readonly throttleBurstLimit?: number;
  /** Retention of the access log group. @default logs.RetentionDays.ONE_MONTH */
  readonly accessLogRetention?: logs.RetentionDays;
  /**
   * Customer-managed key of the access log group (its policy must let CloudWatch Logs use it).
   * @default - CloudWatch Logs' own encryption
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * One JSON object per request: structured, queryable in Logs Insights, no bodies or headers — and no
 * path: a callback URL's path is its token, a bearer capability (the functions log paths redacted).
 */
const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationStatus: '$context.integrationStatus',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
  principal: '$context.identity.userArn',
});

/**
 * The gateway's HTTP API: a `$default` stage with JSON access logs and throttling, and one
 * authorizer for all routes.
 */
export class GatewayHttpApi extends Construct {
  readonly httpApi: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly accessLogGroup: logs.LogGroup;
  readonly authorization: ApiAuthorization;

  constructor(scope: Construct, id: string, props: GatewayHttpApiProps = {}) {
    super(scope, id);
    this.authorization = props.authorization ?? { kind: 'none' };
    const auth = this.authorization;
    const defaultAuthorizer =
      auth.kind === 'iam'
        ? new HttpIamAuthorizer()
        : auth.kind === 'jwt'
          ? new HttpJwtAuthorizer('JwtAuthorizer', auth.issuer, { jwtAudience: auth.audience })
          : undefined;

    this.httpApi = new apigwv2.HttpApi(this, 'Api', {
      apiName: props.apiName,
      description: 'Temporal event gateway: external events to Temporal signals',
      createDefaultStage: false,
      defaultAuthorizer,
    });

    if (props.encryptionKey) allowCloudWatchLogs(props.encryptionKey);
    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? logs.RetentionDays.ONE_MONTH,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = this.httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.throttleRateLimit ?? 100, burstLimit: props.throttleBurstLimit ?? 200 },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogGroup),
        format: AccessLogFormat.custom(ACCESS_LOG_FORMAT),
      },
    });
  }

  /** Routes every request no other route matches (`$default`) to one integration, e.g. the ingest function. */
  addDefaultRoute(integration: apigwv2.HttpRouteIntegration): apigwv2.HttpRoute {
    return new apigwv2.HttpRoute(this, 'DefaultRoute', {
      httpApi: this.httpApi,
      routeKey: apigwv2.HttpRouteKey.DEFAULT,
      integration,
    });
  }

  /**
   * Routes the CORS preflight (`OPTIONS <path>`) to `integration` without the API's authorizer: a
   * browser sends a preflight without credentials (Fetch standard), so an authorizer would refuse it
   * and the real request would never be sent. The integration must answer it with CORS headers only.
   */
  addPreflightRoute(path: string, integration: apigwv2.HttpRouteIntegration): apigwv2.HttpRoute {
    const route = new apigwv2.HttpRoute(this, `Preflight${path.replace(/[^A-Za-z0-9]/g, '')}`, {
      httpApi: this.httpApi,
      routeKey: apigwv2.HttpRouteKey.with(path, apigwv2.HttpMethod.OPTIONS),
      integration,
      authorizer: new apigwv2.HttpNoneAuthorizer(),
    });
    acknowledgeNag(
      route,
      'AwsSolutions-APIG4',
      `CORS preflight of ${path}: browsers send it without credentials, so no authorizer could pass it; ` +
        'the function answers it with CORS headers for allowed origins only, never with data.',
    );
    return route;
  }

  /** Invoke URL of the `$default` stage, ending in `/`. */
  get url(): string {
    return this.stage.url;
  }
}
