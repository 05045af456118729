import { Annotations, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { DEFAULT_TASK_QUEUE } from '../../../contract';
import {
  DEFAULT_BACKLOG_METRIC_NAME,
  GatewayNetwork,
  TemporalConnection,
  TemporalEventGateway,
  type ApiAuthorization,
  type GatewayRouting,
} from '../../index';
import type { AppSettings } from '../settings';
import { tracingOf } from '../settings/observability';
import { stagedRouting } from '../staged-routing';
import { deploymentNames } from './names';

/** Placeholder Temporal address: synth works without settings, the stack warns about it. */
export const PLACEHOLDER_TEMPORAL_ADDRESS = 'temporal.example.com:7233';

export interface EventGatewayStackProps extends StackProps {
  readonly settings: AppSettings;
}

/**
 * The operator's secret, by the ARN the settings give: complete (with the 6-character suffix Secrets
 * Manager appends) or partial, each imported so a grant matches that one secret.
 */
function secretByArn(scope: Construct, id: string, arn: string): secretsmanager.ISecret {
  return /-[A-Za-z0-9]{6}$/.test(arn)
    ? secretsmanager.Secret.fromSecretCompleteArn(scope, id, arn)
    : secretsmanager.Secret.fromSecretPartialArn(scope, id, arn);
}

function apiAuthorization(settings: AppSettings): ApiAuthorization | undefined {
  switch (settings.apiAuthorizer) {
    case undefined:
      return undefined;
    case 'jwt':
      return { kind: 'jwt', issuer: settings.jwtIssuer ?? '', audience: settings.jwtAudience ?? [] };
    default:
      return { kind: settings.apiAuthorizer };
  }
}

/**
 * This repository's gateway stack: the network and Temporal credentials (shared with the worker
 * stack, so secrets it creates can be filled in before the worker starts) and the gateway itself,
 * built from the app settings with the library's public constructs only.
 */
export class EventGatewayStack extends Stack {
  readonly network: GatewayNetwork;
  readonly temporal: TemporalConnection;
  readonly gateway: TemporalEventGateway;
  /** The customer-managed key of everything kept at rest (`customerManagedKey`). */
  readonly encryptionKey?: kms.Key;

  constructor(scope: Construct, id: string, props: EventGatewayStackProps) {
    super(scope, id, {
      description:
        'Temporal event gateway: HTTP API and SQS ingest of external events into Temporal workflows',
      ...props,
    });
    const { settings } = props;
    const names = deploymentNames(settings.prefix ?? 'event-gateway');
    const logRetention = settings.logRetentionDays as logs.RetentionDays | undefined;

    if (settings.temporalAddress === undefined) {
      Annotations.of(this).addWarningV2(
        'event-gateway:temporalAddressPlaceholder',
        `temporalAddress is not set; using ${PLACEHOLDER_TEMPORAL_ADDRESS}, which will not connect. ` +
          'Set -c temporalAddress=host:port (or EVENT_GATEWAY_TEMPORAL_ADDRESS) before deploying.',
      );
    }

    // Kept with the stack's retained data: the bucket and webhook secrets it encrypts outlive the stack.
    this.encryptionKey = settings.customerManagedKey
      ? new kms.Key(this, 'DataKey', {
          description: `Event gateway ${names.prefix}: queues, logs, secrets and large payloads at rest`,
          enableKeyRotation: true,
          removalPolicy: RemovalPolicy.RETAIN,
        })
      : undefined;
    const encryptionKey = this.encryptionKey;

    this.network = new GatewayNetwork(this, 'Network', {
      encryptionKey,
      importVpc: settings.vpcId
        ? {
            vpcId: settings.vpcId,
            privateSubnetIds: settings.vpcPrivateSubnetIds ?? [],
            availabilityZones: settings.vpcAvailabilityZones ?? [],
          }
        : undefined,
      maxAzs: settings.vpcMaxAzs,
      natGateways: settings.natGateways,
      flowLogRetention: logRetention,
    });

    const taskQueue = settings.taskQueue ?? DEFAULT_TASK_QUEUE;
    this.temporal = new TemporalConnection(this, 'Temporal', {
      address: settings.temporalAddress ?? PLACEHOLDER_TEMPORAL_ADDRESS,
      namespace: settings.temporalNamespace,
      taskQueue,
      auth: settings.temporalAuth,
      tls: settings.temporalTls,
      apiKeySecretArn: settings.temporalApiKeySecretArn,
      mtlsSecretArn: settings.temporalMtlsSecretArn,
      // Not encryptionKey: the worker stack reads these secrets, and CDK would name its roles in this
      // stack's key policy, a dependency cycle (see TemporalConnectionProps.encryptionKey).
    });

    this.gateway = new TemporalEventGateway(this, 'Gateway', {
      name: names.prefix,
      temporal: this.temporal,
      routing: (settings.routing as GatewayRouting | undefined) ?? stagedRouting(taskQueue),
      ingestMode: settings.ingestMode,
      gatewayAuth: settings.gatewayAuth,
      gatewayAuthSecret: settings.gatewayAuthSecretArn
        ? secretByArn(this, 'GatewayAuthSecret', settings.gatewayAuthSecretArn)
        : undefined,
      apiAuthorization: apiAuthorization(settings),
      allowUnauthenticatedApi: settings.allowUnauthenticatedApi,
      temporalDeadline:
        settings.temporalDeadlineMs !== undefined ? Duration.millis(settings.temporalDeadlineMs) : undefined,
      throttleRateLimit: settings.apiThrottleRate,
      throttleBurstLimit: settings.apiThrottleBurst,
      fifo: settings.fifo,
      queueBatchSize: settings.queueBatchSize,
      queueBatchingWindow:
        settings.queueBatchingWindowSeconds !== undefined
          ? Duration.seconds(settings.queueBatchingWindowSeconds)
          : undefined,
      queueMaxConcurrency: settings.queueMaxConcurrency,
      queueMaxReceiveCount: settings.queueMaxReceiveCount,
      ...(settings.functionsInVpc ? { vpc: this.network.vpc, vpcSubnets: this.network.workloadSubnets } : {}),
      logRetention,
      alarmTopic: settings.alarmTopicArn
        ? sns.Topic.fromTopicArn(this, 'AlarmTopic', settings.alarmTopicArn)
        : undefined,
      oldestMessageAgeAlarm:
        settings.oldestMessageAgeAlarmSeconds !== undefined
          ? Duration.seconds(settings.oldestMessageAgeAlarmSeconds)
          : undefined,
      // By name, not by reference: the worker stack publishes it and deploys after this one.
      backlogMetric: new cloudwatch.Metric({
        namespace: names.metricNamespace,
        metricName: DEFAULT_BACKLOG_METRIC_NAME,
        statistic: 'Maximum',
        period: Duration.minutes(1),
        label: `backlog of ${taskQueue}`,
      }),
      encryptionKey,
      tracing: tracingOf(settings),
      eventLog:
        settings.eventLogRetentionDays !== undefined
          ? { retention: Duration.days(settings.eventLogRetentionDays) }
          : undefined,
      payloadEncryption: settings.payloadEncryption ? {} : undefined,
      largePayloads:
        settings.largePayloadRetentionDays !== undefined
          ? {
              retention: Duration.days(settings.largePayloadRetentionDays),
              thresholdBytes: settings.largePayloadThresholdBytes,
            }
          : undefined,
    });
    if (this.gateway.largePayloadBucket) {
      // By export name: the worker stack imports the bucket by it (see WorkerStack).
      new CfnOutput(this, 'LargePayloadBucket', {
        value: this.gateway.largePayloadBucket.bucketName,
        exportName: names.largePayloadBucketExport,
      });
    }
    // One gateway per stack: its outputs keep their short names (ApiUrl, QueueUrl, …) for scripts.
    for (const child of this.gateway.node.findAll()) {
      if (child instanceof CfnOutput) child.overrideLogicalId(child.node.id);
    }
  }
}
