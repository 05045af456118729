/**
 * Every environment variable the gateway reads, named once. Handlers, the local stack and the CDK
 * stacks import these instead of retyping strings.
 */
export const GATEWAY_ENV = {
  /** JSON gateway configuration (targets, routes); the local default applies when unset. */
  config: 'GATEWAY_CONFIG',
  /** Port of the local Node server. */
  port: 'GATEWAY_PORT',
  /** `none` | `api-key` | `standard-webhooks` | `github` | `stripe`. */
  auth: 'GATEWAY_AUTH',
  /** Comma-separated API keys (local only; deployed stacks use a secret). */
  apiKeys: 'GATEWAY_API_KEYS',
  /** Webhook signing secret (local only; deployed stacks use a secret). */
  webhookSecret: 'GATEWAY_WEBHOOK_SECRET',
  /** ARN of the Secrets Manager secret that holds the gateway auth secret (deployed). */
  authSecretArn: 'GATEWAY_AUTH_SECRET_ARN',
  /** Deadline of one Temporal call, in milliseconds. */
  temporalDeadlineMs: 'GATEWAY_TEMPORAL_DEADLINE_MS',
  /** URL of the queue the HTTP handler falls back to, and that the queue handler's DLQ reasons go to. */
  queueUrl: 'GATEWAY_QUEUE_URL',
  /** URL of the dead-letter queue for permanent failures of standard-queue records. */
  dlqUrl: 'GATEWAY_DLQ_URL',
  /** URL of the FIFO dead-letter queue for permanent failures of FIFO-queue records. */
  fifoDlqUrl: 'GATEWAY_FIFO_DLQ_URL',
  /** Custom SQS endpoint (ElasticMQ locally). */
  sqsEndpoint: 'SQS_ENDPOINT',
  /** Port of the local ElasticMQ server. */
  sqsPort: 'SQS_PORT',
  /** Maximum records of one SQS batch delivered at the same time. */
  sqsConcurrency: 'GATEWAY_SQS_CONCURRENCY',
} as const;

/**
 * Temporal connection variables, as read by `@temporalio/envconfig` (the standard names of every
 * Temporal SDK and the CLI), plus ours for the task queue and the secret ARNs.
 */
export const TEMPORAL_ENV = {
  address: 'TEMPORAL_ADDRESS',
  namespace: 'TEMPORAL_NAMESPACE',
  apiKey: 'TEMPORAL_API_KEY',
  tls: 'TEMPORAL_TLS',
  tlsClientCertData: 'TEMPORAL_TLS_CLIENT_CERT_DATA',
  tlsClientKeyData: 'TEMPORAL_TLS_CLIENT_KEY_DATA',
  tlsServerCaCertData: 'TEMPORAL_TLS_SERVER_CA_CERT_DATA',
  taskQueue: 'TEMPORAL_TASK_QUEUE',
  /** ARN of a Secrets Manager secret with the API key (Lambda reads it at cold start). */
  apiKeySecretArn: 'TEMPORAL_API_KEY_SECRET_ARN',
  /** ARN of a Secrets Manager secret with `{ "cert": PEM, "key": PEM }` for mTLS. */
  mtlsSecretArn: 'TEMPORAL_MTLS_SECRET_ARN',
} as const;

/** The worker's own knobs. */
export const WORKER_ENV = {
  /** Milliseconds the worker lets running activities finish after SIGTERM. */
  shutdownGraceMs: 'WORKER_SHUTDOWN_GRACE_MS',
  /** Path of the prebundled workflow code; the dev fallback bundles at start when absent. */
  workflowBundlePath: 'WORKER_WORKFLOW_BUNDLE',
  /** Emit the task-queue backlog as a CloudWatch EMF metric every N seconds (0 = off). */
  backlogMetricIntervalSec: 'WORKER_BACKLOG_METRIC_INTERVAL_SEC',
} as const;

/**
 * The scheduled backlog function's metric. The stack names it and passes it down, so the function
 * and the worker's autoscaling policy read the same metric without retyping it.
 */
export const BACKLOG_METRIC_ENV = {
  /** CloudWatch namespace the task-queue backlog is published to. */
  namespace: 'BACKLOG_METRIC_NAMESPACE',
  /** CloudWatch metric name of the task-queue backlog. */
  metricName: 'BACKLOG_METRIC_NAME',
} as const;
