import { CfnOutput, Duration, Fn, IgnoreMode, Stack, type StackProps } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import {
  acknowledgeNag,
  BacklogMetricPublisher,
  TemporalWorkerService,
  type TemporalEventGateway,
  type TemporalConnection,
} from '../../index';
import type { AppSettings } from '../settings';
import { tracingOf } from '../settings/observability';
import { deploymentNames } from './names';

/** The repository root: the staged demo's worker image is built from it with worker/Dockerfile. */
const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/**
 * Never part of the worker image's build context: host dependencies and build output (the image
 * installs and builds its own), git history, local state and credentials.
 */
const IMAGE_CONTEXT_EXCLUDES = [
  '.git',
  '**/node_modules',
  'cdk.out',
  'dist',
  'coverage',
  'reports',
  'bench/results',
  'examples',
  '.temporal-dev',
  '.dev-data',
  '**/*.log',
  '**/.env',
  '**/.env.*',
];

/** The staged demo's worker image, built from `worker/Dockerfile` with the repository root as context, at deploy time. */
export function stagedWorkerImage(): ecs.ContainerImage {
  return ecs.ContainerImage.fromAsset(REPO_ROOT, {
    file: 'worker/Dockerfile',
    platform: Platform.LINUX_ARM64,
    exclude: IMAGE_CONTEXT_EXCLUDES,
    ignoreMode: IgnoreMode.DOCKER,
  });
}

export interface WorkerStackProps extends StackProps {
  readonly settings: AppSettings;
  readonly vpc: ec2.IVpc;
  readonly vpcSubnets: ec2.SubnetSelection;
  readonly temporal: TemporalConnection;
  /** @default - the staged demo's image, built from worker/Dockerfile at deploy time */
  readonly image?: ecs.ContainerImage;
  /** The gateway whose callback URLs the worker mints. @default - the worker mints none */
  readonly gateway?: TemporalEventGateway;
  /** The gateway stack's customer-managed key (`customerManagedKey`). @default - AWS-managed keys */
  readonly encryptionKey?: kms.IKey;
}

/**
 * The Temporal worker on ECS Fargate and the scheduled function that publishes the task-queue
 * backlog it scales on. Deployed after the gateway stack, whose Temporal secrets it uses.
 */
export class WorkerStack extends Stack {
  readonly worker: TemporalWorkerService;
  readonly backlog: BacklogMetricPublisher;

  constructor(scope: Construct, id: string, props: WorkerStackProps) {
    super(scope, id, {
      description: 'Temporal event gateway: Temporal worker on ECS Fargate with backlog autoscaling',
      ...props,
    });
    const { settings } = props;
    const names = deploymentNames(settings.prefix ?? 'event-gateway');
    const logRetention = settings.logRetentionDays as logs.RetentionDays | undefined;

    this.backlog = new BacklogMetricPublisher(this, 'Backlog', {
      temporal: props.temporal,
      metricNamespace: names.metricNamespace,
      logRetention,
      encryptionKey: props.encryptionKey,
      ...(settings.functionsInVpc ? { vpc: props.vpc, vpcSubnets: props.vpcSubnets } : {}),
    });

    this.worker = new TemporalWorkerService(this, 'Worker', {
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      temporal: props.temporal,
      image: props.image ?? stagedWorkerImage(),
      cpu: settings.workerCpu,
      memoryLimitMiB: settings.workerMemoryMiB,
      desiredCount: settings.workerDesiredCount,
      minCapacity: settings.workerMinCount,
      maxCapacity: settings.workerMaxCount,
      shutdownGrace:
        settings.workerShutdownGraceSeconds !== undefined
          ? Duration.seconds(settings.workerShutdownGraceSeconds)
          : undefined,
      cpuTargetUtilizationPercent: settings.workerCpuTargetPercent,
      backlogMetric: this.backlog.metric,
      backlogScaleOutThreshold: settings.backlogScaleOutThreshold,
      logRetention,
      encryptionKey: props.encryptionKey,
      tracing: tracingOf(settings),
      // The gateway's key and bucket: each side reads the payloads the other wrote.
      payloadEncryption: props.gateway?.payloadEncryptionKey
        ? { key: props.gateway.payloadEncryptionKey }
        : undefined,
      largePayloads:
        props.gateway?.largePayloadBucket && settings.largePayloadRetentionDays !== undefined
          ? {
              // Imported by export name, so the grant's one wildcard (`v0/*`) is known here and acknowledged.
              bucket: s3.Bucket.fromBucketAttributes(this, 'LargePayloadBucket', {
                bucketName: Fn.importValue(names.largePayloadBucketExport),
                encryptionKey: props.encryptionKey,
              }),
              retention: Duration.days(settings.largePayloadRetentionDays),
              thresholdBytes: settings.largePayloadThresholdBytes,
            }
          : undefined,
    });

    if (props.gateway?.callbackSigningKey) props.gateway.grantCallbackMinting(this.worker);
    new CfnOutput(this, 'ClusterName', { value: this.worker.cluster.clusterName });
    new CfnOutput(this, 'ServiceName', { value: this.worker.service.serviceName });
    new CfnOutput(this, 'WorkerLogGroup', { value: this.worker.logGroup.logGroupName });
    new CfnOutput(this, 'BacklogMetric', {
      value: `${names.metricNamespace} ${this.backlog.metric.metricName}`,
      description: 'CloudWatch namespace and name of the task-queue backlog metric',
    });

    this.acknowledgeNagFindings(props.temporal);
  }

  /** Findings that are deliberate in this design; each reason says why for this system. */
  private acknowledgeNagFindings(temporal: TemporalConnection): void {
    const publisher = this.backlog.function;
    acknowledgeNag(
      publisher.role,
      'AwsSolutions-IAM5[Resource::*]',
      'cloudwatch:PutMetricData has no resource-level permissions (a condition limits it to this deployment’s ' +
        'metric namespace), and neither do xray:PutTraceSegments / PutTelemetryRecords for tracing.',
    );
    acknowledgeNag(
      publisher.function,
      'Serverless-LambdaDLQ',
      'Scheduled every minute to publish a gauge: a failed run is superseded by the next one, so a dead-letter ' +
        'queue of stale measurements would hold nothing anyone acts on.',
    );
    acknowledgeNag(
      publisher.function,
      'Serverless-LambdaAsyncFailureDestination',
      'Scheduled every minute to publish a gauge: the next run replaces a failed one; failures show as gaps in ' +
        'the backlog metric on the dashboard.',
    );
    const taskDefinition = this.worker.taskDefinition;
    acknowledgeNag(
      taskDefinition,
      'AwsSolutions-ECS2',
      'Only non-secret settings are plain environment (Temporal address, namespace, task queue, shutdown grace, ' +
        'heap size); the Temporal API key and mTLS cert/key are ECS secrets from Secrets Manager.',
    );
    acknowledgeNag(
      taskDefinition,
      'AwsSolutions-IAM5[Resource::*]',
      'Execution role generated by CDK: ecr:GetAuthorizationToken, needed to pull the worker image, has no ' +
        'resource-level permissions.',
    );
    temporal.acknowledgePartialArnGrants(taskDefinition);
  }
}
