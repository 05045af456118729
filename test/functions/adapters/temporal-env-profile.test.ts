/**
 * The lean client's copy of envconfig's environment path (temporal-env-profile.ts) answers what
 * `@temporalio/envconfig` answers for the same variables, quirks included; a profile file still goes
 * to envconfig itself.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTemporalClientProvider,
  loadWireConnectionSettings,
  TemporalProfileFileError,
  wireConnectionOptions,
} from '../../../functions/adapters/temporal-connection';
import { connectConfigFromEnv } from '../../../functions/adapters/temporal-env-profile';

let dir: string;
let caPath: string;
let certPath: string;
let keyPath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'temporal-env-profile-'));
  caPath = join(dir, 'ca.pem');
  certPath = join(dir, 'client.pem');
  keyPath = join(dir, 'client.key');
  await writeFile(caPath, 'CA bytes é');
  await writeFile(certPath, 'certificate bytes');
  await writeFile(keyPath, 'key bytes');
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const envconfigOf = (env: Record<string, string>) =>
  loadClientConnectConfig({ overrideEnvVars: env, disableFile: true });

/** Bytes compared as bytes, whatever Uint8Array subclass holds them. */
const plain = (value: unknown): unknown =>
  value instanceof Uint8Array
    ? { bytes: [...value] }
    : value && typeof value === 'object'
      ? Object.fromEntries(
          Object.entries(value)
            .filter(([, inner]) => inner !== undefined)
            .map(([key, inner]) => [key, plain(inner)]),
        )
      : value;

const environments = (): Record<string, Record<string, string>> => ({
  empty: {},
  'address and namespace': { TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_NAMESPACE: 'orders' },
  'api key (TLS on)': { TEMPORAL_ADDRESS: 'x.tmprl.cloud:7233', TEMPORAL_API_KEY: 'key-1' },
  'empty api key': { TEMPORAL_API_KEY: '' },
  'api key with TLS off': { TEMPORAL_API_KEY: 'key-1', TEMPORAL_TLS: 'false' },
  'TLS true': { TEMPORAL_TLS: 'true' },
  'TLS 1': { TEMPORAL_TLS: '1' },
  'TLS yes (not true)': { TEMPORAL_TLS: 'yes' },
  'TLS off with a CA': { TEMPORAL_TLS: '0', TEMPORAL_TLS_SERVER_CA_CERT_PATH: caPath },
  'host verification only': { TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: 'true' },
  'inline mTLS': {
    TEMPORAL_TLS_SERVER_CA_CERT_DATA: 'ca data ü',
    TEMPORAL_TLS_CLIENT_CERT_DATA: 'cert data',
    TEMPORAL_TLS_CLIENT_KEY_DATA: 'key data',
    TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
  },
  'mTLS from files': {
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: caPath,
    TEMPORAL_TLS_CLIENT_CERT_PATH: certPath,
    TEMPORAL_TLS_CLIENT_KEY_PATH: keyPath,
  },
  'a certificate without its key': { TEMPORAL_TLS_CLIENT_CERT_DATA: 'cert data' },
  'gRPC metadata': {
    TEMPORAL_GRPC_META_X_TEAM: 'payments',
    TEMPORAL_GRPC_META_SOME_LONG_HEADER_NAME: 'v',
    TEMPORAL_GRPC_META_REMOVED: '',
    TEMPORAL_GRPC_META_x_team: 'later',
  },
  'gRPC metadata all removed': { TEMPORAL_GRPC_META_GONE: '' },
  'unrelated variables': { PATH: '/usr/bin', TEMPORAL_PROFILE: 'prod', TEMPORAL_CODEC_ENDPOINT: 'http://c' },
});

describe("the environment's Temporal connection settings", () => {
  it.each(Object.entries(environments()))('%s: as envconfig resolves them', (_name, env) => {
    expect(plain(connectConfigFromEnv(env))).toEqual(plain(envconfigOf(env)));
  });

  it.each([
    ['client_cert', { TEMPORAL_TLS_CLIENT_CERT_PATH: 'a', TEMPORAL_TLS_CLIENT_CERT_DATA: 'b' }],
    ['client_key', { TEMPORAL_TLS_CLIENT_KEY_PATH: 'a', TEMPORAL_TLS_CLIENT_KEY_DATA: 'b' }],
    ['server_ca_cert', { TEMPORAL_TLS_SERVER_CA_CERT_PATH: 'a', TEMPORAL_TLS_SERVER_CA_CERT_DATA: 'b' }],
  ])('refuses both a path and data for %s, with envconfig’s message', (field, env) => {
    const message = `Cannot specify both ${field}_path and ${field}_data`;
    expect(() => envconfigOf(env)).toThrow(message);
    expect(() => connectConfigFromEnv(env)).toThrow(message);
  });

  it('reads a missing certificate file as envconfig does: it fails', () => {
    const env = { TEMPORAL_TLS_SERVER_CA_CERT_PATH: join(tmpdir(), 'no-such-ca-7f3a.pem') };
    expect(() => envconfigOf(env)).toThrow(/ENOENT/);
    expect(() => connectConfigFromEnv(env)).toThrow(/ENOENT/);
  });

  it('gives the same wire settings synchronously and asynchronously without a profile file', async () => {
    const env = { TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_API_KEY: 'k', TEMPORAL_GRPC_META_X_A: 'b' };
    expect(await loadWireConnectionSettings(env)).toEqual(wireConnectionOptions(env));
    expect(wireConnectionOptions({})).toEqual({
      namespace: 'default',
      options: { address: '127.0.0.1:7233' },
    });
  });

  it('reads a profile file only asynchronously, through envconfig, the variables overriding it', async () => {
    const file = join(dir, 'temporal.toml');
    await writeFile(file, '[profile.prod]\naddress = "from-file:7233"\nnamespace = "file-ns"\n');
    const env = { TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod', TEMPORAL_NAMESPACE: 'env-ns' };
    expect(await loadWireConnectionSettings(env)).toEqual({
      namespace: 'env-ns',
      options: { address: 'from-file:7233' },
    });
    expect(() => wireConnectionOptions(env)).toThrow(TemporalProfileFileError);
    expect(() => createTemporalClientProvider({ env })).toThrow(TemporalProfileFileError);
  });
});
