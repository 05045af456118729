/**
 * `tracing` in AWS (issue 29): the gateway functions export their own spans (X-Ray's OTLP endpoint
 * with `xray:PutSpans`, or a team's collector with no IAM), the worker's task gets a collector sidecar
 * it exports to on loopback; cdk-nag clean (synth throws on an unacknowledged finding); off by default.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { describe, expect, it } from 'vitest';
import {
  ADOT_COLLECTOR_IMAGE,
  TemporalConnection,
  TemporalWorkerService,
  TraceDestination,
  XRAY_OTLP_ACTIONS,
  type WorkerTracingProps,
} from '../../../infra/index';
import { acknowledgeNag, applyNagPacks } from '../../../infra/nag';
import { synthOneTargetGateway } from '../support/stand-ins';
import {
  functionEnvironment,
  logicalId,
  propsProblemsOf,
  resourcesOfType,
  roleStatements,
} from '../support/template';

const XRAY_URL = {
  'Fn::Join': ['', ['https://xray.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/v1/traces']],
};

/** Every IAM statement of the template that grants one of X-Ray's OTLP actions. */
function xrayOtlpStatements(template: Template): unknown[] {
  return resourcesOfType(template, 'AWS::IAM::Policy')
    .flatMap(
      ([, policy]) => (policy.Properties?.PolicyDocument as { Statement: { Action: unknown }[] }).Statement,
    )
    .filter((statement) => JSON.stringify(statement.Action).includes('xray:PutSpans'));
}

/** The sidecar's configuration as the collector reads it, with `<AWS::Region>` for the stack's pseudo parameters. */
function collectorConfigOf(sidecar: Record<string, unknown> | undefined): unknown {
  const [variable] = sidecar?.Environment as { Name: string; Value: unknown }[];
  expect(variable?.Name).toBe('AOT_CONFIG_CONTENT');
  const value = variable?.Value as string | { 'Fn::Join': [string, Array<string | { Ref: string }>] };
  const text =
    typeof value === 'string'
      ? value
      : value['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : `<${part.Ref}>`)).join('');
  return JSON.parse(text);
}

function synthWorker(tracing?: WorkerTracingProps) {
  const app = new App();
  const stack = new Stack(app, 'Workers', { env: { account: '123456789012', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  // The stand-in network is not under test (the demo app's GatewayNetwork has its flow logs).
  acknowledgeNag(
    vpc,
    'AwsSolutions-VPC7',
    'A stand-in VPC of this test; only the worker task is under test.',
  );
  const temporal = new TemporalConnection(stack, 'Temporal', {
    address: 'orders.a1b2c.tmprl.cloud:7233',
    taskQueue: 'orders',
    auth: 'api-key',
  });
  const worker = new TemporalWorkerService(stack, 'Worker', {
    vpc,
    temporal,
    image: ecs.ContainerImage.fromRegistry('registry.example.com/orders-worker:1.4.2'),
    ...(tracing ? { tracing } : {}),
  });
  applyNagPacks(app);
  app.synth();
  const template = Template.fromStack(stack);
  const [[, taskDefinition] = []] = resourcesOfType(template, 'AWS::ECS::TaskDefinition');
  const containers = (taskDefinition?.Properties?.ContainerDefinitions ?? []) as Array<
    Record<string, unknown>
  >;
  return { stack, worker, template, containers };
}

describe('TemporalEventGateway tracing', () => {
  it('to X-Ray: every function gets the region X-Ray OTLP endpoint and xray:PutSpans, nothing more', () => {
    const { stack, gateway, template } = synthOneTargetGateway({
      tracing: { otlp: TraceDestination.xray() },
    });
    const functions = [gateway.httpFunction!, ...gateway.queueFunctions];
    expect(functions.length).toBeGreaterThan(1);
    for (const fn of functions) {
      expect(functionEnvironment(template, logicalId(stack, fn.function))).toMatchObject({
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: XRAY_URL,
      });
      expect(roleStatements(template, logicalId(stack, fn.role))).toContainEqual({
        Effect: 'Allow',
        Action: [...XRAY_OTLP_ACTIONS],
        Resource: '*',
      });
    }
  });

  it("to a team's collector: its URL, no IAM", () => {
    const { stack, gateway, template } = synthOneTargetGateway({
      tracing: { otlp: TraceDestination.collector('http://collector.internal:4318') },
    });
    for (const fn of [gateway.httpFunction!, ...gateway.queueFunctions]) {
      expect(functionEnvironment(template, logicalId(stack, fn.function))).toMatchObject({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector.internal:4318',
      });
    }
    expect(xrayOtlpStatements(template)).toEqual([]);
  });

  it('is off by default: no OTLP endpoint, no X-Ray OTLP grant', () => {
    const { stack, gateway, template } = synthOneTargetGateway();
    const env = functionEnvironment(template, logicalId(stack, gateway.httpFunction!.function));
    expect(Object.keys(env).filter((name) => name.startsWith('OTEL_'))).toEqual([]);
    expect(xrayOtlpStatements(template)).toEqual([]);
  });

  it('refuses a collector that is not an http(s) URL, naming the prop', () => {
    expect(
      propsProblemsOf(() =>
        synthOneTargetGateway({ tracing: { otlp: TraceDestination.collector('collector:4317') } }),
      ),
    ).toEqual([
      'tracing.otlp: TraceDestination.collector("collector:4317") needs the collector\'s http(s) base URL, e.g. http://collector.internal:4318',
    ]);
  });
});

describe('TemporalWorkerService tracing', () => {
  it('to X-Ray: an ADOT collector sidecar signs for xray, the worker exports to it on loopback once it started', () => {
    const { template, containers } = synthWorker({ otlp: TraceDestination.xray() });
    const [worker, sidecar] = containers;
    expect(sidecar).toMatchObject({
      Name: 'OtelCollector',
      Image: ADOT_COLLECTOR_IMAGE,
      Essential: false,
      Command: ['--config=env:AOT_CONFIG_CONTENT'],
    });
    expect(collectorConfigOf(sidecar)).toEqual({
      extensions: { sigv4auth: { region: '<AWS::Region>', service: 'xray' } },
      receivers: { otlp: { protocols: { http: { endpoint: '127.0.0.1:4318' } } } },
      processors: { batch: {} },
      exporters: {
        otlphttp: {
          traces_endpoint: 'https://xray.<AWS::Region>.<AWS::URLSuffix>/v1/traces',
          auth: { authenticator: 'sigv4auth' },
        },
      },
      service: {
        extensions: ['sigv4auth'],
        pipelines: { traces: { receivers: ['otlp'], processors: ['batch'], exporters: ['otlphttp'] } },
      },
    });
    expect(worker?.Environment).toContainEqual({
      Name: 'OTEL_EXPORTER_OTLP_ENDPOINT',
      Value: 'http://127.0.0.1:4318',
    });
    expect(worker?.DependsOn).toEqual([{ ContainerName: 'OtelCollector', Condition: 'START' }]);
    expect(xrayOtlpStatements(template)).toEqual([
      { Effect: 'Allow', Action: [...XRAY_OTLP_ACTIONS], Resource: '*' },
    ]);
  });

  it("to a team's collector, with its own image: forwards unsigned, no IAM", () => {
    const image = ecs.ContainerImage.fromRegistry('otel/opentelemetry-collector-contrib:0.148.0');
    const { template, containers, worker } = synthWorker({
      otlp: TraceDestination.collector('https://collector.internal:4318'),
      collectorImage: image,
    });
    expect(worker.traceCollector).toBeDefined();
    const sidecar = containers[1];
    expect(sidecar?.Image).toBe('otel/opentelemetry-collector-contrib:0.148.0');
    expect(collectorConfigOf(sidecar)).toMatchObject({
      exporters: { otlphttp: { endpoint: 'https://collector.internal:4318' } },
      service: { pipelines: { traces: { exporters: ['otlphttp'] } } },
    });
    expect(JSON.stringify(sidecar?.Environment)).not.toContain('sigv4auth');
    expect(xrayOtlpStatements(template)).toEqual([]);
  });

  it('is off by default: one container, no OTLP endpoint', () => {
    const { containers, worker } = synthWorker();
    expect(containers).toHaveLength(1);
    expect(worker.traceCollector).toBeUndefined();
    expect(JSON.stringify(containers[0]?.Environment)).not.toContain('OTEL_');
  });
});
