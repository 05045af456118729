import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeNag } from '../nag';
import { WORKER_ENV } from '../../contract';
import { STOP_TIMEOUT_MARGIN_SECONDS, validateWorkerServiceProps } from '../props/worker-service-props';
import type { LargePayloadsProps, PayloadEncryptionProps } from '../props/payload-props';
import type { WorkerTracingProps } from '../props/tracing-props';
import { allowCloudWatchLogs } from './logs-key-policy';
import { addPayloadConverter } from './payload-converter';
import type { TemporalConnection } from './temporal-connection';
import { addWorkerTraceSidecar } from './trace-export';

export interface TemporalWorkerServiceProps {
  readonly vpc: ec2.IVpc;
  /** @default - private subnets with egress */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** Address, namespace, task queue and credentials (as ECS secrets). */
  readonly temporal: TemporalConnection;
  /**
   * The team's worker image: its workflows and activities run by `runWorker`
   * (`temporal-event-gateway/worker`). Either from the worker entry file,
   * `TemporalWorkerImage.fromEntry({ entry: 'worker/main.ts', workflowsPath: 'worker/workflows/index.ts' })`
   * (bundled at synth, Dockerfile generated), or an image of its own, e.g.
   * `ecs.ContainerImage.fromAsset('./worker', { platform: Platform.LINUX_ARM64 })`. Both are built
   * at deploy time: synth only stages the directory, so it needs no Docker engine. The service runs
   * ARM64, so the image must be built for linux/arm64.
   */
  readonly image: ecs.ContainerImage;
  /** Fargate CPU units. @default 512 */
  readonly cpu?: number;
  /** @default 1024 */
  readonly memoryLimitMiB?: number;
  /**
   * Tasks at deploy time. Leave unset with autoscaling: a fixed number would reset the scaled count
   * on every deploy.
   * @default - 1 when the service is created; later deploys keep the current count
   */
  readonly desiredCount?: number;
  /** @default 1 */
  readonly minCapacity?: number;
  /** @default 4 */
  readonly maxCapacity?: number;
  /**
   * How long the worker lets running activities finish after SIGTERM (WORKER_SHUTDOWN_GRACE_MS).
   * @default Duration.seconds(25)
   */
  readonly shutdownGrace?: Duration;
  /**
   * SIGTERM → SIGKILL. Must exceed the grace so the drain completes; Fargate allows 120 s at most.
   * @default - shutdownGrace + 5 s
   */
  readonly stopTimeout?: Duration;
  /** Target average CPU of the service. @default 60 */
  readonly cpuTargetUtilizationPercent?: number;
  /**
   * The task-queue backlog (e.g. {@link BacklogMetricPublisher.metric}); adds step scale-out on it.
   * @default - CPU scaling only
   */
  readonly backlogMetric?: cloudwatch.IMetric;
  /** Backlog at which one more task starts (ten times this adds three). @default 50 */
  readonly backlogScaleOutThreshold?: number;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** @default - a new cluster with Container Insights */
  readonly cluster?: ecs.ICluster;
  /**
   * Encrypt payloads with the built-in codec: the task role gets GenerateDataKey and Decrypt on this
   * one key (with the codec's encryption context) and `runWorker` its ARN. Pass the gateway's key
   * (`gateway.payloadEncryptionKey`) so each side reads what the other wrote.
   * @default - payloads are not encrypted
   */
  readonly payloadEncryption?: PayloadEncryptionProps;
  /**
   * Temporal's external storage for large payloads: the task role gets PutObject and GetObject under
   * `v0/` of this one bucket (and ListBucket on it: the SDK's S3 driver HEADs before it PUTs). Pass
   * the gateway's bucket (`gateway.largePayloadBucket`).
   * @default - no payload is offloaded
   */
  readonly largePayloads?: LargePayloadsProps;
  /**
   * Customer-managed key of the worker's log group (its policy gets the CloudWatch Logs statement
   * when it is a key of this app) and of a large-payload bucket this construct creates.
   * @default - AWS-managed keys (CloudWatch Logs' own encryption, `aws/s3`)
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Export the worker's spans (`runWorker`'s OpenTelemetry interceptors): an OpenTelemetry Collector
   * sidecar in the task takes them on loopback and forwards them to `otlp` — X-Ray's OTLP endpoint
   * (SigV4, `xray:PutSpans` on the task role) or the team's collector. Pass the gateway's destination.
   * @default - no spans are exported, no sidecar
   */
  readonly tracing?: WorkerTracingProps;
}

/**
 * The Temporal worker on ECS Fargate (ARM64, private subnets, no inbound traffic): credentials as
 * ECS secrets, a deployment circuit breaker that rolls back, a stop timeout above the worker's
 * shutdown grace, and autoscaling on CPU and on the Temporal task-queue backlog.
 */
export class TemporalWorkerService extends Construct {
  readonly cluster: ecs.ICluster;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly container: ecs.ContainerDefinition;
  readonly service: ecs.FargateService;
  readonly scaling: ecs.ScalableTaskCount;
  readonly logGroup: logs.LogGroup;
  /** The payload codec's KMS key (`payloadEncryption`). */
  readonly payloadEncryptionKey?: kms.IKey;
  /** The bucket of payloads above the threshold (`largePayloads`). */
  readonly largePayloadBucket?: s3.IBucket;
  /** The OpenTelemetry Collector sidecar the worker exports its spans to (`tracing`). */
  readonly traceCollector?: ecs.ContainerDefinition;

  constructor(scope: Construct, id: string, props: TemporalWorkerServiceProps) {
    super(scope, id);
    const cpu = props.cpu ?? 512;
    const memoryLimitMiB = props.memoryLimitMiB ?? 1024;
    const minCapacity = props.minCapacity ?? 1;
    const maxCapacity = props.maxCapacity ?? 4;
    const shutdownGrace = props.shutdownGrace ?? Duration.seconds(25);
    const stopTimeout =
      props.stopTimeout ?? Duration.seconds(shutdownGrace.toSeconds() + STOP_TIMEOUT_MARGIN_SECONDS);
    validateWorkerServiceProps(this.node.path, {
      ...props,
      cpu,
      memoryLimitMiB,
      minCapacity,
      maxCapacity,
      shutdownGrace,
      stopTimeout,
    });

    this.cluster =
      props.cluster ??
      new ecs.Cluster(this, 'Cluster', {
        vpc: props.vpc,
        containerInsightsV2: ecs.ContainerInsights.ENABLED,
      });

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      cpu,
      memoryLimitMiB,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.ARM64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    if (props.encryptionKey) allowCloudWatchLogs(props.encryptionKey);
    const payloads = addPayloadConverter(this, props);
    this.payloadEncryptionKey = payloads.encryption?.key;
    this.largePayloadBucket = payloads.largePayloads?.bucket;
    payloads.grant(this.taskDefinition.taskRole, { headsBeforePut: true });

    this.container = this.taskDefinition.addContainer('Worker', {
      image: props.image,
      essential: true,
      environment: {
        ...props.temporal.containerEnvironment,
        [WORKER_ENV.shutdownGraceMs]: String(shutdownGrace.toMilliseconds()),
        // V8's heap limit follows the container, not the host: 75 % leaves room for native memory.
        NODE_OPTIONS: `--max-old-space-size=${Math.floor(memoryLimitMiB * 0.75)}`,
        ...payloads.environment,
      },
      secrets: props.temporal.containerSecrets,
      stopTimeout,
      logging: ecs.LogDrivers.awsLogs({
        streamPrefix: 'worker',
        logGroup: this.logGroup,
        // A slow log pipe must never block the worker's event loop (and with it, heartbeats).
        mode: ecs.AwsLogDriverMode.NON_BLOCKING,
      }),
    });

    if (props.tracing) {
      this.traceCollector = addWorkerTraceSidecar(
        this.taskDefinition,
        this.container,
        this.logGroup,
        props.tracing,
      );
    }

    // Findings that are deliberate in this design; each reason says why.
    acknowledgeNag(
      this.taskDefinition,
      'AwsSolutions-ECS2',
      'Only non-secret settings are plain environment (Temporal address, namespace, task queue, shutdown grace, ' +
        'heap size); the Temporal API key and mTLS cert/key are ECS secrets from Secrets Manager.',
    );
    acknowledgeNag(
      this.taskDefinition,
      'AwsSolutions-IAM5[Resource::*]',
      'Execution role generated by CDK: ecr:GetAuthorizationToken, needed to pull the worker image, has no ' +
        'resource-level permissions.',
    );
    props.temporal.acknowledgePartialArnGrants(this.taskDefinition);

    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Temporal worker: no inbound; outbound to Temporal, ECR, Secrets Manager, CloudWatch',
      allowAllOutbound: true,
    });

    this.service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: props.desiredCount,
      vpcSubnets: props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [securityGroup],
      assignPublicIp: false,
      circuitBreaker: { enable: true, rollback: true },
      // New tasks start polling before old ones drain: no gap in task processing during deploys.
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      enableECSManagedTags: true,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
    });

    this.scaling = this.service.autoScaleTaskCount({ minCapacity, maxCapacity });
    this.scaling.scaleOnCpuUtilization('CpuScaling', {
      targetUtilizationPercent: props.cpuTargetUtilizationPercent ?? 60,
      scaleOutCooldown: Duration.minutes(1),
      scaleInCooldown: Duration.minutes(5),
    });
    if (props.backlogMetric) {
      // Scale out only: scale-in stays with the CPU policy, so the two never fight over a quiet queue
      // that still has busy workers. From zero tasks, any backlog starts one.
      const threshold = minCapacity === 0 ? 1 : (props.backlogScaleOutThreshold ?? 50);
      this.scaling.scaleOnMetric('BacklogScaling', {
        metric: props.backlogMetric,
        adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
        scalingSteps: [
          { upper: threshold, change: 0 },
          { lower: threshold, upper: threshold * 10, change: +1 },
          { lower: threshold * 10, change: +3 },
        ],
        evaluationPeriods: 2,
        cooldown: Duration.minutes(3),
      });
    }
  }
}
