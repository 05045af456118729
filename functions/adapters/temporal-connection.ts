/**
 * One Temporal client per process, created on first use and created again after a failed connect
 * (a cold start during a Temporal outage must not poison the container for its lifetime).
 *
 * Connection settings come from `@temporalio/envconfig` — TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
 * TEMPORAL_API_KEY, TEMPORAL_TLS_* — so Temporal Cloud (API key or mTLS) and self-hosted clusters
 * are configured the same way as every other Temporal SDK and the CLI.
 */
import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { TEMPORAL_ENV } from '../core/env-names';

export interface TemporalClientProvider {
  readonly namespace: string;
  /** The connected client; rejects (and forgets the attempt) when Temporal cannot be reached. */
  get(): Promise<Client>;
  close(): Promise<void>;
}

export interface TemporalClientProviderOptions {
  /** Environment to read; secrets fetched at cold start are merged in by the caller. */
  env?: Record<string, string | undefined>;
  /** Deadline of the first connect, in milliseconds. */
  connectTimeoutMs?: number;
}

const DEFAULT_ADDRESS = '127.0.0.1:7233';

function definedEntries(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

export function createTemporalClientProvider(
  options: TemporalClientProviderOptions = {},
): TemporalClientProvider {
  const env = definedEntries(options.env ?? process.env);
  env[TEMPORAL_ENV.address] ??= DEFAULT_ADDRESS;
  const config = loadClientConnectConfig({ overrideEnvVars: env, disableFile: !env.TEMPORAL_CONFIG_FILE });
  const namespace = config.namespace ?? 'default';
  let pending: Promise<Client> | undefined;

  async function connect(): Promise<Client> {
    const connection = await Connection.connect({
      ...config.connectionOptions,
      connectTimeout: options.connectTimeoutMs ?? 3_000,
    });
    return new Client({ connection, namespace });
  }

  return {
    namespace,
    get() {
      pending ??= connect().catch((error: unknown) => {
        pending = undefined;
        throw error;
      });
      return pending;
    },
    async close() {
      const current = pending;
      pending = undefined;
      if (current) await (await current.catch(() => undefined))?.connection.close();
    },
  };
}
