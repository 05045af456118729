/**
 * Deployment configuration of the CDK app: one typed object, read from cdk context (`-c key=value`
 * or cdk.json) and, for each key, an `EVENT_GATEWAY_*` environment variable. Context wins over the
 * environment, the environment over the defaults. Every problem is reported at once, each naming
 * the key, so a deploy fails before CloudFormation sees a half-valid template.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_TASK_QUEUE } from '../contract';

export const TEMPORAL_AUTH_MODES = ['none', 'api-key', 'mtls'] as const;
export type TemporalAuthMode = (typeof TEMPORAL_AUTH_MODES)[number];

export const INGEST_MODES = ['sync', 'queue'] as const;
export type IngestMode = (typeof INGEST_MODES)[number];

/** What the ingest Lambda checks itself (GATEWAY_AUTH); sync ingest only. */
export const GATEWAY_AUTH_MODES = ['none', 'api-key', 'standard-webhooks', 'github', 'stripe'] as const;
export type GatewayAuthMode = (typeof GATEWAY_AUTH_MODES)[number];

/** What API Gateway checks before anything runs. HTTP APIs have no API keys, so IAM or JWT. */
export const API_AUTHORIZERS = ['none', 'iam', 'jwt'] as const;
export type ApiAuthorizerKind = (typeof API_AUTHORIZERS)[number];

/** Placeholder Temporal address: synth works without configuration, the stack warns about it. */
export const PLACEHOLDER_TEMPORAL_ADDRESS = 'temporal.example.com:7233';

/** Fargate's ceiling for a container's stop timeout. */
export const MAX_STOP_TIMEOUT_SECONDS = 120;
/** Seconds the stop timeout exceeds the worker's shutdown grace, so SIGKILL never cuts a clean drain. */
export const STOP_TIMEOUT_MARGIN_SECONDS = 5;

/** Lambda caps all environment variables of a function at 4 KB; leave room for the others. */
const MAX_GATEWAY_CONFIG_BYTES = 3072;

/** The configuration keys: cdk context name → environment variable. Documented in docs/deploy.md. */
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
} as const;

export type ConfigKey = keyof typeof CONFIG_KEYS;

export type ApiAuthorizerConfig =
  { kind: 'none' } | { kind: 'iam' } | { kind: 'jwt'; issuer: string; audience: string[] };

export type NetworkConfig =
  | { kind: 'create'; maxAzs: number; natGateways: number }
  | { kind: 'import'; vpcId: string; privateSubnetIds: string[]; availabilityZones: string[] };

export interface GatewayConfig {
  /** Names stacks, queues, secrets and the metric namespace; unique per account and region. */
  prefix: string;
  temporal: {
    address: string;
    /** True while `temporalAddress` is the placeholder: the stack warns at synth. */
    addressIsPlaceholder: boolean;
    namespace: string;
    auth: TemporalAuthMode;
    tls: boolean;
    apiKeySecretArn?: string;
    mtlsSecretArn?: string;
    taskQueue: string;
  };
  ingest: {
    mode: IngestMode;
    gatewayAuth: GatewayAuthMode;
    gatewayAuthSecretArn?: string;
    /** Minified gateway configuration JSON for GATEWAY_CONFIG; absent = the built-in default. */
    gatewayConfigJson?: string;
    temporalDeadlineMs?: number;
    apiAuthorizer: ApiAuthorizerConfig;
    allowUnauthenticatedApi: boolean;
    throttle: { rateLimit: number; burstLimit: number };
  };
  queue: {
    fifo: boolean;
    batchSize: number;
    batchingWindowSeconds: number;
    maxConcurrency: number;
    maxReceiveCount: number;
  };
  network: NetworkConfig;
  functionsInVpc: boolean;
  worker: {
    cpu: number;
    memoryMiB: number;
    /** Absent: 1 when the service is created, then whatever autoscaling chose (deploys keep it). */
    desiredCount?: number;
    minCount: number;
    maxCount: number;
    shutdownGraceSeconds: number;
    cpuTargetPercent: number;
    backlogScaleOutThreshold: number;
  };
  observability: {
    logRetentionDays: number;
    alarmTopicArn?: string;
    oldestMessageAgeAlarmSeconds: number;
  };
}

/** Where configuration values come from. `context` is the CDK node's `tryGetContext`. */
export interface ConfigSource {
  context: (key: string) => unknown;
  env: Record<string, string | undefined>;
  /** Base directory for relative file paths (gatewayConfigFile). @default process.cwd() */
  cwd?: string;
}

export class GatewayConfigError extends Error {
  constructor(
    readonly problems: readonly string[],
    options?: ErrorOptions,
  ) {
    super(
      `Invalid event gateway deployment configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((problem) => `  - ${problem}`).join('\n') +
        '\nSet keys with `cdk -c key=value` or the EVENT_GATEWAY_* environment variables (docs/deploy.md).',
      options,
    );
    this.name = 'GatewayConfigError';
  }
}

/** CloudWatch Logs accepts only these retention periods. */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Fargate task sizes: CPU units → allowed memory (MiB). */
const FARGATE_MEMORY: Record<number, (memory: number) => boolean> = {
  256: (m) => [512, 1024, 2048].includes(m),
  512: (m) => m >= 1024 && m <= 4096 && m % 1024 === 0,
  1024: (m) => m >= 2048 && m <= 8192 && m % 1024 === 0,
  2048: (m) => m >= 4096 && m <= 16384 && m % 1024 === 0,
  4096: (m) => m >= 8192 && m <= 30720 && m % 1024 === 0,
  8192: (m) => m >= 16384 && m <= 61440 && m % 4096 === 0,
  16384: (m) => m >= 32768 && m <= 122880 && m % 8192 === 0,
};

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+(\.fifo)?$/;

/** Reads raw values and collects problems instead of throwing on the first one. */
class ConfigReader {
  readonly problems: string[] = [];
  /** Keys the user set, so defaults can depend on what was asked for explicitly. */
  readonly given = new Set<ConfigKey>();

  constructor(private readonly source: ConfigSource) {}

  private raw(key: ConfigKey): unknown {
    const fromContext = this.source.context(key);
    if (fromContext !== undefined && fromContext !== null && fromContext !== '') {
      this.given.add(key);
      return fromContext;
    }
    const fromEnv = this.source.env[CONFIG_KEYS[key]];
    if (fromEnv !== undefined && fromEnv !== '') {
      this.given.add(key);
      return fromEnv;
    }
    return undefined;
  }

  problem(key: ConfigKey, message: string): void {
    this.problems.push(`${key} (${CONFIG_KEYS[key]}): ${message}`);
  }

  string(key: ConfigKey, options: { pattern?: RegExp; patternHint?: string } = {}): string | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'string') {
      this.problem(key, `must be a string (got ${JSON.stringify(value)})`);
      return undefined;
    }
    const trimmed = value.trim();
    if (options.pattern && !options.pattern.test(trimmed)) {
      this.problem(
        key,
        `${options.patternHint ?? `must match ${String(options.pattern)}`} (got "${trimmed}")`,
      );
      return undefined;
    }
    return trimmed;
  }

  oneOf<T extends string>(key: ConfigKey, allowed: readonly T[], fallback: T): T {
    const value = this.string(key);
    if (value === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(value)) {
      this.problem(key, `must be one of ${allowed.join(', ')} (got "${value}")`);
      return fallback;
    }
    return value as T;
  }

  integer(key: ConfigKey, fallback: number, range: { min: number; max: number }): number {
    const value = this.raw(key);
    if (value === undefined) return fallback;
    const parsed = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : NaN;
    if (!Number.isInteger(parsed) || parsed < range.min || parsed > range.max) {
      this.problem(
        key,
        `must be a whole number from ${range.min} to ${range.max} (got ${JSON.stringify(value)})`,
      );
      return fallback;
    }
    return parsed;
  }

  boolean(key: ConfigKey, fallback: boolean): boolean {
    const value = this.raw(key);
    if (value === undefined) return fallback;
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    this.problem(key, `must be true or false (got ${JSON.stringify(value)})`);
    return fallback;
  }

  /** A comma-separated string (env, `-c`) or a JSON array of strings (cdk.json). */
  list(key: ConfigKey): string[] | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : undefined;
    if (!items || items.some((item) => typeof item !== 'string')) {
      this.problem(key, `must be a comma-separated list of strings (got ${JSON.stringify(value)})`);
      return undefined;
    }
    const trimmed = (items as string[]).map((item) => item.trim()).filter((item) => item.length > 0);
    return trimmed.length > 0 ? trimmed : undefined;
  }
}

function readGatewayConfigFile(reader: ConfigReader, cwd: string): string | undefined {
  const file = reader.string('gatewayConfigFile');
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(resolve(cwd, file), 'utf8');
  } catch (error) {
    reader.problem('gatewayConfigFile', `cannot read ${file}: ${(error as Error).message}`);
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    reader.problem('gatewayConfigFile', `${file} is not valid JSON: ${(error as Error).message}`);
    return undefined;
  }
  const minified = JSON.stringify(parsed);
  if (Buffer.byteLength(minified) > MAX_GATEWAY_CONFIG_BYTES) {
    reader.problem(
      'gatewayConfigFile',
      `${file} is ${Buffer.byteLength(minified)} bytes minified; Lambda environment variables allow ` +
        `about ${MAX_GATEWAY_CONFIG_BYTES} for it`,
    );
    return undefined;
  }
  return minified;
}

/** Reads and validates the whole configuration; throws {@link GatewayConfigError} listing every problem. */
export function loadGatewayConfig(source: ConfigSource): GatewayConfig {
  const r = new ConfigReader(source);

  const prefix =
    r.string('prefix', {
      pattern: /^[a-z][a-z0-9-]{0,29}$/,
      patternHint: 'must be 1-30 lowercase letters, digits or hyphens, starting with a letter',
    }) ?? 'event-gateway';

  // Temporal
  const address = r.string('temporalAddress', {
    pattern: /^[A-Za-z0-9.-]+:\d{1,5}$/,
    patternHint: 'must be host:port',
  });
  const namespace =
    r.string('temporalNamespace', {
      pattern: /^[A-Za-z0-9._-]{1,255}$/,
      patternHint: 'must be a Temporal namespace name',
    }) ?? 'default';
  const temporalAuth = r.oneOf('temporalAuth', TEMPORAL_AUTH_MODES, 'none');
  const tls = r.boolean('temporalTls', temporalAuth !== 'none');
  const secretArnHint = { pattern: SECRET_ARN, patternHint: 'must be a Secrets Manager secret ARN' };
  const apiKeySecretArn = r.string('temporalApiKeySecretArn', secretArnHint);
  const mtlsSecretArn = r.string('temporalMtlsSecretArn', secretArnHint);
  if (apiKeySecretArn && temporalAuth !== 'api-key') {
    r.problem(
      'temporalApiKeySecretArn',
      `is only used with temporalAuth=api-key (temporalAuth is ${temporalAuth})`,
    );
  }
  if (mtlsSecretArn && temporalAuth !== 'mtls') {
    r.problem(
      'temporalMtlsSecretArn',
      `is only used with temporalAuth=mtls (temporalAuth is ${temporalAuth})`,
    );
  }
  if (temporalAuth !== 'none' && !tls) {
    r.problem(
      'temporalTls',
      `cannot be false with temporalAuth=${temporalAuth}: credentials only travel over TLS`,
    );
  }
  const taskQueue =
    r.string('taskQueue', {
      pattern: /^[A-Za-z0-9._:/-]{1,200}$/,
      patternHint: 'must be a task queue name (letters, digits, . _ : / -)',
    }) ?? DEFAULT_TASK_QUEUE;

  // Ingest
  const mode = r.oneOf('ingestMode', INGEST_MODES, 'sync');
  const gatewayAuth = r.oneOf('gatewayAuth', GATEWAY_AUTH_MODES, mode === 'sync' ? 'api-key' : 'none');
  if (mode === 'queue' && r.given.has('gatewayAuth') && gatewayAuth !== 'none') {
    r.problem(
      'gatewayAuth',
      'is checked by the ingest Lambda, which queue ingest does not have; use apiAuthorizer',
    );
  }
  const gatewayAuthSecretArn = r.string('gatewayAuthSecretArn', secretArnHint);
  if (gatewayAuthSecretArn && gatewayAuth === 'none') {
    r.problem('gatewayAuthSecretArn', 'is only used when gatewayAuth is not none');
  }
  const gatewayConfigJson = readGatewayConfigFile(r, source.cwd ?? process.cwd());
  // Unset means the handler's own default; the ceiling stays under API Gateway's 30 s limit.
  const deadline = r.integer('temporalDeadlineMs', -1, { min: 100, max: 25_000 });
  const temporalDeadlineMs = deadline === -1 ? undefined : deadline;

  const authorizerKind = r.oneOf('apiAuthorizer', API_AUTHORIZERS, mode === 'queue' ? 'iam' : 'none');
  if (mode === 'queue' && authorizerKind === 'none') {
    r.problem(
      'apiAuthorizer',
      'must be iam or jwt with ingestMode=queue: API Gateway writes to SQS unchecked',
    );
  }
  const jwtIssuer = r.string('jwtIssuer', {
    pattern: /^https:\/\/\S+$/,
    patternHint: 'must be an https:// URL',
  });
  const jwtAudience = r.list('jwtAudience');
  let apiAuthorizer: ApiAuthorizerConfig = { kind: 'none' };
  if (authorizerKind === 'iam') apiAuthorizer = { kind: 'iam' };
  if (authorizerKind === 'jwt') {
    if (!jwtIssuer && !r.given.has('jwtIssuer')) r.problem('jwtIssuer', 'is required with apiAuthorizer=jwt');
    if (!jwtAudience) r.problem('jwtAudience', 'is required with apiAuthorizer=jwt');
    apiAuthorizer = { kind: 'jwt', issuer: jwtIssuer ?? '', audience: jwtAudience ?? [] };
  }
  const allowUnauthenticatedApi = r.boolean('allowUnauthenticatedApi', false);
  if (mode === 'sync' && gatewayAuth === 'none' && authorizerKind === 'none' && !allowUnauthenticatedApi) {
    r.problem(
      'gatewayAuth',
      'none together with apiAuthorizer=none leaves the API open to anyone; choose an auth mode, ' +
        'or set allowUnauthenticatedApi=true to accept that',
    );
  }
  const throttle = {
    rateLimit: r.integer('apiThrottleRate', 100, { min: 1, max: 10_000 }),
    burstLimit: r.integer('apiThrottleBurst', 200, { min: 1, max: 5_000 }),
  };

  // Queues
  const fifo = r.boolean('fifo', false);
  const queue = {
    fifo,
    batchSize: r.integer('queueBatchSize', 10, { min: 1, max: 10 }),
    batchingWindowSeconds: r.integer('queueBatchingWindowSeconds', 1, { min: 0, max: 300 }),
    maxConcurrency: r.integer('queueMaxConcurrency', 10, { min: 2, max: 1000 }),
    maxReceiveCount: r.integer('queueMaxReceiveCount', 5, { min: 1, max: 1000 }),
  };

  // Network
  const vpcId = r.string('vpcId', {
    pattern: /^vpc-[0-9a-f]{8,17}$/,
    patternHint: 'must be a VPC id (vpc-…)',
  });
  const privateSubnetIds = r.list('vpcPrivateSubnetIds');
  const availabilityZones = r.list('vpcAvailabilityZones');
  let network: NetworkConfig = {
    kind: 'create',
    maxAzs: r.integer('vpcMaxAzs', 2, { min: 1, max: 6 }),
    natGateways: r.integer('natGateways', 1, { min: 0, max: 6 }),
  };
  if (vpcId || r.given.has('vpcId')) {
    for (const key of ['vpcMaxAzs', 'natGateways'] as const) {
      if (r.given.has(key)) r.problem(key, 'only applies to a VPC the stack creates; vpcId imports one');
    }
    if (!privateSubnetIds) r.problem('vpcPrivateSubnetIds', 'is required with vpcId');
    if (!availabilityZones) r.problem('vpcAvailabilityZones', 'is required with vpcId');
    if (privateSubnetIds?.some((id) => !/^subnet-[0-9a-f]{8,17}$/.test(id))) {
      r.problem('vpcPrivateSubnetIds', `must be subnet ids (subnet-…) (got ${privateSubnetIds.join(',')})`);
    }
    if (privateSubnetIds && availabilityZones && privateSubnetIds.length !== availabilityZones.length) {
      r.problem(
        'vpcAvailabilityZones',
        'must list one availability zone per private subnet, in the same order',
      );
    }
    network = {
      kind: 'import',
      vpcId: vpcId ?? '',
      privateSubnetIds: privateSubnetIds ?? [],
      availabilityZones: availabilityZones ?? [],
    };
  } else {
    for (const key of ['vpcPrivateSubnetIds', 'vpcAvailabilityZones'] as const) {
      if (r.given.has(key)) r.problem(key, 'only applies together with vpcId');
    }
    if (network.natGateways === 0) {
      r.problem(
        'natGateways',
        'must be at least 1: the worker in private subnets reaches Temporal through NAT',
      );
    }
  }
  const functionsInVpc = r.boolean('functionsInVpc', false);

  // Worker
  const cpu = r.integer('workerCpu', 512, { min: 256, max: 16384 });
  const memoryMiB = r.integer('workerMemoryMiB', 1024, { min: 512, max: 122880 });
  const sizeCheck = FARGATE_MEMORY[cpu];
  if (!sizeCheck) {
    r.problem(
      'workerCpu',
      `must be a Fargate CPU size: ${Object.keys(FARGATE_MEMORY).join(', ')} (got ${cpu})`,
    );
  } else if (!sizeCheck(memoryMiB)) {
    r.problem('workerMemoryMiB', `${memoryMiB} is not a Fargate memory size for workerCpu=${cpu}`);
  }
  const minCount = r.integer('workerMinCount', 1, { min: 0, max: 100 });
  const maxCount = r.integer('workerMaxCount', 4, { min: 1, max: 100 });
  const desired = r.integer('workerDesiredCount', -1, { min: 0, max: 100 });
  const desiredCount = desired === -1 ? undefined : desired;
  if (minCount > maxCount) {
    r.problem('workerMinCount', `(${minCount}) must not exceed workerMaxCount (${maxCount})`);
  } else if (desiredCount !== undefined && (desiredCount < minCount || desiredCount > maxCount)) {
    r.problem('workerDesiredCount', `(${desiredCount}) must lie between workerMinCount and workerMaxCount`);
  }
  const shutdownGraceSeconds = r.integer('workerShutdownGraceSeconds', 25, {
    min: 1,
    max: MAX_STOP_TIMEOUT_SECONDS - STOP_TIMEOUT_MARGIN_SECONDS,
  });
  const worker = {
    cpu,
    memoryMiB,
    ...(desiredCount !== undefined ? { desiredCount } : {}),
    minCount,
    maxCount,
    shutdownGraceSeconds,
    cpuTargetPercent: r.integer('workerCpuTargetPercent', 60, { min: 10, max: 90 }),
    backlogScaleOutThreshold: r.integer('backlogScaleOutThreshold', 50, { min: 1, max: 1_000_000 }),
  };

  // Observability
  const logRetentionDays = r.integer('logRetentionDays', 30, { min: 1, max: 3653 });
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(logRetentionDays)) {
    r.problem('logRetentionDays', `must be a CloudWatch Logs retention: ${LOG_RETENTION_DAYS.join(', ')}`);
  }
  const observability = {
    logRetentionDays,
    alarmTopicArn: r.string('alarmTopicArn', { pattern: TOPIC_ARN, patternHint: 'must be an SNS topic ARN' }),
    oldestMessageAgeAlarmSeconds: r.integer('oldestMessageAgeAlarmSeconds', 300, { min: 60, max: 1_209_600 }),
  };

  if (r.problems.length > 0) throw new GatewayConfigError(r.problems);

  return {
    prefix,
    temporal: {
      address: address ?? PLACEHOLDER_TEMPORAL_ADDRESS,
      addressIsPlaceholder: address === undefined,
      namespace,
      auth: temporalAuth,
      tls,
      ...(apiKeySecretArn ? { apiKeySecretArn } : {}),
      ...(mtlsSecretArn ? { mtlsSecretArn } : {}),
      taskQueue,
    },
    ingest: {
      mode,
      gatewayAuth,
      ...(gatewayAuthSecretArn ? { gatewayAuthSecretArn } : {}),
      ...(gatewayConfigJson ? { gatewayConfigJson } : {}),
      ...(temporalDeadlineMs !== undefined ? { temporalDeadlineMs } : {}),
      apiAuthorizer,
      allowUnauthenticatedApi,
      throttle,
    },
    queue,
    network,
    functionsInVpc,
    worker,
    observability,
  };
}
