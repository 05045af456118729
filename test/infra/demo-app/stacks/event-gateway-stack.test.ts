import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { GATEWAY_ENV, TEMPORAL_ENV } from '../../../../functions/core/env-names';
import { lazySynth } from '../../support/synth';
import {
  onlyResourceProperties,
  functionEnvironment,
  getAtt,
  logicalId,
  ref,
  resource,
  resourcesOfType,
  roleStatements,
} from '../../support/template';

/** Sync ingest against Temporal Cloud with an API key: the stack most users deploy. */
const synth = lazySynth({
  temporalAddress: 'ns.acct.tmprl.cloud:7233',
  temporalNamespace: 'ns.acct',
  temporalAuth: 'api-key',
});

function ids() {
  const { stacks } = synth();
  const gateway = stacks.gateway;
  const http = gateway.gateway.httpFunction;
  const consumer = gateway.gateway.queueFunctions[0];
  if (!http || !consumer || !gateway.temporal.apiKeySecret || !gateway.gateway.gatewayAuthSecret) {
    throw new Error('expected the sync stack with an ingest function, a consumer and both secrets');
  }
  return {
    httpFunction: logicalId(gateway, http.function),
    httpRole: logicalId(gateway, http.role),
    httpLogs: logicalId(gateway, http.logGroup),
    consumerFunction: logicalId(gateway, consumer.function),
    consumerRole: logicalId(gateway, consumer.role),
    consumerLogs: logicalId(gateway, consumer.logGroup),
    queue: logicalId(gateway, gateway.gateway.standardQueue.queue),
    dlq: logicalId(gateway, gateway.gateway.standardQueue.deadLetterQueue),
    temporalSecret: logicalId(gateway, gateway.temporal.apiKeySecret),
    authSecret: logicalId(gateway, gateway.gateway.gatewayAuthSecret),
    callbackSecret: logicalId(gateway, gateway.gateway.callbackSigningKey!.secret),
    envelopeKey: logicalId(gateway, gateway.gateway.envelopeSealKey.secret),
  };
}

const LOG_WRITE = ['logs:CreateLogStream', 'logs:PutLogEvents'];
const XRAY = {
  Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
  Effect: 'Allow',
  Resource: '*',
};
const SECRET_READ = ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'];
const SQS_SEND = ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'];

describe('EventGatewayStack', () => {
  it('runs every function on Node.js 24, ARM64, with active tracing and JSON logs', () => {
    const functions = resourcesOfType(synth().gateway, 'AWS::Lambda::Function');
    expect(functions).toHaveLength(2);
    for (const [, fn] of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON' },
        MemorySize: 512,
      });
    }
  });

  it('gives each function its own log group with a retention', () => {
    const { gateway } = synth();
    const { httpLogs, consumerLogs, httpFunction, consumerFunction } = ids();
    for (const [logs, fn] of [
      [httpLogs, httpFunction],
      [consumerLogs, consumerFunction],
    ] as const) {
      expect(resource(gateway, logs).Properties).toEqual({ RetentionInDays: 30 });
      expect(resource(gateway, fn).Properties?.LoggingConfig).toEqual({
        LogFormat: 'JSON',
        LogGroup: ref(logs),
      });
    }
  });

  it('lets the ingest function send to its queue and read its secrets, and nothing more', () => {
    const { gateway } = synth();
    const { httpRole, httpLogs, queue, temporalSecret, authSecret, callbackSecret, envelopeKey } = ids();
    // The envelope seal key: the ingest function seals what it queues (issue 23).
    expect(roleStatements(gateway, httpRole)).toEqual([
      { Action: LOG_WRITE, Effect: 'Allow', Resource: getAtt(httpLogs) },
      XRAY,
      {
        Action: SECRET_READ,
        Effect: 'Allow',
        Resource: [ref(authSecret), ref(callbackSecret), ref(envelopeKey), ref(temporalSecret)].sort((a, b) =>
          a.Ref.localeCompare(b.Ref),
        ),
      },
      { Action: SQS_SEND, Effect: 'Allow', Resource: getAtt(queue) },
    ]);
    expect(resource(gateway, httpRole).Properties?.ManagedPolicyArns).toBeUndefined();
  });

  it('lets the queue function consume its queue, send to its DLQ and read the Temporal secret, and nothing more', () => {
    const { gateway } = synth();
    const { consumerRole, consumerLogs, queue, dlq, temporalSecret, envelopeKey } = ids();
    // The envelope seal key: the queue function checks a message's seal before trusting it (issue 23).
    expect(roleStatements(gateway, consumerRole)).toEqual([
      { Action: LOG_WRITE, Effect: 'Allow', Resource: getAtt(consumerLogs) },
      XRAY,
      {
        Action: SECRET_READ,
        Effect: 'Allow',
        Resource: [ref(envelopeKey), ref(temporalSecret)].sort((a, b) => a.Ref.localeCompare(b.Ref)),
      },
      {
        Action: [
          'sqs:ChangeMessageVisibility',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
          'sqs:GetQueueUrl',
          'sqs:ReceiveMessage',
        ],
        Effect: 'Allow',
        Resource: getAtt(queue),
      },
      { Action: SQS_SEND, Effect: 'Allow', Resource: getAtt(dlq) },
    ]);
    expect(resource(gateway, consumerRole).Properties?.ManagedPolicyArns).toBeUndefined();
  });

  it('passes secret ARNs to functions, never secret values', () => {
    const { gateway } = synth();
    const { httpFunction, consumerFunction, temporalSecret, authSecret } = ids();
    const httpEnv = functionEnvironment(gateway, httpFunction);
    expect(httpEnv).toMatchObject({
      [TEMPORAL_ENV.address]: 'ns.acct.tmprl.cloud:7233',
      [TEMPORAL_ENV.namespace]: 'ns.acct',
      [TEMPORAL_ENV.tls]: 'true',
      [TEMPORAL_ENV.apiKeySecretArn]: ref(temporalSecret),
      [GATEWAY_ENV.auth]: 'api-key',
      [GATEWAY_ENV.authSecretArn]: ref(authSecret),
    });
    for (const env of [httpEnv, functionEnvironment(gateway, consumerFunction)]) {
      for (const name of [
        TEMPORAL_ENV.apiKey,
        TEMPORAL_ENV.tlsClientCertData,
        TEMPORAL_ENV.tlsClientKeyData,
        GATEWAY_ENV.apiKeys,
        GATEWAY_ENV.webhookSecret,
      ]) {
        expect(env).not.toHaveProperty(name);
      }
    }
  });

  it('consumes the queue with partial batch failures, a batch size, a batching window and bounded concurrency', () => {
    const { gateway } = synth();
    const { queue, consumerFunction } = ids();
    gateway.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    gateway.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: getAtt(queue),
      FunctionName: ref(consumerFunction),
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 1,
      ScalingConfig: { MaximumConcurrency: 10 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(functionEnvironment(gateway, consumerFunction)).toMatchObject({
      [GATEWAY_ENV.queueUrl]: ref(queue),
      [GATEWAY_ENV.dlqUrl]: ref(ids().dlq),
    });
  });

  it('encrypts both queues, refuses plain HTTP and redrives to the DLQ after five receives', () => {
    const { gateway } = synth();
    const { queue, dlq } = ids();
    expect(resource(gateway, queue).Properties).toEqual({
      QueueName: 'event-gateway-events',
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 4 * 24 * 3600,
      // Six times the queue function's 60 s timeout.
      VisibilityTimeout: 360,
      RedrivePolicy: { deadLetterTargetArn: getAtt(dlq), maxReceiveCount: 5 },
    });
    expect(resource(gateway, dlq).Properties).toEqual({
      QueueName: 'event-gateway-events-dlq',
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    for (const id of [queue, dlq]) {
      gateway.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [ref(id)],
        PolicyDocument: {
          Statement: [
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sqs:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ],
        },
      });
    }
  });

  it('routes every request to the ingest function through a throttled stage with JSON access logs', () => {
    const { gateway } = synth();
    gateway.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: '$default',
      AuthorizationType: 'NONE',
    });
    gateway.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: getAtt(ids().httpFunction),
    });
    const stage = onlyResourceProperties<Record<string, unknown>>(gateway, 'AWS::ApiGatewayV2::Stage');
    expect(stage).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
    });
    const format = JSON.parse((stage.AccessLogSettings as { Format: string }).Format) as Record<
      string,
      string
    >;
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
  });

  it('alarms on DLQ depth, oldest message age, function errors, throttles and unverified envelopes', () => {
    const { gateway } = synth();
    const { queue, dlq, httpFunction, consumerFunction } = ids();
    const alarms = resourcesOfType(gateway, 'AWS::CloudWatch::Alarm').map(
      ([, alarm]) => alarm.Properties ?? {},
    );
    const on = (metric: string, dimension: unknown) =>
      alarms.filter(
        (a) => a.MetricName === metric && JSON.stringify(a.Dimensions).includes(JSON.stringify(dimension)),
      );
    expect(on('ApproximateNumberOfMessagesVisible', getAtt(dlq, 'QueueName'))).toEqual([
      expect.objectContaining({
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      }),
    ]);
    expect(on('ApproximateAgeOfOldestMessage', getAtt(queue, 'QueueName'))).toEqual([
      expect.objectContaining({ Threshold: 300, EvaluationPeriods: 3 }),
    ]);
    for (const fn of [httpFunction, consumerFunction]) {
      expect(on('Errors', ref(fn))).toHaveLength(1);
      expect(on('Throttles', ref(fn))).toHaveLength(1);
    }
    expect(alarms.filter((a) => a.MetricName === 'UnverifiedEnvelope')).toEqual([
      expect.objectContaining({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' }),
    ]);
    expect(alarms).toHaveLength(7);
  });

  it('has a dashboard and outputs the API URL, the queue URLs and the secrets to fill in', () => {
    const { gateway } = synth();
    gateway.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const outputs = Object.keys(gateway.findOutputs('*')).filter((name) => !name.startsWith('ExportsOutput'));
    expect(outputs.sort()).toEqual(
      ['ApiUrl', 'DeadLetterQueueUrl', 'GatewayAuthSecretArn', 'QueueUrl', 'TemporalApiKeySecretArn'].sort(),
    );
  });
});
