/**
 * `temporal-event-gateway`: the CDK constructs a team adds to its own app.
 */
export {
  BacklogMetricPublisher,
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
export { SqsIngestRoutes, type SqsIngestRoutesProps } from './constructs/sqs-ingest-routes';
export {
  TemporalConnection,
  type TemporalAuth,
  type TemporalConnectionProps,
} from './constructs/temporal-connection';
export {
  TemporalWorkerService,
  WorkerServiceConfigError,
  type TemporalWorkerServiceProps,
} from './constructs/temporal-worker-service';
export { acknowledgeNag, applyNagPacks } from './nag';
