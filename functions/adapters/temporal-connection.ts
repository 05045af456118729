/**
 * One Temporal connection per process, opened on first use, opened again after a failed connect (a
 * cold start during a Temporal outage must not poison the container for its lifetime) and after a
 * call found the channel dead (a Lambda thawed after a freeze holds a socket the network dropped).
 *
 * The connection is the lean client (`temporal-wire/`): the handful of WorkflowService RPCs the
 * gateway calls, without `@temporalio/client`'s import cost. Its settings still come from
 * `@temporalio/envconfig` — TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*,
 * TEMPORAL_PROFILE with TEMPORAL_CONFIG_FILE — so Temporal Cloud (API key or mTLS) and self-hosted
 * clusters are configured as for every other Temporal SDK and the CLI.
 */
import { loadClientConnectConfig } from '@temporalio/envconfig';
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

/** The connection settings envconfig resolved, in the lean client's terms. */
export function wireConnectionOptions(env: Record<string, string | undefined>): {
  namespace: string;
  options: WireConnectionOptions;
} {
  const defined = definedEntries(env);
  // The local default applies last: a profile file's address must win over it.
  const config = loadClientConnectConfig({
    overrideEnvVars: defined,
    disableFile: !defined.TEMPORAL_CONFIG_FILE,
  });
  const { address, tls, apiKey, metadata } = config.connectionOptions;
  return {
    namespace: config.namespace ?? 'default',
    options: {
      address: address ?? DEFAULT_ADDRESS,
      ...(tls !== undefined ? { tls } : {}),
      ...(typeof apiKey === 'string' && apiKey ? { apiKey } : {}),
      ...(metadata ? { metadata: metadata as Record<string, string> } : {}),
    },
  };
}

export function createTemporalClientProvider(
  options: TemporalClientProviderOptions = {},
): TemporalClientProvider {
  const { namespace, options: connectionOptions } = wireConnectionOptions(options.env ?? process.env);
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
