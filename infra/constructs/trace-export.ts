/**
 * Tracing in AWS (issue 29), as `tracing` asks: the gateway functions export their spans themselves
 * (OTEL_EXPORTER_OTLP_* in their environment; SigV4 to X-Ray in functions/adapters/xray-otlp-exporter.ts),
 * and the worker's Fargate task gets an OpenTelemetry Collector sidecar that `runWorker` exports to
 * on loopback and that forwards to the destination. IAM: `xray:PutSpans` and `xray:PutSpansForIndexing`
 * (X-Ray's OTLP endpoint; neither has resource-level permissions) for X-Ray, nothing for a collector.
 */
import { Aws, Stack, Token } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { OTEL_ENV } from '../../functions/core/trace-context';
import { acknowledgeNag } from '../nag';
import { PropsValidationError } from '../props/props-error';
import { ADOT_COLLECTOR_IMAGE, type TracingProps, type WorkerTracingProps } from '../props/tracing-props';
import type { GatewayFunction } from './gateway-function';

/** What X-Ray's OTLP endpoint checks (the AWS managed X-Ray write policies predate it and lack both). */
export const XRAY_OTLP_ACTIONS = ['xray:PutSpans', 'xray:PutSpansForIndexing'] as const;

/** The sidecar's OTLP/HTTP receiver, on the task's loopback (awsvpc: the containers share it). */
export const SIDECAR_OTLP_ENDPOINT = 'http://127.0.0.1:4318';

/** The variable the sidecar reads its configuration from (ADOT's own name; `env:` works for any collector). */
const COLLECTOR_CONFIG_ENV = 'AOT_CONFIG_CONTENT';

const xrayTracesUrl = (): string => `https://xray.${Aws.REGION}.${Aws.URL_SUFFIX}/v1/traces`;

function grantXrayOtlp(role: iam.IRole, scope: iam.Role | ecs.TaskDefinition, who: string): void {
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...XRAY_OTLP_ACTIONS], resources: ['*'] }));
  acknowledgeNag(
    scope,
    'AwsSolutions-IAM5[Resource::*]',
    `${who}: X-Ray's actions (xray:PutSpans/PutSpansForIndexing for OTLP spans, PutTraceSegments/` +
      'PutTelemetryRecords for active tracing) and ecr:GetAuthorizationToken have no resource-level permissions.',
  );
}

/** A collector's URL must be an http(s) base URL (tokens are taken as they are). */
export function checkTraceDestination(path: string, tracing: TracingProps): void {
  const { endpoint } = tracing.otlp;
  if (tracing.otlp.kind !== 'collector' || endpoint === undefined || Token.isUnresolved(endpoint)) return;
  let protocol: string | undefined;
  try {
    protocol = new URL(endpoint).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw new PropsValidationError(path, [
      `tracing.otlp: TraceDestination.collector("${endpoint}") needs the collector's http(s) base URL, e.g. http://collector.internal:4318`,
    ]);
  }
}

/** Lets a gateway function export its spans to the destination: its environment, and IAM for X-Ray. */
export function exportFunctionTraces(fn: GatewayFunction, tracing: TracingProps): void {
  const { otlp } = tracing;
  if (otlp.kind === 'xray') {
    fn.function.addEnvironment(OTEL_ENV.tracesEndpoint, xrayTracesUrl());
    grantXrayOtlp(fn.role, fn.role, 'OpenTelemetry spans to X-Ray');
  } else {
    fn.function.addEnvironment(OTEL_ENV.endpoint, otlp.endpoint ?? '');
  }
}

/** The sidecar's configuration (JSON is YAML): OTLP in on loopback, batched, OTLP/HTTP out. */
export function collectorConfig(tracing: TracingProps): object {
  const xray = tracing.otlp.kind === 'xray';
  return {
    ...(xray ? { extensions: { sigv4auth: { region: Aws.REGION, service: 'xray' } } } : {}),
    receivers: { otlp: { protocols: { http: { endpoint: '127.0.0.1:4318' } } } },
    processors: { batch: {} },
    exporters: {
      otlphttp: xray
        ? { traces_endpoint: xrayTracesUrl(), auth: { authenticator: 'sigv4auth' } }
        : { endpoint: tracing.otlp.endpoint },
    },
    service: {
      ...(xray ? { extensions: ['sigv4auth'] } : {}),
      pipelines: { traces: { receivers: ['otlp'], processors: ['batch'], exporters: ['otlphttp'] } },
    },
  };
}

/**
 * Adds the collector sidecar to the worker's task and points the worker at it: the worker starts
 * once the sidecar has, and the sidecar is not essential (a failed collector costs spans, not work).
 */
export function addWorkerTraceSidecar(
  taskDefinition: ecs.FargateTaskDefinition,
  worker: ecs.ContainerDefinition,
  logGroup: logs.ILogGroup,
  tracing: WorkerTracingProps,
): ecs.ContainerDefinition {
  checkTraceDestination(taskDefinition.node.path, tracing);
  const sidecar = taskDefinition.addContainer('OtelCollector', {
    image: tracing.collectorImage ?? ecs.ContainerImage.fromRegistry(ADOT_COLLECTOR_IMAGE),
    essential: false,
    command: [`--config=env:${COLLECTOR_CONFIG_ENV}`],
    environment: { [COLLECTOR_CONFIG_ENV]: Stack.of(taskDefinition).toJsonString(collectorConfig(tracing)) },
    memoryReservationMiB: 64,
    logging: ecs.LogDrivers.awsLogs({
      streamPrefix: 'otel-collector',
      logGroup,
      mode: ecs.AwsLogDriverMode.NON_BLOCKING,
    }),
  });
  worker.addContainerDependencies({ container: sidecar, condition: ecs.ContainerDependencyCondition.START });
  worker.addEnvironment(OTEL_ENV.endpoint, SIDECAR_OTLP_ENDPOINT);
  if (tracing.otlp.kind === 'xray') {
    grantXrayOtlp(
      taskDefinition.taskRole,
      taskDefinition,
      'The worker task role sends OpenTelemetry spans to X-Ray',
    );
  }
  return sidecar;
}
