/**
 * `codecServer` on the gateway (issue 28): its settings reach the ingest function's environment
 * (origins, JWKS, audience, issuer), its own API keys by secret ARN only, with read access; the
 * browser's preflight of `/v1/codec/*` passes an API authorizer (its own route, no authorizer) while
 * every other route keeps it; bad settings are props problems named by prop; cdk-nag stays clean.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import { GATEWAY_ENV } from '../../../functions/core/env-names';
import {
  applyNagPacks,
  TemporalConnection,
  TemporalEventGateway,
  type TemporalEventGatewayProps,
} from '../../../infra/index';
import { ONE_TARGET_ROUTING } from '../support/stand-ins';
import {
  functionEnvironment,
  logicalId,
  propsProblemsOf,
  resourcesOfType,
  roleStatements,
} from '../support/template';

function build(props: Partial<TemporalEventGatewayProps> = {}) {
  const app = new App();
  const stack = new Stack(app, 'Orders', { env: { account: '123456789012', region: 'eu-west-1' } });
  const temporal = new TemporalConnection(stack, 'Temporal', {
    address: 'orders.a1b2c.tmprl.cloud:7233',
    taskQueue: 'orders',
    auth: 'api-key',
  });
  const gateway = new TemporalEventGateway(stack, 'Gateway', {
    temporal,
    routing: ONE_TARGET_ROUTING,
    ...props,
  });
  applyNagPacks(app);
  app.synth();
  const template = Template.fromStack(stack);
  const httpFunctionId = logicalId(stack, gateway.httpFunction!.function);
  return { stack, gateway, template, httpFunctionId };
}

const routes = (template: Template) =>
  Object.fromEntries(
    resourcesOfType(template, 'AWS::ApiGatewayV2::Route').map(([, route]) => [
      route.Properties?.RouteKey as string,
      route.Properties?.AuthorizationType as string,
    ]),
  );

describe('TemporalEventGateway codecServer', () => {
  it('puts the origins and the JWT settings in the ingest function environment', () => {
    const { template, httpFunctionId } = build({
      codecServer: {
        allowedOrigins: ['https://cloud.temporal.io', 'https://temporal.orders.example.com'],
        jwt: { audience: 'orders-codec', issuer: 'https://login.tmprl.cloud/' },
      },
    });
    expect(functionEnvironment(template, httpFunctionId)).toMatchObject({
      [GATEWAY_ENV.codecAllowedOrigins]: 'https://cloud.temporal.io,https://temporal.orders.example.com',
      [GATEWAY_ENV.codecJwksUrl]: 'https://login.tmprl.cloud/.well-known/jwks.json',
      [GATEWAY_ENV.codecJwtAudience]: 'orders-codec',
      [GATEWAY_ENV.codecJwtIssuer]: 'https://login.tmprl.cloud/',
    });
  });

  it('sets nothing without the prop (the function applies its defaults) and `none` for no browser', () => {
    const plain = build();
    const env = functionEnvironment(plain.template, plain.httpFunctionId);
    for (const variable of [GATEWAY_ENV.codecAllowedOrigins, GATEWAY_ENV.codecJwksUrl]) {
      expect(env).not.toHaveProperty(variable);
    }
    const noBrowser = build({ codecServer: { allowedOrigins: [] } });
    expect(functionEnvironment(noBrowser.template, noBrowser.httpFunctionId)).toMatchObject({
      [GATEWAY_ENV.codecAllowedOrigins]: 'none',
    });
  });

  it('gives the codec API keys by secret ARN only, with read access to that secret', () => {
    const app = new App();
    const stack = new Stack(app, 'Keys', { env: { account: '123456789012', region: 'eu-west-1' } });
    const apiKeySecret = new secretsmanager.Secret(stack, 'CodecKeys');
    const temporal = new TemporalConnection(stack, 'Temporal', {
      address: 'orders.a1b2c.tmprl.cloud:7233',
      taskQueue: 'orders',
      auth: 'api-key',
    });
    const gateway = new TemporalEventGateway(stack, 'Gateway', {
      temporal,
      routing: ONE_TARGET_ROUTING,
      gatewayAuth: 'stripe',
      codecServer: { apiKeySecret },
    });
    const template = Template.fromStack(stack);
    const secretId = logicalId(stack, apiKeySecret);
    const env = functionEnvironment(template, logicalId(stack, gateway.httpFunction!.function));
    expect(env[GATEWAY_ENV.codecApiKeysSecretArn]).toEqual({ Ref: secretId });
    expect(env).not.toHaveProperty(GATEWAY_ENV.codecApiKeys);
    expect(roleStatements(template, logicalId(stack, gateway.httpFunction!.role))).toContainEqual(
      expect.objectContaining({
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        Resource: { Ref: secretId },
      }),
    );
  });

  it('routes the preflight of /v1/codec/* past an API authorizer, every other route keeps it', () => {
    const { template } = build({
      apiAuthorization: { kind: 'jwt', issuer: 'https://issuer.example.com/', audience: ['orders'] },
      codecServer: { jwt: { audience: 'orders-codec' } },
    });
    expect(routes(template)).toEqual({ $default: 'JWT', 'OPTIONS /v1/codec/{proxy+}': 'NONE' });
    expect(routes(build({ apiAuthorization: { kind: 'iam' } }).template)).toEqual({
      $default: 'AWS_IAM',
      'OPTIONS /v1/codec/{proxy+}': 'NONE',
    });
  });

  it('adds no route of its own when the API has no authorizer ($default takes the preflight)', () => {
    expect(routes(build().template)).toEqual({ $default: 'NONE' });
  });

  it('names every bad setting by prop', () => {
    expect(
      propsProblemsOf(() =>
        build({
          codecServer: {
            allowedOrigins: [
              '*',
              'https://ui.example.com/path',
              'https://a.example.com,https://b.example.com',
            ],
            jwt: { jwksUrl: 'http://keys.example.com/jwks.json', audience: ' ' },
          },
        }),
      ),
    ).toEqual([
      'codecServer.allowedOrigins: one origin per entry (no commas)',
      'codecServer.jwt.audience: must not be blank',
      expect.stringMatching(/^codecServer\.allowedOrigins: "\*" is not an origin/),
      expect.stringMatching(
        /^codecServer\.allowedOrigins: "https:\/\/ui\.example\.com\/path" is not an origin/,
      ),
      expect.stringMatching(/^codecServer\.jwt\.jwksUrl: must be an https URL/),
    ]);
    expect(
      propsProblemsOf(() =>
        build({ ingestMode: 'queue', apiAuthorization: { kind: 'iam' }, codecServer: {} }),
      ),
    ).toEqual([expect.stringMatching(/^codecServer: the codec server runs in the ingest function/)]);
  });
});
