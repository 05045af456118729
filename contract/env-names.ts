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

/**
 * The payload data converter's settings (issue 28), read the same way by the gateway's functions,
 * the worker and the local stack, so one definition configures both sides.
 */
export const PAYLOAD_ENV = {
  /** KMS key (id, ARN or alias) of the built-in AES-256-GCM codec; unset = payloads not encrypted. */
  kmsKeyId: 'EVENT_GATEWAY_PAYLOAD_KMS_KEY_ID',
  /** S3 bucket for payloads above the threshold (Temporal's external storage); unset = none offloaded. */
  largePayloadBucket: 'EVENT_GATEWAY_LARGE_PAYLOAD_BUCKET',
  /** Bytes above which a payload goes to the bucket (protobuf size, as the SDK measures it). */
  largePayloadThresholdBytes: 'EVENT_GATEWAY_LARGE_PAYLOAD_THRESHOLD_BYTES',
  /** Endpoint override for KMS (the local stack's emulator); unset in AWS. */
  kmsEndpoint: 'EVENT_GATEWAY_KMS_ENDPOINT',
  /** Endpoint override for S3 (the local stack's emulator); unset in AWS. */
  s3Endpoint: 'EVENT_GATEWAY_S3_ENDPOINT',
  /**
   * A team's own payload codec module (payloads/codec-module.ts), run before the built-in encryption
   * on encode: its path, relative paths against the Lambda task root (the construct's
   * `payloadCodec.entry` bundled beside the handler) or the worker's working directory.
   */
  codecModule: 'EVENT_GATEWAY_PAYLOAD_CODEC_MODULE',
} as const;

/**
 * The event log's settings (issue 30), read by the gateway's functions (writers) and by the CLI and
 * the local events page (readers). Neither set: no event log. The S3 endpoint override is
 * {@link PAYLOAD_ENV}'s `s3Endpoint` (the local emulator).
 */
export const EVENT_LOG_ENV = {
  /** S3 bucket of the event log (deployed stacks; the construct's `eventLog` prop). */
  bucket: 'EVENT_GATEWAY_EVENT_LOG_BUCKET',
  /** A local directory holding the event log in the bucket's layout (the local stacks). */
  directory: 'EVENT_GATEWAY_EVENT_LOG_DIR',
  /** Days records are kept (the bucket's lifecycle expiry): how far back a reader searches an event id. */
  retentionDays: 'EVENT_GATEWAY_EVENT_LOG_RETENTION_DAYS',
} as const;
