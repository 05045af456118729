/**
 * `temporal-event-gateway`: the CDK constructs a team adds to its own app — the whole gateway in
 * one construct (`TemporalEventGateway`), the worker service that runs the team's image
 * (`TemporalWorkerService`), and the smaller constructs they are made of.
 */
export { TemporalEventGateway } from './constructs/temporal-event-gateway';
export type { TemporalEventGatewayProps } from './props/gateway-props';
export type { GatewayQueuePair } from './constructs/gateway-queues';
export { TemporalWorkerService, type TemporalWorkerServiceProps } from './constructs/temporal-worker-service';
export {
  TemporalWorkerImage,
  TemporalWorkerImageError,
  type StagedWorkerImage,
  type TemporalWorkerImageEntryProps,
} from './constructs/temporal-worker-image';
export { CallbackSigningKey, type CallbackSigningKeyProps } from './constructs/callback-signing-key';
export { WebhookSources, type WebhookSourcesProps } from './constructs/webhook-sources';
export {
  TemporalConnection,
  type TemporalAuth,
  type TemporalConnectionProps,
} from './constructs/temporal-connection';
export type {
  ArgumentSchema,
  GatewayRouting,
  GatewayTargetProps,
  OperationProps,
  StartProps,
  WebhookSourceProps,
} from './props/routing';
export {
  GATEWAY_AUTH_MODES,
  INGEST_MODES,
  type GatewayAuthMode,
  type IngestMode,
} from './props/gateway-props';
export { PropsValidationError } from './props/props-error';
export {
  DEFAULT_LARGE_PAYLOAD_THRESHOLD_BYTES,
  type LargePayloadsProps,
  type PayloadCodecProps,
  type PayloadEncryptionProps,
} from './props/payload-props';
export { PayloadCodecBundleError, TEAM_CODEC_FILE } from './constructs/payload-codec-bundle';
export type { CodecJwtProps, CodecServerProps } from './props/codec-server-props';
export {
  ADOT_COLLECTOR_IMAGE,
  TraceDestination,
  type TracingProps,
  type WorkerTracingProps,
} from './props/tracing-props';
export { XRAY_OTLP_ACTIONS } from './constructs/trace-export';
export { PayloadEncryptionKey } from './constructs/payload-encryption-key';
export { EventLogBucket, type EventLogBucketProps, type EventLogProps } from './constructs/event-log-bucket';
export {
  LARGE_PAYLOAD_KEY_PREFIX,
  LargePayloadBucket,
  type LargePayloadBucketProps,
  type LargePayloadGrantOptions,
} from './constructs/large-payload-bucket';
export {
  BacklogMetricPublisher,
  DEFAULT_BACKLOG_METRIC_NAME,
  type BacklogMetricPublisherProps,
} from './constructs/backlog-metric-publisher';
export { EventQueue, type EventQueueProps } from './constructs/event-queue';
export { GatewayAlarms, type GatewayAlarmsProps } from './constructs/gateway-alarms';
export {
  GatewayDashboard,
  type DashboardFunction,
  type DashboardQueue,
  type GatewayDashboardProps,
} from './constructs/gateway-dashboard';
export { GatewayFunction, type GatewayFunctionProps } from './constructs/gateway-function';
export {
  GatewayHttpApi,
  type ApiAuthorization,
  type GatewayHttpApiProps,
} from './constructs/gateway-http-api';
export {
  GatewayNetwork,
  type GatewayNetworkProps,
  type ImportedVpcAttributes,
} from './constructs/gateway-network';
export { QueueConsumer, type QueueConsumerProps } from './constructs/queue-consumer';
export {
  QUEUE_INGEST_ATTRIBUTES,
  QUEUE_INGEST_ROUTES,
  SqsIngestRoutes,
  type SqsIngestRoutesProps,
} from './constructs/sqs-ingest-routes';
export { GATEWAY_HANDLERS, type GatewayHandlerName } from './lambda-handlers';
export { acknowledgeNag, applyNagPacks } from './nag';
