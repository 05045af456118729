/**
 * Where this repository's app reads its deployment settings: cdk context (`-c key=value` or
 * cdk.json) and, for each key, an `EVENT_GATEWAY_*` environment variable. Context wins over the
 * environment. Values are only parsed here (strings to numbers, booleans, lists); the constructs'
 * props validation and defaults are the one place the rules and defaults live.
 */
import { z } from 'zod';

/** The settings keys: cdk context name → environment variable. Documented in docs/deploy.md. */
export const CONFIG_KEYS = {
  prefix: 'EVENT_GATEWAY_PREFIX',
  temporalAddress: 'EVENT_GATEWAY_TEMPORAL_ADDRESS',
  temporalNamespace: 'EVENT_GATEWAY_TEMPORAL_NAMESPACE',
  temporalAuth: 'EVENT_GATEWAY_TEMPORAL_AUTH',
  temporalTls: 'EVENT_GATEWAY_TEMPORAL_TLS',
  temporalApiKeySecretArn: 'EVENT_GATEWAY_TEMPORAL_API_KEY_SECRET_ARN',
  temporalMtlsSecretArn: 'EVENT_GATEWAY_TEMPORAL_MTLS_SECRET_ARN',
  taskQueue: 'EVENT_GATEWAY_TASK_QUEUE',
  ingestMode: 'EVENT_GATEWAY_INGEST_MODE',
  gatewayAuth: 'EVENT_GATEWAY_GATEWAY_AUTH',
  gatewayAuthSecretArn: 'EVENT_GATEWAY_GATEWAY_AUTH_SECRET_ARN',
  gatewayConfigFile: 'EVENT_GATEWAY_GATEWAY_CONFIG_FILE',
  temporalDeadlineMs: 'EVENT_GATEWAY_TEMPORAL_DEADLINE_MS',
  apiAuthorizer: 'EVENT_GATEWAY_API_AUTHORIZER',
  jwtIssuer: 'EVENT_GATEWAY_JWT_ISSUER',
  jwtAudience: 'EVENT_GATEWAY_JWT_AUDIENCE',
  allowUnauthenticatedApi: 'EVENT_GATEWAY_ALLOW_UNAUTHENTICATED_API',
  apiThrottleRate: 'EVENT_GATEWAY_API_THROTTLE_RATE',
  apiThrottleBurst: 'EVENT_GATEWAY_API_THROTTLE_BURST',
  fifo: 'EVENT_GATEWAY_FIFO',
  queueBatchSize: 'EVENT_GATEWAY_QUEUE_BATCH_SIZE',
  queueBatchingWindowSeconds: 'EVENT_GATEWAY_QUEUE_BATCHING_WINDOW_SECONDS',
  queueMaxConcurrency: 'EVENT_GATEWAY_QUEUE_MAX_CONCURRENCY',
  queueMaxReceiveCount: 'EVENT_GATEWAY_QUEUE_MAX_RECEIVE_COUNT',
  vpcId: 'EVENT_GATEWAY_VPC_ID',
  vpcPrivateSubnetIds: 'EVENT_GATEWAY_VPC_PRIVATE_SUBNET_IDS',
  vpcAvailabilityZones: 'EVENT_GATEWAY_VPC_AVAILABILITY_ZONES',
  vpcMaxAzs: 'EVENT_GATEWAY_VPC_MAX_AZS',
  natGateways: 'EVENT_GATEWAY_NAT_GATEWAYS',
  functionsInVpc: 'EVENT_GATEWAY_FUNCTIONS_IN_VPC',
  workerCpu: 'EVENT_GATEWAY_WORKER_CPU',
  workerMemoryMiB: 'EVENT_GATEWAY_WORKER_MEMORY_MIB',
  workerDesiredCount: 'EVENT_GATEWAY_WORKER_DESIRED_COUNT',
  workerMinCount: 'EVENT_GATEWAY_WORKER_MIN_COUNT',
  workerMaxCount: 'EVENT_GATEWAY_WORKER_MAX_COUNT',
  workerShutdownGraceSeconds: 'EVENT_GATEWAY_WORKER_SHUTDOWN_GRACE_SECONDS',
  workerCpuTargetPercent: 'EVENT_GATEWAY_WORKER_CPU_TARGET_PERCENT',
  backlogScaleOutThreshold: 'EVENT_GATEWAY_BACKLOG_SCALE_OUT_THRESHOLD',
  logRetentionDays: 'EVENT_GATEWAY_LOG_RETENTION_DAYS',
  alarmTopicArn: 'EVENT_GATEWAY_ALARM_TOPIC_ARN',
  oldestMessageAgeAlarmSeconds: 'EVENT_GATEWAY_OLDEST_MESSAGE_AGE_ALARM_SECONDS',
  tracesTo: 'EVENT_GATEWAY_TRACES_TO',
  // Not the functions' EVENT_GATEWAY_EVENT_LOG_RETENTION_DAYS: a local stack's setting never changes a synth.
  eventLogRetentionDays: 'EVENT_GATEWAY_EVENTS_RETENTION_DAYS',
  payloadEncryption: 'EVENT_GATEWAY_PAYLOAD_ENCRYPTION',
  largePayloadRetentionDays: 'EVENT_GATEWAY_LARGE_PAYLOADS_RETENTION_DAYS',
  largePayloadThresholdBytes: 'EVENT_GATEWAY_LARGE_PAYLOADS_THRESHOLD_BYTES',
  customerManagedKey: 'EVENT_GATEWAY_CUSTOMER_MANAGED_KEY',
} as const;

export type ConfigKey = keyof typeof CONFIG_KEYS;

/** Where settings come from. `context` is the CDK node's `tryGetContext`. */
export interface ConfigSource {
  context: (key: string) => unknown;
  env: Record<string, string | undefined>;
  /** Base directory for relative file paths (gatewayConfigFile). @default process.cwd() */
  cwd?: string;
}

/** Every key's raw value: context first, then the environment; empty counts as unset. */
export function readRaw(source: ConfigSource): Partial<Record<ConfigKey, unknown>> {
  const raw: Partial<Record<ConfigKey, unknown>> = {};
  for (const key of Object.keys(CONFIG_KEYS) as ConfigKey[]) {
    const fromContext = source.context(key);
    if (fromContext !== undefined && fromContext !== null && fromContext !== '') raw[key] = fromContext;
    else if (source.env[CONFIG_KEYS[key]]) raw[key] = source.env[CONFIG_KEYS[key]];
  }
  return raw;
}

/** A trimmed string, optionally of a pattern. */
export const text = (pattern?: RegExp, hint?: string) =>
  z
    .string('must be a string')
    .trim()
    .refine((value) => !pattern || pattern.test(value), hint ?? `must match ${String(pattern)}`)
    .optional();

/** One of a few words. */
export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .trim()
    .pipe(z.enum(values, `must be one of ${values.join(', ')}`))
    .optional();

/** A whole number, from cdk.json (a number) or `-c`/the environment (a string). */
export const wholeNumber = () =>
  z
    .union(
      [
        z.number(),
        z
          .string()
          .trim()
          .regex(/^-?\d+$/, 'must be a whole number')
          .transform(Number),
      ],
      {
        error: 'must be a whole number',
      },
    )
    .pipe(z.number().int('must be a whole number'))
    .optional();

/** true or false, as JSON or as a string. */
export const flag = () =>
  z
    .union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')], {
      error: 'must be true or false',
    })
    .optional();

/** A comma-separated string (env, `-c`) or a JSON array of strings (cdk.json). */
export const list = () =>
  z
    .union([z.array(z.string()), z.string().transform((value) => value.split(','))], {
      error: 'must be a comma-separated list of strings',
    })
    .transform((items) => items.map((item) => item.trim()).filter((item) => item.length > 0))
    .transform((items) => (items.length > 0 ? items : undefined))
    .optional();

export const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;
