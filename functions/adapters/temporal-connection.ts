/**
 * One Temporal connection per process, opened on first use, opened again after a failed connect (a
 * cold start during a Temporal outage must not poison the container for its lifetime) and after a
 * call found the channel dead (a Lambda thawed after a freeze holds a socket the network dropped).
 *
 * The connection is the lean client (`temporal-wire/`): the handful of WorkflowService RPCs the
 * gateway calls, without `@temporalio/client`'s import cost. Its settings still come from
 * `@temporalio/envconfig` — TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*,
 * TEMPORAL_PROFILE with TEMPORAL_CONFIG_FILE — so Temporal Cloud (API key or mTLS) and self-hosted
 * clusters are configured as for every other Temporal SDK and the CLI. envconfig itself (and its TOML
 * reader) is imported only when TEMPORAL_CONFIG_FILE names a profile file; without one, its
 * environment path runs from temporal-env-profile.ts, 32 KiB less for a cold start to parse.
 */
import { EventGatewayError } from '../../contract/errors';
import { connectConfigFromEnv, type TemporalConnectConfig } from './temporal-env-profile';
import {
  createDataConverter,
  type PayloadSettings,
  type TemporalDataConverter,
} from './temporal-data-converter';
import { WireConnection, type WireConnectionOptions } from './temporal-wire/connection';

export interface TemporalClientProvider {
  readonly namespace: string;
  /** How this client turns values into payloads and back (its codecs: the worker's, too). */
  readonly dataConverter: TemporalDataConverter;
  /** The connected client; rejects (and forgets the attempt) when Temporal cannot be reached. */
  get(): Promise<WireConnection>;
  close(): Promise<void>;
}

export interface TemporalClientProviderOptions {
  /** Environment to read; secrets fetched at cold start are merged in by the caller. */
  env?: Record<string, string | undefined>;
  /** Deadline of the first connect, in milliseconds. */
  connectTimeoutMs?: number;
  /** The codecs and large payload store every argument and result goes through (`loadPayloadSettings`). @default none */
  payloads?: PayloadSettings;
}

const DEFAULT_ADDRESS = '127.0.0.1:7233';

function definedEntries(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

/** A synchronous caller handed a profile file, which only {@link loadTemporalClientProvider} reads. */
export class TemporalProfileFileError extends EventGatewayError {
  override readonly name = 'TemporalProfileFileError';
}

/** The connection settings envconfig resolves, in the lean client's terms. */
export interface WireConnectionSettings {
  namespace: string;
  options: WireConnectionOptions;
}

function toWireSettings(config: TemporalConnectConfig): WireConnectionSettings {
  const { address, tls, apiKey, metadata } = config.connectionOptions;
  return {
    namespace: config.namespace ?? 'default',
    options: {
      // The local default applies last: a profile file's address must win over it.
      address: address ?? DEFAULT_ADDRESS,
      ...(tls !== undefined ? { tls } : {}),
      ...(typeof apiKey === 'string' && apiKey ? { apiKey } : {}),
      ...(metadata ? { metadata } : {}),
    },
  };
}

/**
 * The connection settings of an environment without a profile file (no TEMPORAL_CONFIG_FILE), as
 * `loadClientConnectConfig({ disableFile: true })` resolves them.
 * @throws TemporalProfileFileError when TEMPORAL_CONFIG_FILE is set: use {@link loadWireConnectionSettings}
 */
export function wireConnectionOptions(env: Record<string, string | undefined>): WireConnectionSettings {
  const defined = definedEntries(env);
  if (defined.TEMPORAL_CONFIG_FILE)
    throw new TemporalProfileFileError(
      'TEMPORAL_CONFIG_FILE names a profile file, which loadTemporalClientProvider reads (envconfig loads on demand).',
    );
  return toWireSettings(connectConfigFromEnv(defined));
}

/**
 * The connection settings of any environment: with TEMPORAL_CONFIG_FILE, envconfig reads the
 * profile file (TEMPORAL_PROFILE, else `default`) and the variables override it; without, as
 * {@link wireConnectionOptions}. Only a set TEMPORAL_CONFIG_FILE enables the file (never the default
 * path under the home directory, which a Lambda lacks and a developer's machine may hold).
 */
export async function loadWireConnectionSettings(
  env: Record<string, string | undefined>,
): Promise<WireConnectionSettings> {
  const defined = definedEntries(env);
  if (!defined.TEMPORAL_CONFIG_FILE) return toWireSettings(connectConfigFromEnv(defined));
  const { loadClientConnectConfig } = await import('@temporalio/envconfig');
  const config = loadClientConnectConfig({ overrideEnvVars: defined, disableFile: false });
  const { address, tls, apiKey, metadata } = config.connectionOptions;
  return toWireSettings({
    namespace: config.namespace,
    connectionOptions: {
      address,
      tls,
      apiKey: typeof apiKey === 'string' ? apiKey : undefined,
      metadata: metadata as Record<string, string> | undefined,
    },
  });
}

/**
 * The provider of an environment that may name a profile file (TEMPORAL_CONFIG_FILE): what the
 * runtimes call at cold start.
 */
export async function loadTemporalClientProvider(
  options: TemporalClientProviderOptions = {},
): Promise<TemporalClientProvider> {
  return createTemporalClientProvider(options, await loadWireConnectionSettings(options.env ?? process.env));
}

/**
 * The provider for settings already resolved, or for an environment without a profile file.
 * @throws TemporalProfileFileError when `settings` is absent and TEMPORAL_CONFIG_FILE is set
 */
export function createTemporalClientProvider(
  options: TemporalClientProviderOptions = {},
  settings: WireConnectionSettings = wireConnectionOptions(options.env ?? process.env),
): TemporalClientProvider {
  const { namespace, options: connectionOptions } = settings;
  let pending: Promise<WireConnection> | undefined;

  function connect(): Promise<WireConnection> {
    return WireConnection.connect({
      ...connectionOptions,
      connectTimeoutMs: options.connectTimeoutMs ?? 3_000,
    });
  }

  return {
    namespace,
    dataConverter: createDataConverter(namespace, options.payloads?.codecs, options.payloads?.store),
    async get() {
      const attempt = pending;
      if (attempt) {
        const current = await attempt.catch(() => undefined);
        // Calls still on a stale channel finish on it; new ones get a fresh one (once, however
        // many callers noticed at the same time).
        if (current?.stale && pending === attempt) {
          current.close();
          pending = undefined;
        }
      }
      pending ??= connect().catch((error: unknown) => {
        pending = undefined;
        throw error;
      });
      return pending;
    },
    async close() {
      const current = pending;
      pending = undefined;
      if (current) (await current.catch(() => undefined))?.close();
    },
  };
}
