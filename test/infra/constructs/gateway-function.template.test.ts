/**
 * GatewayFunction's own template: the function, its role and log group, with its defaults and the
 * props a team sets. The runtime decisions are in gateway-function.test.ts.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { GatewayFunction, type GatewayFunctionProps } from '../../../infra/index';
import { HANDLER } from '../../../infra/lambda-handlers';
import { functionEnvironment, logicalId, roleStatements } from '../support/template';

function build(props: Partial<GatewayFunctionProps> = {}, stack = new Stack()) {
  const fn = new GatewayFunction(stack, 'Ingest', {
    handler: 'http',
    serviceName: 'event-gateway-http',
    ...props,
  });
  return { stack, fn, template: Template.fromStack(stack) };
}

// The first synth bundles the handlers (esbuild): minutes on a busy machine, not a timing under test.
describe('GatewayFunction', { timeout: 600_000 }, () => {
  it('runs a prebuilt handler on ARM64 with 512 MiB, 30 s, X-Ray and JSON logs into its own log group', () => {
    const { stack, fn, template } = build();
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: HANDLER,
      Architectures: ['arm64'],
      MemorySize: 512,
      Timeout: 30,
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: Match.objectLike({
        LogFormat: 'JSON',
        LogGroup: { Ref: logicalId(stack, fn.logGroup) },
      }),
      VpcConfig: Match.absent(),
      ReservedConcurrentExecutions: Match.absent(),
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    expect(functionEnvironment(template, logicalId(stack, fn.function))).toEqual({
      POWERTOOLS_SERVICE_NAME: 'event-gateway-http',
      POWERTOOLS_METRICS_NAMESPACE: 'EventGateway',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
    });
  });

  it('has a role of its own that may write its own log group and traces, and nothing else', () => {
    const { stack, fn, template } = build();
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })],
      },
      ManagedPolicyArns: Match.absent(),
    });
    const statements = roleStatements(template, logicalId(stack, fn.role));
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: { 'Fn::GetAtt': [logicalId(stack, fn.logGroup), 'Arn'] },
        }),
        expect.objectContaining({
          Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
          Resource: '*',
        }),
      ]),
    );
    expect(statements).toHaveLength(2);
  });

  it("takes the team's size, timeout, environment, retention, namespace and VPC", () => {
    const stack = new Stack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 1 });
    const { fn, template } = build(
      {
        memorySize: 1024,
        timeout: Duration.seconds(10),
        environment: { EXTRA: 'yes' },
        logRetention: logs.RetentionDays.ONE_WEEK,
        metricsNamespace: 'EventGateway/orders',
        reservedConcurrentExecutions: 5,
        vpc,
      },
      stack,
    );
    template.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 1024,
      Timeout: 10,
      ReservedConcurrentExecutions: 5,
      VpcConfig: Match.objectLike({ SubnetIds: Match.anyValue() }),
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
    expect(functionEnvironment(template, logicalId(stack, fn.function))).toEqual(
      expect.objectContaining({ EXTRA: 'yes', POWERTOOLS_METRICS_NAMESPACE: 'EventGateway/orders' }),
    );
    // In a VPC, the role also gets the ENI actions Lambda needs there.
    template.hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: [
        Match.objectLike({
          'Fn::Join': Match.arrayWith([
            Match.arrayWith([':iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole']),
          ]),
        }),
      ],
    });
  });
});
