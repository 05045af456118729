/**
 * The Temporal connection settings that `@temporalio/envconfig` resolves from the environment alone
 * (`loadClientConnectConfig({ disableFile: true })`): TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
 * TEMPORAL_API_KEY, TEMPORAL_TLS and TEMPORAL_TLS_*, TEMPORAL_GRPC_META_*.
 *
 * Why a copy: envconfig's every entry point loads its TOML reader (smol-toml, and with it parts of
 * `@temporalio/common`), 32 KiB a Lambda would parse at each cold start although no profile file
 * exists there. This module reproduces envconfig 1.24's environment path step by step, quirks
 * included, and a test compares the two over every variable; temporal-connection.ts still loads
 * envconfig itself whenever a profile file can apply.
 */
import { readFileSync } from 'node:fs';
import { EventGatewayError } from '../../contract/errors';
import type { WireTlsConfig } from './temporal-wire/connection';

/** envconfig's `ClientConnectConfig`, as far as the lean client reads it. */
export interface TemporalConnectConfig {
  readonly namespace?: string;
  readonly connectionOptions: {
    readonly address?: string;
    readonly apiKey?: string;
    readonly tls?: WireTlsConfig | boolean | null;
    readonly metadata?: Record<string, string>;
  };
}

/** A TLS setting envconfig refuses (both a path and inline data for one certificate). */
export class TemporalTlsSettingsError extends EventGatewayError {
  override readonly name = 'TemporalTlsSettingsError';
}

type DataSource = { path: string } | { data: Uint8Array };

const GRPC_META_PREFIX = 'TEMPORAL_GRPC_META_';
const TLS_VARIABLES = [
  'TEMPORAL_TLS',
  'TEMPORAL_TLS_CLIENT_CERT_PATH',
  'TEMPORAL_TLS_CLIENT_CERT_DATA',
  'TEMPORAL_TLS_CLIENT_KEY_PATH',
  'TEMPORAL_TLS_CLIENT_KEY_DATA',
  'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
  'TEMPORAL_TLS_SERVER_CA_CERT_DATA',
  'TEMPORAL_TLS_SERVER_NAME',
  'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION',
] as const;

/** envconfig's `normalizeGrpcMetaKey`: lower case, the FIRST `_` becomes `-` (String#replace). */
const normalizeGrpcMetaKey = (key: string) => key.toLocaleLowerCase().replace('_', '-');

const envBool = (value: string | undefined) =>
  value === undefined ? undefined : value === '1' || value === 'true';

function dataSource(
  path: string | undefined,
  data: string | undefined,
  field: string,
): DataSource | undefined {
  if (path !== undefined && data !== undefined)
    throw new TemporalTlsSettingsError(`Cannot specify both ${field}_path and ${field}_data`);
  if (data !== undefined) return { data: new TextEncoder().encode(data) };
  return path !== undefined ? { path } : undefined;
}

function bytesOf(source: DataSource | undefined): Uint8Array | undefined {
  if (!source) return undefined;
  return 'path' in source ? Uint8Array.from(readFileSync(source.path)) : source.data;
}

function tlsFromEnv(env: Record<string, string>): boolean | WireTlsConfig | undefined {
  const enabled = envBool(env.TEMPORAL_TLS);
  const disabled = enabled === undefined ? undefined : !enabled;
  // envconfig keeps a TLS table only when one of its variables is set (disable_host_verification
  // counts, though the connection ignores it).
  if (!TLS_VARIABLES.some((name) => env[name] !== undefined)) return undefined;
  // The order of envconfig's fromTomlTLS: a conflict on the client certificate is reported first.
  const clientCert = dataSource(
    env.TEMPORAL_TLS_CLIENT_CERT_PATH,
    env.TEMPORAL_TLS_CLIENT_CERT_DATA,
    'client_cert',
  );
  const clientKey = dataSource(
    env.TEMPORAL_TLS_CLIENT_KEY_PATH,
    env.TEMPORAL_TLS_CLIENT_KEY_DATA,
    'client_key',
  );
  const serverCa = dataSource(
    env.TEMPORAL_TLS_SERVER_CA_CERT_PATH,
    env.TEMPORAL_TLS_SERVER_CA_CERT_DATA,
    'server_ca_cert',
  );
  if (disabled === true) return false;
  // toTLSConfig reads the CA first, then the certificate and the key.
  const serverRootCACertificate = bytesOf(serverCa);
  const crt = bytesOf(clientCert);
  const key = bytesOf(clientKey);
  return {
    serverNameOverride: env.TEMPORAL_TLS_SERVER_NAME,
    serverRootCACertificate,
    clientCertPair: crt && key ? { crt, key } : undefined,
  };
}

function grpcMetaFromEnv(env: Record<string, string>): Record<string, string> | undefined {
  let meta: Record<string, string> | undefined;
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(GRPC_META_PREFIX)) continue;
    meta ??= {};
    const key = normalizeGrpcMetaKey(name.slice(GRPC_META_PREFIX.length));
    // An empty value removes the header; envconfig then normalizes every key a second time
    // (fromTomlProfile), which turns a second `_` into `-` too.
    if (value === '') delete meta[key];
    else meta[key] = value;
  }
  if (!meta) return undefined;
  return Object.fromEntries(Object.entries(meta).map(([key, value]) => [normalizeGrpcMetaKey(key), value]));
}

/**
 * What `loadClientConnectConfig({ overrideEnvVars: env, disableFile: true })` answers, for an
 * environment without undefined values.
 */
export function connectConfigFromEnv(env: Record<string, string>): TemporalConnectConfig {
  const apiKey = env.TEMPORAL_API_KEY;
  const tls = tlsFromEnv(env) ?? (apiKey !== undefined ? true : undefined);
  const metadata = grpcMetaFromEnv(env);
  return {
    namespace: env.TEMPORAL_NAMESPACE,
    connectionOptions: {
      address: env.TEMPORAL_ADDRESS,
      apiKey,
      tls,
      metadata,
    },
  };
}
