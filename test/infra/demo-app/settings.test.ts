import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AppSettingsError,
  CONFIG_KEYS,
  loadAppSettings,
  type ConfigSource,
} from '../../../infra/demo-app/settings';

function source(
  context: Record<string, unknown> = {},
  env: Record<string, string> = {},
  cwd?: string,
): ConfigSource {
  return { context: (key: string) => context[key], env, ...(cwd ? { cwd } : {}) };
}

function problemsOf(context: Record<string, unknown>, env: Record<string, string> = {}): readonly string[] {
  try {
    loadAppSettings(source(context, env));
  } catch (error) {
    if (error instanceof AppSettingsError) return error.problems;
    throw error;
  }
  throw new Error('expected an AppSettingsError');
}

describe('loadAppSettings', () => {
  it('leaves every unset key undefined, so the construct defaults apply (they live only there)', () => {
    const settings = loadAppSettings(source());
    expect(Object.values(settings).filter((value) => value !== undefined)).toEqual([]);
  });

  it('reads every key from EVENT_GATEWAY_* environment variables', () => {
    const settings = loadAppSettings(
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
    expect(settings).toMatchObject({
      temporalAddress: 'ns.acct.tmprl.cloud:7233',
      temporalAuth: 'api-key',
      fifo: true,
      workerCpu: 1024,
      workerMemoryMiB: 2048,
      jwtAudience: ['a', 'b'],
    });
  });

  it('prefers cdk context over the environment', () => {
    const settings = loadAppSettings(
      source({ temporalNamespace: 'from-context' }, { [CONFIG_KEYS.temporalNamespace]: 'from-env' }),
    );
    expect(settings.temporalNamespace).toBe('from-context');
  });

  it('accepts JSON types from cdk.json as well as strings from -c', () => {
    expect(
      loadAppSettings(
        source({
          fifo: true,
          queueBatchSize: 5,
          vpcId: 'vpc-0123abcd',
          vpcPrivateSubnetIds: ['subnet-0a1b2c3d'],
          vpcAvailabilityZones: 'eu-west-1a',
        }),
      ),
    ).toMatchObject({
      fifo: true,
      queueBatchSize: 5,
      vpcId: 'vpc-0123abcd',
      vpcPrivateSubnetIds: ['subnet-0a1b2c3d'],
      vpcAvailabilityZones: ['eu-west-1a'],
    });
  });

  it('reports every problem at once, each naming its key and environment variable', () => {
    expect(
      problemsOf({ temporalAuth: 'apikey', workerCpu: 'many', logRetentionDays: 31, fifo: 'yes' }),
    ).toEqual([
      'temporalAuth (EVENT_GATEWAY_TEMPORAL_AUTH): must be one of none, api-key, mtls (got "apikey")',
      'fifo (EVENT_GATEWAY_FIFO): must be true or false (got "yes")',
      'workerCpu (EVENT_GATEWAY_WORKER_CPU): must be a whole number (got "many")',
      expect.stringMatching(
        /^logRetentionDays \(EVENT_GATEWAY_LOG_RETENTION_DAYS\): must be a CloudWatch Logs retention/,
      ),
    ]);
  });

  it('puts all problems in the error message with a pointer to the docs', () => {
    expect(() => loadAppSettings(source({ temporalAddress: 'no-port', workerMinCount: 'x' }))).toThrow(
      /2 problems[\s\S]*temporalAddress \(EVENT_GATEWAY_TEMPORAL_ADDRESS\): must be host:port[\s\S]*workerMinCount[\s\S]*docs\/deploy\.md/,
    );
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

  it('needs subnets and one availability zone per subnet to import a VPC, and a NAT to create one', () => {
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
    expect(problemsOf({ natGateways: 0 })).toEqual([expect.stringMatching(/^natGateways .*through NAT/)]);
  });

  it('reads a routing file as JSON and rejects one that is not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-config-'));
    writeFileSync(join(dir, 'targets.json'), '{\n  "targets": []\n}\n');
    writeFileSync(join(dir, 'broken.json'), '{ targets: ');
    expect(loadAppSettings(source({ gatewayConfigFile: 'targets.json' }, {}, dir)).routing).toEqual({
      targets: [],
    });
    expect(() => loadAppSettings(source({ gatewayConfigFile: 'broken.json' }, {}, dir))).toThrow(
      /gatewayConfigFile \(EVENT_GATEWAY_GATEWAY_CONFIG_FILE\): broken\.json is not valid JSON/,
    );
  });
});
