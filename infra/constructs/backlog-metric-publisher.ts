import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeNag } from '../nag';
import { BACKLOG_METRIC_ENV } from '../../functions/core/env-names';
import { GatewayFunction } from './gateway-function';
import type { TemporalConnection } from './temporal-connection';

/** The metric's name unless `metricName` says otherwise. */
export const DEFAULT_BACKLOG_METRIC_NAME = 'TemporalTaskQueueBacklog';

export interface BacklogMetricPublisherProps {
  /** Whose task queue to measure, with which credentials. */
  readonly temporal: TemporalConnection;
  /** CloudWatch namespace of the metric. */
  readonly metricNamespace: string;
  /** @default DEFAULT_BACKLOG_METRIC_NAME ('TemporalTaskQueueBacklog') */
  readonly metricName?: string;
  /** @default Duration.minutes(1) — the finest EventBridge schedule, and the scaling alarms' period */
  readonly interval?: Duration;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** Run in this VPC (self-hosted Temporal). @default - not in a VPC */
  readonly vpc?: ec2.IVpc;
  /** @default - private subnets with egress */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * Customer-managed key of the function's log group (its policy must let CloudWatch Logs use it).
   * @default - CloudWatch Logs' own encryption
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * Publishes the Temporal task queue's approximate backlog (DescribeTaskQueue with reportStats) as a
 * CloudWatch metric on a schedule. A function, not the worker, does this so the metric exists while
 * no worker task runs — scaling out from zero needs it most then.
 */
export class BacklogMetricPublisher extends Construct {
  readonly function: GatewayFunction;
  readonly rule: events.Rule;
  /** The published backlog: maximum over one minute. */
  readonly metric: cloudwatch.Metric;

  constructor(scope: Construct, id: string, props: BacklogMetricPublisherProps) {
    super(scope, id);
    const metricName = props.metricName ?? DEFAULT_BACKLOG_METRIC_NAME;
    const interval = props.interval ?? Duration.minutes(1);

    this.function = new GatewayFunction(this, 'Publisher', {
      handler: 'backlog-metric',
      serviceName: 'event-gateway-backlog-metric',
      description: `Publishes the backlog of Temporal task queue ${props.temporal.taskQueue} to CloudWatch`,
      memorySize: 256,
      timeout: Duration.seconds(30),
      logRetention: props.logRetention,
      encryptionKey: props.encryptionKey,
      metricsNamespace: props.metricNamespace,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      environment: {
        ...props.temporal.functionEnvironment,
        [BACKLOG_METRIC_ENV.namespace]: props.metricNamespace,
        [BACKLOG_METRIC_ENV.metricName]: metricName,
      },
    });
    props.temporal.grantRead(this.function.role);
    // PutMetricData has no resource-level permissions; the namespace condition is the only scope.
    this.function.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': props.metricNamespace } },
      }),
    );

    this.rule = new events.Rule(this, 'Schedule', {
      description: 'Publish the Temporal task-queue backlog for worker autoscaling',
      schedule: events.Schedule.rate(interval),
      targets: [
        new targets.LambdaFunction(this.function.function, {
          // A missed run is replaced by the next one; retrying an old measurement has no value.
          retryAttempts: 0,
          maxEventAge: Duration.minutes(1),
        }),
      ],
    });

    acknowledgeNag(
      this.function.role,
      'AwsSolutions-IAM5[Resource::*]',
      'cloudwatch:PutMetricData has no resource-level permissions (a condition limits it to this deployment’s ' +
        'metric namespace), and neither do xray:PutTraceSegments / PutTelemetryRecords for tracing.',
    );
    acknowledgeNag(
      this.function.function,
      'Serverless-LambdaDLQ',
      'Scheduled every minute to publish a gauge: a failed run is superseded by the next one, so a dead-letter ' +
        'queue of stale measurements would hold nothing anyone acts on.',
    );
    acknowledgeNag(
      this.function.function,
      'Serverless-LambdaAsyncFailureDestination',
      'Scheduled every minute to publish a gauge: the next run replaces a failed one; failures show as gaps in ' +
        'the backlog metric on the dashboard.',
    );
    acknowledgeNag(
      this.rule,
      'Serverless-EventBusDLQ',
      'The schedule fires every minute to publish a gauge; an undelivered tick is superseded by the next one, so ' +
        'a dead-letter queue would only collect stale triggers nobody replays.',
    );

    this.metric = new cloudwatch.Metric({
      namespace: props.metricNamespace,
      metricName,
      statistic: 'Maximum',
      period: interval,
      label: `backlog of ${props.temporal.taskQueue}`,
    });
  }
}
