import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CONFIG_KEYS,
  GatewayConfigError,
  loadGatewayConfig,
  PLACEHOLDER_TEMPORAL_ADDRESS,
  type ConfigSource,
} from '../../infra/config';
import { DEFAULT_TASK_QUEUE } from '../../contract';

function source(
  context: Record<string, unknown> = {},
  env: Record<string, string> = {},
  cwd?: string,
): ConfigSource {
  return { context: (key) => context[key], env, ...(cwd ? { cwd } : {}) };
}

function problemsOf(context: Record<string, unknown>, env: Record<string, string> = {}): readonly string[] {
  try {
    loadGatewayConfig(source(context, env));
  } catch (error) {
    if (error instanceof GatewayConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a GatewayConfigError');
}

describe('loadGatewayConfig', () => {
  it('gives a deployable default configuration when nothing is set', () => {
    const config = loadGatewayConfig(source());
    expect(config.prefix).toBe('event-gateway');
    expect(config.temporal).toMatchObject({
      address: PLACEHOLDER_TEMPORAL_ADDRESS,
      addressIsPlaceholder: true,
      namespace: 'default',
      auth: 'none',
      tls: false,
      taskQueue: DEFAULT_TASK_QUEUE,
    });
    expect(config.ingest).toMatchObject({
      mode: 'sync',
      gatewayAuth: 'api-key',
      apiAuthorizer: { kind: 'none' },
      throttle: { rateLimit: 100, burstLimit: 200 },
    });
    expect(config.queue).toEqual({
      fifo: false,
      batchSize: 10,
      batchingWindowSeconds: 1,
      maxConcurrency: 10,
      maxReceiveCount: 5,
    });
    expect(config.network).toEqual({ kind: 'create', maxAzs: 2, natGateways: 1 });
    expect(config.worker).toEqual({
      cpu: 512,
      memoryMiB: 1024,
      minCount: 1,
      maxCount: 4,
      shutdownGraceSeconds: 25,
      cpuTargetPercent: 60,
      backlogScaleOutThreshold: 50,
    });
    expect(config.observability).toEqual({ logRetentionDays: 30, oldestMessageAgeAlarmSeconds: 300 });
  });

  it('reads every key from EVENT_GATEWAY_* environment variables', () => {
    const config = loadGatewayConfig(
      source(
        {},
        {
          [CONFIG_KEYS.temporalAddress]: 'ns.acct.tmprl.cloud:7233',
          [CONFIG_KEYS.temporalAuth]: 'api-key',
          [CONFIG_KEYS.fifo]: 'true',
          [CONFIG_KEYS.workerCpu]: '1024',
          [CONFIG_KEYS.workerMemoryMiB]: '2048',
          [CONFIG_KEYS.jwtAudience]: 'a, b',
        },
      ),
    );
    expect(config.temporal).toMatchObject({
      address: 'ns.acct.tmprl.cloud:7233',
      auth: 'api-key',
      tls: true,
    });
    expect(config.temporal.addressIsPlaceholder).toBe(false);
    expect(config.queue.fifo).toBe(true);
    expect(config.worker).toMatchObject({ cpu: 1024, memoryMiB: 2048 });
  });

  it('prefers cdk context over the environment', () => {
    const config = loadGatewayConfig(
      source({ temporalNamespace: 'from-context' }, { [CONFIG_KEYS.temporalNamespace]: 'from-env' }),
    );
    expect(config.temporal.namespace).toBe('from-context');
  });

  it('accepts JSON types from cdk.json as well as strings from -c', () => {
    const config = loadGatewayConfig(
      source({
        fifo: true,
        queueBatchSize: 5,
        vpcId: 'vpc-0123abcd',
        vpcPrivateSubnetIds: ['subnet-0a1b2c3d'],
        vpcAvailabilityZones: 'eu-west-1a',
      }),
    );
    expect(config.queue).toMatchObject({ fifo: true, batchSize: 5 });
    expect(config.network).toEqual({
      kind: 'import',
      vpcId: 'vpc-0123abcd',
      privateSubnetIds: ['subnet-0a1b2c3d'],
      availabilityZones: ['eu-west-1a'],
    });
  });

  it('defaults queue ingest to an IAM authorizer and no Lambda-side auth', () => {
    const config = loadGatewayConfig(source({ ingestMode: 'queue' }));
    expect(config.ingest).toMatchObject({
      mode: 'queue',
      gatewayAuth: 'none',
      apiAuthorizer: { kind: 'iam' },
    });
  });

  it('reports every problem at once, each naming its key and environment variable', () => {
    const problems = problemsOf({
      temporalAuth: 'apikey',
      workerCpu: 300,
      queueBatchSize: '11',
      logRetentionDays: 31,
      fifo: 'yes',
    });
    expect(problems).toEqual([
      'temporalAuth (EVENT_GATEWAY_TEMPORAL_AUTH): must be one of none, api-key, mtls (got "apikey")',
      'fifo (EVENT_GATEWAY_FIFO): must be true or false (got "yes")',
      'queueBatchSize (EVENT_GATEWAY_QUEUE_BATCH_SIZE): must be a whole number from 1 to 10 (got "11")',
      'workerCpu (EVENT_GATEWAY_WORKER_CPU): must be a Fargate CPU size: 256, 512, 1024, 2048, 4096, 8192, 16384 (got 300)',
      expect.stringMatching(
        /^logRetentionDays \(EVENT_GATEWAY_LOG_RETENTION_DAYS\): must be a CloudWatch Logs retention/,
      ),
    ]);
  });

  it('puts all problems in the error message with a pointer to the docs', () => {
    expect(() => loadGatewayConfig(source({ temporalAddress: 'no-port', workerMinCount: 5 }))).toThrow(
      /2 problems[\s\S]*temporalAddress \(EVENT_GATEWAY_TEMPORAL_ADDRESS\): must be host:port[\s\S]*workerMinCount[\s\S]*docs\/deploy\.md/,
    );
  });

  it('rejects queue ingest without an authorizer, since API Gateway would write to SQS unchecked', () => {
    expect(problemsOf({ ingestMode: 'queue', apiAuthorizer: 'none' })).toEqual([
      expect.stringMatching(
        /^apiAuthorizer \(EVENT_GATEWAY_API_AUTHORIZER\): must be iam or jwt with ingestMode=queue/,
      ),
    ]);
  });

  it('rejects Lambda-side gateway auth in queue mode, where no Lambda sees the request', () => {
    expect(problemsOf({ ingestMode: 'queue', gatewayAuth: 'github' })).toEqual([
      expect.stringMatching(/^gatewayAuth .*use apiAuthorizer$/),
    ]);
  });

  it('requires issuer and audience for a JWT authorizer', () => {
    expect(problemsOf({ apiAuthorizer: 'jwt' })).toEqual([
      'jwtIssuer (EVENT_GATEWAY_JWT_ISSUER): is required with apiAuthorizer=jwt',
      'jwtAudience (EVENT_GATEWAY_JWT_AUDIENCE): is required with apiAuthorizer=jwt',
    ]);
  });

  it('refuses a fully open API unless the operator accepts it explicitly', () => {
    expect(problemsOf({ gatewayAuth: 'none' })).toEqual([
      expect.stringMatching(/^gatewayAuth .*allowUnauthenticatedApi=true/),
    ]);
    expect(
      loadGatewayConfig(source({ gatewayAuth: 'none', allowUnauthenticatedApi: 'true' })).ingest,
    ).toMatchObject({
      gatewayAuth: 'none',
      allowUnauthenticatedApi: true,
    });
  });

  it('rejects secret ARNs that do not match the Temporal auth mode', () => {
    expect(
      problemsOf({
        temporalAuth: 'mtls',
        temporalApiKeySecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:k-AbC123',
      }),
    ).toEqual([
      'temporalApiKeySecretArn (EVENT_GATEWAY_TEMPORAL_API_KEY_SECRET_ARN): is only used with temporalAuth=api-key (temporalAuth is mtls)',
    ]);
    expect(problemsOf({ temporalAuth: 'api-key', temporalApiKeySecretArn: 'my-secret' })).toEqual([
      expect.stringMatching(/^temporalApiKeySecretArn .*must be a Secrets Manager secret ARN/),
    ]);
  });

  it('refuses to send Temporal credentials without TLS', () => {
    expect(problemsOf({ temporalAuth: 'api-key', temporalTls: false })).toEqual([
      expect.stringMatching(/^temporalTls .*credentials only travel over TLS/),
    ]);
  });

  it('needs subnets and one availability zone per subnet to import a VPC', () => {
    expect(problemsOf({ vpcId: 'vpc-0123abcd' })).toEqual([
      'vpcPrivateSubnetIds (EVENT_GATEWAY_VPC_PRIVATE_SUBNET_IDS): is required with vpcId',
      'vpcAvailabilityZones (EVENT_GATEWAY_VPC_AVAILABILITY_ZONES): is required with vpcId',
    ]);
    expect(
      problemsOf({
        vpcId: 'vpc-0123abcd',
        vpcPrivateSubnetIds: 'subnet-0a1b2c3d,subnet-0a1b2c3e',
        vpcAvailabilityZones: 'eu-west-1a',
      }),
    ).toEqual([expect.stringMatching(/^vpcAvailabilityZones .*one availability zone per private subnet/)]);
    expect(problemsOf({ vpcPrivateSubnetIds: 'subnet-0a1b2c3d' })).toEqual([
      'vpcPrivateSubnetIds (EVENT_GATEWAY_VPC_PRIVATE_SUBNET_IDS): only applies together with vpcId',
    ]);
  });

  it('checks Fargate sizes, worker counts and the stop-timeout ceiling', () => {
    expect(problemsOf({ workerCpu: 1024, workerMemoryMiB: 1024 })).toEqual([
      'workerMemoryMiB (EVENT_GATEWAY_WORKER_MEMORY_MIB): 1024 is not a Fargate memory size for workerCpu=1024',
    ]);
    expect(problemsOf({ workerMinCount: 2, workerMaxCount: 1 })).toEqual([
      'workerMinCount (EVENT_GATEWAY_WORKER_MIN_COUNT): (2) must not exceed workerMaxCount (1)',
    ]);
    expect(problemsOf({ workerDesiredCount: 6 })).toEqual([
      'workerDesiredCount (EVENT_GATEWAY_WORKER_DESIRED_COUNT): (6) must lie between workerMinCount and workerMaxCount',
    ]);
    expect(problemsOf({ workerShutdownGraceSeconds: 116 })).toEqual([
      'workerShutdownGraceSeconds (EVENT_GATEWAY_WORKER_SHUTDOWN_GRACE_SECONDS): must be a whole number from 1 to 115 (got 116)',
    ]);
  });

  it('embeds a gateway configuration file as minified JSON and rejects one that is not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-config-'));
    writeFileSync(join(dir, 'targets.json'), '{\n  "targets": []\n}\n');
    writeFileSync(join(dir, 'broken.json'), '{ targets: ');
    expect(
      loadGatewayConfig(source({ gatewayConfigFile: 'targets.json' }, {}, dir)).ingest.gatewayConfigJson,
    ).toBe('{"targets":[]}');
    expect(() => loadGatewayConfig(source({ gatewayConfigFile: 'broken.json' }, {}, dir))).toThrow(
      /gatewayConfigFile \(EVENT_GATEWAY_GATEWAY_CONFIG_FILE\): broken\.json is not valid JSON/,
    );
  });
});
