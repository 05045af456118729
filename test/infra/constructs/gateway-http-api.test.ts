import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { HttpLambdaIntegration, HttpUrlIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as logs from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { GatewayHttpApi, type GatewayHttpApiProps } from '../../../infra/index';
import { logicalId, onlyResourceProperties } from '../support/template';
import { inlineFunction } from '../support/stand-ins';

/** The API, with a `$default` route when asked for (an authorizer exists only once a route uses it). */
function build(props?: GatewayHttpApiProps, withRoute = false) {
  const stack = new Stack();
  const api = new GatewayHttpApi(stack, 'Api', props);
  if (withRoute) api.addDefaultRoute(new HttpUrlIntegration('Backend', 'https://backend.example.com/'));
  return { stack, api, template: Template.fromStack(stack) };
}

describe('GatewayHttpApi', () => {
  it('is one HTTP API with a throttled $default stage logging JSON to its own log group, open by default', () => {
    const { stack, api, template } = build(undefined, true);
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: '$default',
      AuthorizationType: 'NONE',
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [logicalId(stack, api.accessLogGroup), 'Arn'] },
        Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"'),
      },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    expect(api.authorization).toEqual({ kind: 'none' });
  });

  it('never logs the path: a callback URL path is a bearer token', () => {
    const { template } = build();
    const { AccessLogSettings } = onlyResourceProperties<{ AccessLogSettings: { Format: string } }>(
      template,
      'AWS::ApiGatewayV2::Stage',
    );
    const format = AccessLogSettings.Format;
    expect(format).not.toMatch(/path/i);
  });

  it('takes its name, throttling, log retention and an IAM or JWT authorizer for every route', () => {
    const { template } = build(
      {
        apiName: 'orders',
        throttleRateLimit: 5,
        throttleBurstLimit: 10,
        accessLogRetention: logs.RetentionDays.ONE_WEEK,
        authorization: { kind: 'jwt', issuer: 'https://issuer.example.com/', audience: ['orders'] },
      },
      true,
    );
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { Name: 'orders' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { AuthorizationType: 'JWT' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: { Issuer: 'https://issuer.example.com/', Audience: ['orders'] },
    });
  });

  it('routes $default to one integration, under the IAM authorizer when asked for', () => {
    const stack = new Stack();
    const api = new GatewayHttpApi(stack, 'Api', { authorization: { kind: 'iam' } });
    const fn = inlineFunction(stack);
    api.addDefaultRoute(new HttpLambdaIntegration('Ingest', fn));
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: '$default',
      AuthorizationType: 'AWS_IAM',
    });
    template.resourceCountIs('AWS::ApiGatewayV2::Integration', 1);
    // API Gateway may invoke the function, nothing more.
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
    });
  });
});
