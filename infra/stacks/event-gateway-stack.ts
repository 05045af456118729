import { Annotations, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { GATEWAY_ENV } from '../../functions/core/env-names';
import type { GatewayConfig } from '../config';
import { EventQueue } from '../constructs/event-queue';
import { GatewayAlarms } from '../constructs/gateway-alarms';
import { GatewayDashboard } from '../constructs/gateway-dashboard';
import { GatewayFunction } from '../constructs/gateway-function';
import { GatewayHttpApi } from '../constructs/gateway-http-api';
import { GatewayNetwork } from '../constructs/gateway-network';
import { QueueConsumer } from '../constructs/queue-consumer';
import { SqsIngestRoutes } from '../constructs/sqs-ingest-routes';
import {
  importSecretByArn,
  isCompleteSecretArn,
  TemporalConnection,
} from '../constructs/temporal-connection';
import { acknowledgeNag } from '../nag';
import { deploymentNames } from './names';

export interface EventGatewayStackProps extends StackProps {
  readonly config: GatewayConfig;
}

/** The queue function's timeout; SQS visibility is six times it, as AWS recommends for Lambda. */
const QUEUE_FUNCTION_TIMEOUT = Duration.seconds(60);
/** Below API Gateway's 30 s integration limit, so the function answers before the gateway gives up. */
const HTTP_FUNCTION_TIMEOUT = Duration.seconds(29);

/**
 * The gateway: HTTP API (→ ingest function, or straight into SQS in queue mode), the event queues
 * with their consumer functions, alarms and a dashboard. It also owns what the worker stack shares
 * (network, Temporal credentials), so secrets it creates can be filled in before the worker starts.
 */
export class EventGatewayStack extends Stack {
  readonly network: GatewayNetwork;
  readonly temporal: TemporalConnection;
  readonly api: GatewayHttpApi;
  readonly standardQueue: EventQueue;
  readonly fifoQueue?: EventQueue;
  /** The queue HTTP ingest writes to: the FIFO pair when enabled, else the standard pair. */
  readonly ingestQueue: EventQueue;
  readonly httpFunction?: GatewayFunction;
  readonly queueFunctions: GatewayFunction[] = [];
  readonly gatewayAuthSecret?: secretsmanager.ISecret;
  readonly alarms: GatewayAlarms;
  readonly dashboard: GatewayDashboard;

  constructor(scope: Construct, id: string, props: EventGatewayStackProps) {
    super(scope, id, {
      description:
        'Temporal event gateway: HTTP API and SQS ingest of external events into Temporal workflows',
      ...props,
    });
    const { config } = props;
    const names = deploymentNames(config.prefix);
    const logRetention = config.observability.logRetentionDays as logs.RetentionDays;

    if (config.temporal.addressIsPlaceholder) {
      Annotations.of(this).addWarningV2(
        'event-gateway:temporalAddressPlaceholder',
        `temporalAddress is not set; using ${config.temporal.address}, which will not connect. ` +
          'Set -c temporalAddress=host:port (or EVENT_GATEWAY_TEMPORAL_ADDRESS) before deploying.',
      );
    }

    this.network = new GatewayNetwork(this, 'Network', {
      importVpc:
        config.network.kind === 'import'
          ? {
              vpcId: config.network.vpcId,
              privateSubnetIds: config.network.privateSubnetIds,
              availabilityZones: config.network.availabilityZones,
            }
          : undefined,
      maxAzs: config.network.kind === 'create' ? config.network.maxAzs : undefined,
      natGateways: config.network.kind === 'create' ? config.network.natGateways : undefined,
      flowLogRetention: logRetention,
    });
    const functionVpc = config.functionsInVpc
      ? { vpc: this.network.vpc, vpcSubnets: this.network.workloadSubnets }
      : {};

    this.temporal = new TemporalConnection(this, 'Temporal', {
      address: config.temporal.address,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      auth: config.temporal.auth,
      tls: config.temporal.tls,
      apiKeySecretArn: config.temporal.apiKeySecretArn,
      mtlsSecretArn: config.temporal.mtlsSecretArn,
    });

    const queueProps = {
      queueName: names.queueBase,
      visibilityTimeout: Duration.seconds(QUEUE_FUNCTION_TIMEOUT.toSeconds() * 6),
      maxReceiveCount: config.queue.maxReceiveCount,
    };
    this.standardQueue = new EventQueue(this, 'Events', queueProps);
    if (config.queue.fifo) this.fifoQueue = new EventQueue(this, 'FifoEvents', { ...queueProps, fifo: true });
    this.ingestQueue = this.fifoQueue ?? this.standardQueue;

    // Settings both gateway functions read; targets and the Temporal deadline are the operator's.
    const gatewayEnvironment: Record<string, string> = {
      ...this.temporal.functionEnvironment,
      ...(config.ingest.gatewayConfigJson ? { [GATEWAY_ENV.config]: config.ingest.gatewayConfigJson } : {}),
      ...(config.ingest.temporalDeadlineMs !== undefined
        ? { [GATEWAY_ENV.temporalDeadlineMs]: String(config.ingest.temporalDeadlineMs) }
        : {}),
    };

    this.api = new GatewayHttpApi(this, 'HttpApi', {
      apiName: config.prefix,
      authorization: config.ingest.apiAuthorizer,
      throttleRateLimit: config.ingest.throttle.rateLimit,
      throttleBurstLimit: config.ingest.throttle.burstLimit,
      accessLogRetention: logRetention,
    });

    if (config.ingest.mode === 'sync') {
      if (config.ingest.gatewayAuth !== 'none') {
        this.gatewayAuthSecret = config.ingest.gatewayAuthSecretArn
          ? importSecretByArn(this, 'GatewayAuthSecret', config.ingest.gatewayAuthSecretArn)
          : new secretsmanager.Secret(this, 'GatewayAuthSecret', {
              description:
                `Event gateway ${config.ingest.gatewayAuth} secret: ` +
                (config.ingest.gatewayAuth === 'api-key'
                  ? 'comma-separated API keys (a generated key is ready to use).'
                  : 'the webhook signing secret from the sender (replace the generated value).'),
              generateSecretString: { excludePunctuation: true, passwordLength: 40 },
            });
        if (this.gatewayAuthSecret instanceof secretsmanager.Secret) {
          acknowledgeNag(
            this.gatewayAuthSecret,
            'AwsSolutions-SMG4',
            'Gateway API keys and webhook signing secrets are shared with external senders; rotating one needs ' +
              'the sender to switch over, so the operator rotates it by hand, not on a schedule.',
          );
        }
      }

      const httpFunction = new GatewayFunction(this, 'HttpIngest', {
        entry: 'functions/handlers/http.ts',
        serviceName: 'event-gateway-http',
        description: 'HTTP ingest: signals, updates and queries into Temporal; queues when Temporal is down',
        timeout: HTTP_FUNCTION_TIMEOUT,
        logRetention,
        metricsNamespace: names.metricNamespace,
        ...functionVpc,
        environment: {
          ...gatewayEnvironment,
          [GATEWAY_ENV.auth]: config.ingest.gatewayAuth,
          ...(this.gatewayAuthSecret
            ? { [GATEWAY_ENV.authSecretArn]: this.gatewayAuthSecret.secretArn }
            : {}),
          [GATEWAY_ENV.queueUrl]: this.ingestQueue.queue.queueUrl,
        },
      });
      this.ingestQueue.queue.grantSendMessages(httpFunction.role);
      this.temporal.grantRead(httpFunction.role);
      this.gatewayAuthSecret?.grantRead(httpFunction.role);
      if (config.ingest.gatewayAuthSecretArn && !isCompleteSecretArn(config.ingest.gatewayAuthSecretArn)) {
        acknowledgeNag(
          httpFunction.role,
          `AwsSolutions-IAM5[Resource::${config.ingest.gatewayAuthSecretArn}-??????]`,
          'The gateway auth secret was configured by partial ARN: the grant matches the random 6-character ' +
            'suffix Secrets Manager appends, so only that one secret matches.',
        );
      }
      this.api.addDefaultRoute(new HttpLambdaIntegration('HttpIngestIntegration', httpFunction.function));
      this.httpFunction = httpFunction;
    } else {
      new SqsIngestRoutes(this, 'QueueIngest', { httpApi: this.api.httpApi, queue: this.ingestQueue.queue });
    }

    for (const [label, eventQueue] of this.eventQueues()) {
      const consumer = new GatewayFunction(this, `${label}Consumer`, {
        entry: 'functions/handlers/sqs.ts',
        serviceName: 'event-gateway-sqs',
        description: `Delivers events from the ${label.toLowerCase()} queue to Temporal; permanent failures to its DLQ`,
        timeout: QUEUE_FUNCTION_TIMEOUT,
        logRetention,
        metricsNamespace: names.metricNamespace,
        ...functionVpc,
        environment: gatewayEnvironment,
      });
      this.temporal.grantRead(consumer.role);
      new QueueConsumer(this, `${label}EventSource`, {
        function: consumer.function,
        queue: eventQueue.queue,
        deadLetterQueue: eventQueue.deadLetterQueue,
        batchSize: config.queue.batchSize,
        maxBatchingWindow: Duration.seconds(config.queue.batchingWindowSeconds),
        maxConcurrency: config.queue.maxConcurrency,
      });
      this.queueFunctions.push(consumer);
    }

    const functions = [...(this.httpFunction ? [this.httpFunction] : []), ...this.queueFunctions];
    this.alarms = new GatewayAlarms(this, 'Alarms', {
      queues: this.eventQueues().map(([, q]) => q.queue),
      deadLetterQueues: this.eventQueues().map(([, q]) => q.deadLetterQueue),
      functions: functions.map((f) => f.function),
      oldestMessageAgeThreshold: Duration.seconds(config.observability.oldestMessageAgeAlarmSeconds),
      alarmTopic: config.observability.alarmTopicArn
        ? sns.Topic.fromTopicArn(this, 'AlarmTopic', config.observability.alarmTopicArn)
        : undefined,
    });

    this.dashboard = new GatewayDashboard(this, 'Dashboard', {
      dashboardName: names.dashboard,
      httpApi: this.api.httpApi,
      functions: functions.map((f) => ({ label: f.node.id, function: f.function })),
      queues: this.eventQueues().map(([label, q]) => ({
        label,
        queue: q.queue,
        deadLetterQueue: q.deadLetterQueue,
      })),
      backlogMetric: new cloudwatch.Metric({
        namespace: names.metricNamespace,
        metricName: names.backlogMetricName,
        statistic: 'Maximum',
        period: Duration.minutes(1),
        label: `backlog of ${config.temporal.taskQueue}`,
      }),
      alarms: this.alarms.alarms,
    });

    this.addOutputs(config);
    this.acknowledgeNagFindings(config);
  }

  private eventQueues(): Array<[string, EventQueue]> {
    return [
      ['Standard', this.standardQueue],
      ...(this.fifoQueue ? [['Fifo', this.fifoQueue] as [string, EventQueue]] : []),
    ];
  }

  private addOutputs(config: GatewayConfig): void {
    new CfnOutput(this, 'ApiUrl', {
      value: this.api.url,
      description: `Base URL of the event gateway API (${config.ingest.mode} ingest)`,
    });
    new CfnOutput(this, 'QueueUrl', { value: this.standardQueue.queue.queueUrl, description: 'Event queue' });
    new CfnOutput(this, 'DeadLetterQueueUrl', {
      value: this.standardQueue.deadLetterQueue.queueUrl,
      description: 'Dead-letter queue of the event queue',
    });
    if (this.fifoQueue) {
      new CfnOutput(this, 'FifoQueueUrl', {
        value: this.fifoQueue.queue.queueUrl,
        description: 'FIFO event queue',
      });
      new CfnOutput(this, 'FifoDeadLetterQueueUrl', {
        value: this.fifoQueue.deadLetterQueue.queueUrl,
        description: 'Dead-letter queue of the FIFO event queue',
      });
    }
    if (this.temporal.apiKeySecret) {
      new CfnOutput(this, 'TemporalApiKeySecretArn', {
        value: this.temporal.apiKeySecret.secretArn,
        description: 'Put the Temporal API key here (plain string)',
      });
    }
    if (this.temporal.mtlsSecret) {
      new CfnOutput(this, 'TemporalMtlsSecretArn', {
        value: this.temporal.mtlsSecret.secretArn,
        description: 'Put {"cert": PEM, "key": PEM} here',
      });
    }
    if (this.gatewayAuthSecret) {
      new CfnOutput(this, 'GatewayAuthSecretArn', {
        value: this.gatewayAuthSecret.secretArn,
        description: `Secret of gatewayAuth=${config.ingest.gatewayAuth}`,
      });
    }
  }

  /** Findings that are deliberate in this design; each reason says why for this system. */
  private acknowledgeNagFindings(config: GatewayConfig): void {
    if (this.httpFunction) {
      acknowledgeNag(
        this.httpFunction.function,
        'Serverless-LambdaDLQ',
        'Invoked synchronously by API Gateway only: the caller gets the error (503 with Retry-After), and events ' +
          'the function accepted were already delivered to Temporal or written to the SQS queue.',
      );
      acknowledgeNag(
        this.httpFunction.function,
        'Serverless-LambdaAsyncFailureDestination',
        'Never invoked asynchronously: API Gateway calls it synchronously and answers the sender.',
      );
    }
    for (const fn of this.queueFunctions) {
      acknowledgeNag(
        fn.function,
        'Serverless-LambdaDLQ',
        'Invoked only by an SQS event source mapping: failed records return to the queue and reach its redrive ' +
          'DLQ after maxReceiveCount; permanent failures are sent there at once, with the reason.',
      );
      acknowledgeNag(
        fn.function,
        'Serverless-LambdaAsyncFailureDestination',
        'Invoked only by an SQS event source mapping, never asynchronously; the queue redrive policy is the DLQ.',
      );
      acknowledgeNag(
        fn,
        'Serverless-LambdaEventSourceMappingDestination',
        'SQS event source mappings take no on-failure destination; the source queue redrive policy moves failed ' +
          'messages to the DLQ, which is alarmed.',
      );
    }
    if (config.ingest.apiAuthorizer.kind === 'none') {
      acknowledgeNag(
        this.api,
        'AwsSolutions-APIG4',
        config.ingest.gatewayAuth !== 'none'
          ? `Authentication happens in the ingest function (gatewayAuth=${config.ingest.gatewayAuth}, secret in ` +
              'Secrets Manager): webhook senders such as GitHub or Stripe sign requests and cannot use IAM or JWT.'
          : 'The operator set allowUnauthenticatedApi=true for this deployment (e.g. a private test stage).',
      );
    }
  }
}
