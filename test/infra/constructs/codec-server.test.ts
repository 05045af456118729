/**
 * `codecServer` on the gateway (issue 28): its settings reach the ingest function's environment
 * (origins, JWKS, audience, issuer), its own API keys by secret ARN only, with read access; the
 * browser's preflight of `/v1/codec/*` passes an API authorizer (its own route, no authorizer) while
 * every other route keeps it; bad settings are props problems named by prop; cdk-nag stays clean.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import { GATEWAY_ENV } from '../../../functions/core/env-names';
import { synthOneTargetGateway } from '../support/stand-ins';
import {
  functionEnvironment,
  logicalId,
  propsProblemsOf,
  resourcesOfType,
  roleStatements,
} from '../support/template';

function build(props: Parameters<typeof synthOneTargetGateway>[0] = {}) {
  const built = synthOneTargetGateway(props);
  return { ...built, httpFunctionId: logicalId(built.stack, built.gateway.httpFunction!.function) };
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
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/codec-keys-AbCdEf';
    const { stack, gateway, template } = build((scope) => ({
      gatewayAuth: 'stripe',
      codecServer: { apiKeySecret: secretsmanager.Secret.fromSecretCompleteArn(scope, 'CodecKeys', arn) },
    }));
    const env = functionEnvironment(template, logicalId(stack, gateway.httpFunction!.function));
    expect(env[GATEWAY_ENV.codecApiKeysSecretArn]).toBe(arn);
    expect(env).not.toHaveProperty(GATEWAY_ENV.codecApiKeys);
    expect(roleStatements(template, logicalId(stack, gateway.httpFunction!.role))).toContainEqual(
      expect.objectContaining({
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        Resource: arn,
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
