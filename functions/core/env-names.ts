/**
 * Every environment variable the gateway reads, named once. Handlers, the local stack and the CDK
 * stacks import these instead of retyping strings.
 */
export const GATEWAY_ENV = {
  /** JSON gateway configuration (targets, routes); the local default applies when unset. */
  config: 'GATEWAY_CONFIG',
  /**
   * A file with the JSON gateway configuration, relative to the function's code (LAMBDA_TASK_ROOT):
   * how deployed functions get it, without the 4 KB environment limit. Wins over GATEWAY_CONFIG.
   */
  configFile: 'GATEWAY_CONFIG_FILE',
  /**
   * SHA-256 (hex) of the configuration's JSON text as the synth validated and wrote it. When the
   * text read matches it, the functions compile the configuration without validating it again.
   */
  configSha256: 'GATEWAY_CONFIG_SHA256',
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
  /**
   * The key(s) that seal gateway-made queue messages (webhook envelopes, queued signals),
   * comma-separated, the first sealing (local only; deployed stacks use the secret below).
   */
  envelopeKey: 'GATEWAY_ENVELOPE_KEY',
  /** ARN of the Secrets Manager secret holding the envelope key(s) (deployed). */
  envelopeKeySecretArn: 'GATEWAY_ENVELOPE_KEY_SECRET_ARN',
  /**
   * Origins whose browsers may call the codec server (`/v1/codec`), comma-separated; `none` allows
   * no browser. @default `https://cloud.temporal.io,http://localhost:8233` (Temporal Cloud's UI and the dev server's)
   */
  codecAllowedOrigins: 'GATEWAY_CODEC_ALLOWED_ORIGINS',
  /**
   * JWKS URL whose keys sign the access tokens the Temporal UI forwards to the codec server, e.g.
   * Temporal Cloud's `https://login.tmprl.cloud/.well-known/jwks.json`; unset = no JWT accepted.
   */
  codecJwksUrl: 'GATEWAY_CODEC_JWKS_URL',
  /** The `iss` those tokens must carry (optional). */
  codecJwtIssuer: 'GATEWAY_CODEC_JWT_ISSUER',
  /** An `aud` those tokens must carry (optional). */
  codecJwtAudience: 'GATEWAY_CODEC_JWT_AUDIENCE',
  /**
   * API keys of the codec server alone (comma-separated; local only, deployed stacks use the secret
   * below), e.g. for the CLI's `--codec-auth`: they open `/v1/codec` and nothing else, and replace
   * the gateway's own API keys there. Unset: the gateway's keys when GATEWAY_AUTH=api-key.
   */
  codecApiKeys: 'GATEWAY_CODEC_API_KEYS',
  /** ARN of the Secrets Manager secret holding the codec server's API keys (deployed). */
  codecApiKeysSecretArn: 'GATEWAY_CODEC_API_KEYS_SECRET_ARN',
} as const;

/**
 * Secrets of the local default's demo webhook sources (`npm run dev`). A source whose variable is
 * unset is disabled (503) while the rest of the stack runs. Deployed sources use Secrets Manager.
 */
export const DEMO_SOURCE_SECRET_ENV = {
  stripe: 'STRIPE_WEBHOOK_SECRET',
  github: 'GITHUB_WEBHOOK_SECRET',
  'standard-webhooks': 'STANDARD_WEBHOOKS_SECRET',
  slack: 'SLACK_SIGNING_SECRET',
  shopify: 'SHOPIFY_WEBHOOK_SECRET',
  partner: 'PARTNER_WEBHOOK_SECRET',
} as const;

/** Shared with the worker, so defined in the contract; re-exported for the gateway's modules. */
export { TEMPORAL_ENV } from '../../contract/env-names';

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
