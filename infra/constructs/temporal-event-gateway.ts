import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { CALLBACK_ENV } from '../../contract/callbacks';
import { gatewayConfigDigest } from '../../functions/adapters/gateway-config-file';
import { GATEWAY_ENV } from '../../functions/core/env-names';
import { GATEWAY_CONFIG_FILE_NAME } from '../lambda-handlers';
import type { GatewayAuthMode, IngestMode, TemporalEventGatewayProps } from '../props/gateway-props';
import { validateGatewayProps } from '../props/gateway-props-validation';
import type { CallbackSigningKey } from './callback-signing-key';
import { EnvelopeSealKey } from './envelope-seal-key';
import { grantQueueKey, type EventQueue } from './event-queue';
import { GatewayAlarms } from './gateway-alarms';
import { GatewayDashboard } from './gateway-dashboard';
import { checkTraceDestination, exportFunctionTraces } from './trace-export';
import type { GatewayFunction } from './gateway-function';
import { addHttpIngest, attachSecretByArn } from './gateway-http-ingest';
import { GatewayHttpApi, type ApiAuthorization } from './gateway-http-api';
import { acknowledgeGatewayNagFindings } from './gateway-nag-findings';
import { addGatewayOutputs } from './gateway-outputs';
import { bundlePayloadCodec } from './payload-codec-bundle';
import { addPayloadConverter } from './payload-converter';
import { EventLogBucket } from './event-log-bucket';
import {
  addQueueConsumers,
  createEventQueues,
  type GatewayQueuePair,
  type SharedFunctionProps,
} from './gateway-queues';
import { SqsIngestRoutes } from './sqs-ingest-routes';
import type { TemporalWorkerService } from './temporal-worker-service';
import { WebhookSources } from './webhook-sources';

export type { TemporalEventGatewayProps } from '../props/gateway-props';
export type { GatewayQueuePair } from './gateway-queues';

/**
 * The event gateway in one construct: an HTTP API (→ ingest function, or straight into SQS in queue
 * mode), event queues with DLQs and their consumer functions, alarms, a dashboard and outputs —
 * turning external events into Temporal signals and updates for the workflows `routing` declares.
 *
 * @example
 * const temporal = new TemporalConnection(stack, 'Temporal', {
 *   address: 'orders.a1b2c.tmprl.cloud:7233', namespace: 'orders.a1b2c', taskQueue: 'orders', auth: 'api-key',
 * });
 * new TemporalEventGateway(stack, 'Gateway', {
 *   temporal,
 *   routing: {
 *     targets: [{
 *       name: 'order', workflowIdPattern: '^order-[0-9]+$', workflowType: 'orderWorkflow', taskQueue: 'orders',
 *       signals: { paymentReceived: { schema: z.object({ amount: z.number().positive() }) } },
 *     }],
 *   },
 * });
 */
export class TemporalEventGateway extends Construct {
  readonly api: GatewayHttpApi;
  readonly standardQueue: GatewayQueuePair;
  readonly fifoQueue?: EventQueue;
  /** The queue HTTP ingest writes to: the FIFO pair when enabled, else the standard pair. */
  readonly ingestQueue: GatewayQueuePair;
  /** The ingest function (sync ingest only). */
  readonly httpFunction?: GatewayFunction;
  readonly queueFunctions: GatewayFunction[];
  readonly gatewayAuthSecret?: secretsmanager.ISecret;
  /** The key callback URLs are signed with (sync ingest with callbacks on). */
  readonly callbackSigningKey?: CallbackSigningKey;
  /** The key the gateway's functions seal their own queue messages with; granted to them only. */
  readonly envelopeSealKey: EnvelopeSealKey;
  readonly alarms: GatewayAlarms;
  readonly dashboard: GatewayDashboard;
  readonly ingestMode: IngestMode;
  readonly gatewayAuth: GatewayAuthMode;
  readonly apiAuthorization: ApiAuthorization;
  /** The payload codec's KMS key (`payloadEncryption`); give it to the worker too. */
  readonly payloadEncryptionKey?: kms.IKey;
  /** The bucket of payloads above the threshold (`largePayloads`); give it to the worker too. */
  readonly largePayloadBucket?: s3.IBucket;
  /** The event log's bucket (`eventLog`). */
  readonly eventLogBucket?: s3.IBucket;

  constructor(scope: Construct, id: string, props: TemporalEventGatewayProps) {
    super(scope, id);
    // Refuses, at synth, sources that queue ingest could not verify.
    const webhookSources = props.sources?.length
      ? new WebhookSources(this, 'WebhookSources', {
          sources: props.sources,
          ingestMode: props.ingestMode,
          encryptionKey: props.encryptionKey,
        })
      : undefined;
    const resolved = validateGatewayProps(this.node.path, {
      ...props,
      routing: webhookSources
        ? { ...props.routing, sources: [...(props.routing.sources ?? []), ...webhookSources.config] }
        : props.routing,
    });
    this.ingestMode = resolved.ingestMode;
    this.gatewayAuth = resolved.gatewayAuth;
    this.apiAuthorization = resolved.apiAuthorization;
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const metricsNamespace = props.name ? `EventGateway/${props.name}` : 'EventGateway';

    const queues = createEventQueues(this, props);
    this.standardQueue = queues.standardQueue;
    this.fifoQueue = queues.fifoQueue;
    this.ingestQueue = queues.ingestQueue;

    const payloads = addPayloadConverter(this, props);
    this.payloadEncryptionKey = payloads.encryption?.key;
    this.largePayloadBucket = payloads.largePayloads?.bucket;
    const teamCodec = props.payloadCodec ? bundlePayloadCodec(props.payloadCodec) : undefined;

    // Both gateway functions read the routing (from their code) and the Temporal settings.
    const shared: SharedFunctionProps = {
      files: { [GATEWAY_CONFIG_FILE_NAME]: resolved.routingJson, ...teamCodec?.files },
      runtime: props.runtime,
      logRetention,
      encryptionKey: props.encryptionKey,
      metricsNamespace,
      ...(props.vpc ? { vpc: props.vpc, vpcSubnets: props.vpcSubnets } : {}),
      environment: {
        ...props.temporal.functionEnvironment,
        [GATEWAY_ENV.configFile]: GATEWAY_CONFIG_FILE_NAME,
        // Not a secret: it lets the functions skip re-validating the file the synth validated.
        [GATEWAY_ENV.configSha256]: gatewayConfigDigest(resolved.routingJson),
        ...payloads.environment,
        ...teamCodec?.environment,
        ...(props.temporalDeadline
          ? { [GATEWAY_ENV.temporalDeadlineMs]: String(props.temporalDeadline.toMilliseconds()) }
          : {}),
      },
    };

    this.envelopeSealKey = new EnvelopeSealKey(this, 'EnvelopeSealKey', {
      encryptionKey: props.encryptionKey,
    });

    this.api = new GatewayHttpApi(this, 'HttpApi', {
      apiName: props.name,
      authorization: this.apiAuthorization,
      throttleRateLimit: props.throttleRateLimit,
      throttleBurstLimit: props.throttleBurstLimit,
      accessLogRetention: logRetention,
      encryptionKey: props.encryptionKey,
    });

    if (this.ingestMode === 'sync') {
      const ingest = addHttpIngest(this, {
        props,
        gatewayAuth: this.gatewayAuth,
        gatewayAuthSecret: props.gatewayAuthSecret,
        shared,
        api: this.api,
        ingestQueue: this.ingestQueue,
        envelopeSealKey: this.envelopeSealKey,
        webhookSources,
      });
      this.httpFunction = ingest.httpFunction;
      this.gatewayAuthSecret = ingest.gatewayAuthSecret;
      this.callbackSigningKey = ingest.callbackSigningKey;
    } else {
      new SqsIngestRoutes(this, 'QueueIngest', { httpApi: this.api.httpApi, queue: this.ingestQueue.queue });
    }

    this.queueFunctions = addQueueConsumers(this, queues.labelled, {
      shared,
      temporal: props.temporal,
      envelopeSealKey: this.envelopeSealKey,
      props,
    });

    const functions = [...(this.httpFunction ? [this.httpFunction] : []), ...this.queueFunctions];
    for (const fn of functions) payloads.grant(fn.role);
    if (props.eventLog) {
      const eventLog = new EventLogBucket(this, 'EventLog', {
        ...props.eventLog,
        encryptionKey: props.encryptionKey,
      });
      this.eventLogBucket = eventLog.bucket;
      // Every function writes its records; the ingest function also reads them (its replay route).
      for (const fn of functions) eventLog.attach(fn.function, { read: fn === this.httpFunction });
    }
    if (props.tracing) {
      checkTraceDestination(this.node.path, props.tracing);
      for (const fn of functions) exportFunctionTraces(fn, props.tracing);
    }
    this.alarms = new GatewayAlarms(this, 'Alarms', {
      queues: queues.labelled.map(([, q]) => q.queue),
      deadLetterQueues: queues.labelled.map(([, q]) => q.deadLetterQueue),
      functions: functions.map((f) => f.function),
      oldestMessageAgeThreshold: props.oldestMessageAgeAlarm,
      alarmTopic: props.alarmTopic,
      unverifiedEnvelopes: EnvelopeSealKey.unverifiedEnvelopes(metricsNamespace, 'event-gateway-sqs'),
    });

    this.dashboard = new GatewayDashboard(this, 'Dashboard', {
      dashboardName: props.name,
      httpApi: this.api.httpApi,
      functions: functions.map((f) => ({ label: f.node.id, function: f.function })),
      queues: queues.labelled.map(([label, q]) => ({
        label,
        queue: q.queue,
        deadLetterQueue: q.deadLetterQueue,
      })),
      backlogMetric: props.backlogMetric,
      alarms: this.alarms.alarms,
      // The ingest function times the webhooks it delivers (functions/adapters/webhook-metrics.ts).
      webhookLatency:
        this.httpFunction !== undefined &&
        (props.sources?.length ?? 0) + (props.routing.sources?.length ?? 0) > 0,
    });

    if (props.outputs ?? true) {
      addGatewayOutputs(this, {
        api: this.api,
        ingestMode: this.ingestMode,
        standardQueue: this.standardQueue,
        fifoQueue: this.fifoQueue,
        temporal: props.temporal,
        gatewayAuth: this.gatewayAuth,
        gatewayAuthSecret: this.gatewayAuthSecret,
      });
    }
    acknowledgeGatewayNagFindings(this);
  }

  /**
   * Gives the ingest function one more secret: its ARN in `variable` (read at cold start, never the
   * value in the environment) and read access to it. For settings the function reads by ARN, such
   * as a webhook source's signing secret. Sync ingest only.
   */
  attachIngestSecret(variable: string, secret: secretsmanager.ISecret): void {
    if (!this.httpFunction) {
      throw new Error(`${this.node.path}: ingestMode queue has no ingest function to give ${variable} to`);
    }
    attachSecretByArn(this.httpFunction, variable, secret);
  }

  /**
   * Lets a worker mint callback URLs for this gateway: the signing keys injected as the ECS secret
   * `CALLBACK_SIGNING_KEYS` and the API's URL as `CALLBACK_BASE_URL`, which `runWorker` picks up.
   */
  grantCallbackMinting(worker: TemporalWorkerService): void {
    if (!this.callbackSigningKey) {
      throw new Error(
        `${this.node.path}: callbacks are off (queue ingest, or callbacks: false); nothing to mint with`,
      );
    }
    const secrets = this.callbackSigningKey.workerSecretsIn(
      worker,
      worker.taskDefinition.obtainExecutionRole(),
    );
    for (const [name, secret] of Object.entries(secrets)) {
      worker.container.addSecret(name, secret);
    }
    worker.container.addEnvironment(CALLBACK_ENV.baseUrl, this.api.url);
  }

  /** Lets a producer send events to the gateway's ingest queue. */
  grantSendEvents(grantee: iam.IGrantable): iam.Grant {
    grantQueueKey(this.ingestQueue.queue, grantee, 'send');
    return this.ingestQueue.queue.grantSendMessages(grantee);
  }
}
