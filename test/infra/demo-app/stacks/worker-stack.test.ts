import { CALLBACK_ENV } from '../../../../contract/callbacks';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { WORKER_ENV } from '../../../../contract';
import { BACKLOG_METRIC_ENV, TEMPORAL_ENV } from '../../../../functions/core/env-names';
import { lazySynth } from '../../support/synth';
import {
  onlyResourceProperties,
  importOfRef,
  functionEnvironment,
  getAtt,
  logicalId,
  resource,
  resourcesOfType,
  roleStatements,
} from '../../support/template';

/** Temporal Cloud with mTLS (secret created by the stack), a bigger worker and a longer grace. */
const synth = lazySynth({
  temporalAddress: 'ns.acct.tmprl.cloud:7233',
  temporalAuth: 'mtls',
  workerCpu: 1024,
  workerMemoryMiB: 2048,
  workerShutdownGraceSeconds: 40,
  workerMinCount: 2,
  workerMaxCount: 6,
});

interface ContainerDefinition {
  Environment: Array<{ Name: string; Value: unknown }>;
  Secrets: Array<{ Name: string; ValueFrom: unknown }>;
  StopTimeout: number;
  LogConfiguration: { LogDriver: string; Options: Record<string, unknown> };
}

function taskDefinition() {
  const task = onlyResourceProperties<
    Record<string, unknown> & { ContainerDefinitions: ContainerDefinition[] }
  >(synth().worker, 'AWS::ECS::TaskDefinition');
  const [container] = task.ContainerDefinitions;
  if (!container) throw new Error('no container');
  return { task, container };
}

describe('WorkerStack', () => {
  it('runs the worker on Fargate ARM64 with the configured size', () => {
    const { task } = taskDefinition();
    expect(task).toMatchObject({
      RequiresCompatibilities: ['FARGATE'],
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
      Cpu: '1024',
      Memory: '2048',
    });
  });

  it('builds the image from worker/Dockerfile for linux/arm64 at deploy time, not at synth', () => {
    const { assembly } = synth();
    const manifest = JSON.parse(
      readFileSync(join(assembly.directory, 'event-gateway-worker.assets.json'), 'utf8'),
    ) as { dockerImages: Record<string, { source: Record<string, unknown> }> };
    const images = Object.values(manifest.dockerImages);
    expect(images).toHaveLength(1);
    expect(images[0]?.source).toMatchObject({ dockerFile: 'worker/Dockerfile', platform: 'linux/arm64' });
  });

  it('stops the container 5 s after the worker’s shutdown grace, within Fargate’s limit', () => {
    const { container } = taskDefinition();
    expect(container.StopTimeout).toBe(45);
    expect(container.Environment).toContainEqual({ Name: WORKER_ENV.shutdownGraceMs, Value: '40000' });
  });

  it('sizes the V8 heap from the task memory', () => {
    const { container } = taskDefinition();
    expect(container.Environment).toContainEqual({
      Name: 'NODE_OPTIONS',
      Value: '--max-old-space-size=1536',
    });
    // The scheduled BacklogMetricPublisher publishes the backlog; the worker has no knob for it.
    expect(JSON.stringify(container.Environment)).not.toContain('BACKLOG');
  });

  it('gives the worker its Temporal credentials as ECS secrets, never as plain environment', () => {
    const { container } = taskDefinition();
    const secretFields = container.Secrets.map((secret) => [secret.Name, JSON.stringify(secret.ValueFrom)]);
    expect(secretFields.map(([name]) => name).sort()).toEqual(
      [TEMPORAL_ENV.tlsClientCertData, TEMPORAL_ENV.tlsClientKeyData, CALLBACK_ENV.signingKeys].sort(),
    );
    expect(secretFields.find(([name]) => name === TEMPORAL_ENV.tlsClientCertData)?.[1]).toMatch(/:cert::"/);
    expect(secretFields.find(([name]) => name === TEMPORAL_ENV.tlsClientKeyData)?.[1]).toMatch(/:key::"/);
    const plain = container.Environment.map((variable) => variable.Name);
    expect(plain).not.toContain(TEMPORAL_ENV.apiKey);
    expect(plain).not.toContain(TEMPORAL_ENV.tlsClientCertData);
    expect(plain).not.toContain(TEMPORAL_ENV.tlsClientKeyData);
    expect(container.Environment).toContainEqual({ Name: TEMPORAL_ENV.tls, Value: 'true' });
  });

  it('logs through awslogs in non-blocking mode to a log group with a retention', () => {
    const { worker } = synth();
    const { container } = taskDefinition();
    expect(container.LogConfiguration.LogDriver).toBe('awslogs');
    expect(container.LogConfiguration.Options).toMatchObject({
      mode: 'non-blocking',
      'awslogs-stream-prefix': 'worker',
    });
    const group = (container.LogConfiguration.Options['awslogs-group'] as { Ref: string }).Ref;
    expect(resource(worker, group).Properties).toEqual({ RetentionInDays: 30 });
  });

  it('deploys with a circuit breaker that rolls back, in private subnets without a public IP', () => {
    const { worker } = synth();
    worker.hasResourceProperties('AWS::ECS::Service', {
      LaunchType: 'FARGATE',
      // Left to autoscaling, so a deploy never resets a scaled-out service.
      DesiredCount: Match.absent(),
      DeploymentConfiguration: {
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
      },
      NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: 'DISABLED' } },
    });
    worker.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
    const groups = resourcesOfType(worker, 'AWS::EC2::SecurityGroup');
    expect(groups).toHaveLength(1);
    expect(groups[0]?.[1].Properties?.SecurityGroupIngress).toBeUndefined();
  });

  it('scales between min and max on CPU and scales out on the Temporal task-queue backlog', () => {
    const { worker } = synth();
    worker.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 2,
      MaxCapacity: 6,
      ScalableDimension: 'ecs:service:DesiredCount',
    });
    worker.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: {
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
        TargetValue: 60,
      },
    });
    worker.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'StepScaling',
      StepScalingPolicyConfiguration: {
        AdjustmentType: 'ChangeInCapacity',
        StepAdjustments: [
          { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 450, ScalingAdjustment: 1 },
          { MetricIntervalLowerBound: 450, ScalingAdjustment: 3 },
        ],
      },
    });
    // Scale-out only: no lower alarm that would fight the CPU policy's scale-in.
    const backlogAlarms = resourcesOfType(worker, 'AWS::CloudWatch::Alarm').filter(([, alarm]) =>
      JSON.stringify(alarm.Properties).includes('TemporalTaskQueueBacklog'),
    );
    expect(backlogAlarms).toHaveLength(1);
    expect(backlogAlarms[0]?.[1].Properties).toMatchObject({
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 50,
      EvaluationPeriods: 2,
      Metrics: [
        {
          MetricStat: {
            Metric: { Namespace: 'EventGateway/event-gateway', MetricName: 'TemporalTaskQueueBacklog' },
            Period: 60,
            Stat: 'Maximum',
          },
        },
      ],
    });
  });

  it('publishes the backlog every minute from a function that may only put that metric and read the secret', () => {
    const { worker, gateway, stacks } = synth();
    const publisher = stacks.worker.backlog.function;
    const mtlsSecret = stacks.gateway.temporal.mtlsSecret;
    if (!mtlsSecret) throw new Error('no mTLS secret');
    const secretImport = importOfRef(gateway, logicalId(stacks.gateway, mtlsSecret));
    const fnId = logicalId(stacks.worker, publisher.function);
    worker.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [
        { Arn: getAtt(fnId), RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 } },
      ],
    });
    expect(resource(worker, fnId).Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
    });
    expect(functionEnvironment(worker, fnId)).toMatchObject({
      [BACKLOG_METRIC_ENV.namespace]: 'EventGateway/event-gateway',
      [BACKLOG_METRIC_ENV.metricName]: 'TemporalTaskQueueBacklog',
      [TEMPORAL_ENV.taskQueue]: 'event-gateway',
      [TEMPORAL_ENV.mtlsSecretArn]: secretImport,
    });
    const statements = roleStatements(worker, logicalId(stacks.worker, publisher.role));
    expect(statements).toEqual([
      {
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Effect: 'Allow',
        Resource: getAtt(logicalId(stacks.worker, publisher.logGroup)),
      },
      { Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], Effect: 'Allow', Resource: '*' },
      {
        Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
        Effect: 'Allow',
        Resource: secretImport,
      },
      {
        Action: 'cloudwatch:PutMetricData',
        Condition: { StringEquals: { 'cloudwatch:namespace': 'EventGateway/event-gateway' } },
        Effect: 'Allow',
        Resource: '*',
      },
    ]);
  });
});
