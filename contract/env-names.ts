/**
 * Environment variables read by both the gateway functions and the worker, named once. The gateway's
 * own variables stay in functions/core/env-names.ts.
 */

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

/** The worker harness's own knobs (`runWorker`). */
export const WORKER_ENV = {
  /** Milliseconds the worker lets running activities finish after SIGTERM. */
  shutdownGraceMs: 'WORKER_SHUTDOWN_GRACE_MS',
  /** Path of the prebundled workflow code; overrides what the worker entry passes. */
  workflowBundlePath: 'WORKER_WORKFLOW_BUNDLE',
} as const;
