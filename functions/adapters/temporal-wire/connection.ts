/**
 * The lean client's gRPC channel to Temporal's WorkflowService: `@grpc/grpc-js` with the channel
 * settings, credentials and metadata `@temporalio/client`'s `Connection` uses (keepalive, 128 MiB
 * messages, TLS/mTLS with a server name override, `authorization: Bearer` for an API key, the
 * `temporal-namespace` header), one deadline per call that covers its retries, and a `stale` flag
 * the provider reads to open a fresh channel after a call found this one dead.
 */
import { EventGatewayError } from '../../../contract/errors';
import { Client, credentials, Metadata, type ChannelCredentials, type ServiceError } from '@grpc/grpc-js';
import { codecFor } from './codec';
import { isRetryableStatus, MAX_ATTEMPTS, retryDelayMs } from './retry';
import { WIRE_METHODS, WORKFLOW_SERVICE, type WireMethod } from './schema';
import type { WireRpcs } from './types';

/** TLS settings, in `@temporalio/envconfig`'s shape (`true` = TLS with the system's CAs). */
export interface WireTlsConfig {
  serverNameOverride?: string;
  serverRootCACertificate?: Uint8Array | string;
  clientCertPair?: { crt: Uint8Array | string; key: Uint8Array | string };
}

export interface WireConnectionOptions {
  /** `host:port` (the port defaults to 7233). */
  address: string;
  /** TLS on (`true` or settings) or off; on by default when an API key is set, as in the SDK. */
  tls?: boolean | WireTlsConfig | null;
  apiKey?: string;
  /** Extra gRPC metadata on every call (envconfig's `grpcMeta`). */
  metadata?: Record<string, string>;
  /** Deadline of the first connect, in milliseconds. */
  connectTimeoutMs?: number;
}

/** The raw WorkflowService methods the gateway calls, each under an absolute deadline (ms epoch). */
export type WireWorkflowService = {
  [M in keyof WireRpcs]: (request: WireRpcs[M][0], deadline: number) => Promise<WireRpcs[M][1]>;
};

export class TemporalConnectError extends EventGatewayError {
  override readonly name = 'TemporalConnectError';
}

const DEFAULT_PORT = 7233;
/** A call that ends with one of these may have found a dead channel (a Lambda thawed after a freeze). */
const STALE_CODES = new Set([1, 4, 14]); // CANCELLED, DEADLINE_EXCEEDED, UNAVAILABLE

const METHOD_PATHS = Object.fromEntries(
  Object.entries(WIRE_METHODS).map(([rpc, method]) => [
    method,
    [rpc as WireMethod, `/${WORKFLOW_SERVICE}/${rpc}`],
  ]),
) as Record<keyof WireRpcs, [WireMethod, string]>;

/** `host` → `host:7233`; `[::1]` → `[::1]:7233`; an explicit port is kept. */
export function withDefaultPort(address: string): string {
  const hasPort = address.startsWith('[') ? /\]:\d+$/.test(address) : /^[^:]+:\d+$/.test(address);
  return hasPort ? address : `${address}:${DEFAULT_PORT}`;
}

const bytes = (value: Uint8Array | string | undefined) =>
  value === undefined ? undefined : Buffer.from(value);

function channelCredentials(options: WireConnectionOptions): {
  creds: ChannelCredentials;
  args: Record<string, string | number>;
} {
  const tls = options.tls ?? (options.apiKey ? true : undefined);
  if (!tls) return { creds: credentials.createInsecure(), args: {} };
  const config: WireTlsConfig = tls === true ? {} : tls;
  const creds = credentials.createSsl(
    bytes(config.serverRootCACertificate) ?? null,
    bytes(config.clientCertPair?.key) ?? null,
    bytes(config.clientCertPair?.crt) ?? null,
  );
  const args: Record<string, string> = config.serverNameOverride
    ? {
        'grpc.ssl_target_name_override': config.serverNameOverride,
        'grpc.default_authority': config.serverNameOverride,
      }
    : {};
  return { creds, args };
}

function isServiceError(error: unknown): error is ServiceError {
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'number';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One channel. Build it with {@link connectWire}; replace it once {@link WireConnection.stale}. */
export class WireConnection {
  readonly workflowService: WireWorkflowService;
  #stale = false;
  #inFlight = 0;
  #closing = false;

  private constructor(
    private readonly client: Client,
    private readonly metadata: Metadata,
  ) {
    const service: Partial<Record<keyof WireRpcs, unknown>> = {};
    for (const method of Object.keys(METHOD_PATHS) as (keyof WireRpcs)[]) {
      service[method] = (request: unknown, deadline: number) => this.#call(method, request, deadline);
    }
    this.workflowService = service as WireWorkflowService;
  }

  /** True once a call ended in a way a dead channel ends; the provider then opens a new one. */
  get stale(): boolean {
    return this.#stale;
  }

  static async connect(options: WireConnectionOptions): Promise<WireConnection> {
    const { creds, args } = channelCredentials(options);
    const client = new Client(withDefaultPort(options.address), creds, {
      'grpc.keepalive_permit_without_calls': 1,
      'grpc.keepalive_time_ms': 30_000,
      'grpc.keepalive_timeout_ms': 15_000,
      'grpc.max_receive_message_length': 128 * 1024 * 1024,
      ...args,
    });
    const metadata = new Metadata();
    for (const [key, value] of Object.entries(options.metadata ?? {})) metadata.set(key, value);
    if (options.apiKey) metadata.set('authorization', `Bearer ${options.apiKey}`);
    const deadline = Date.now() + (options.connectTimeoutMs ?? 10_000);
    try {
      await new Promise<void>((resolve, reject) =>
        client.waitForReady(deadline, (error) => (error ? reject(error) : resolve())),
      );
    } catch (error) {
      client.close();
      throw new TemporalConnectError(
        `Failed to connect to Temporal at ${options.address}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    return new WireConnection(client, metadata);
  }

  async #call(method: keyof WireRpcs, request: unknown, deadline: number): Promise<unknown> {
    const [rpc, path] = METHOD_PATHS[method];
    const codec = codecFor(rpc);
    const metadata = this.metadata.clone();
    const namespace = (request as { namespace?: unknown }).namespace;
    // Temporal Cloud routes (and authorizes) by this header, as the SDK's namespace injector sets it.
    if (typeof namespace === 'string' && namespace) metadata.set('temporal-namespace', namespace);
    this.#inFlight++;
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          return await new Promise((resolve, reject) => {
            this.client.makeUnaryRequest(
              path,
              codec.encode,
              codec.decode,
              request,
              metadata,
              { deadline },
              (error, response) => (error ? reject(error) : resolve(response)),
            );
          });
        } catch (error) {
          if (!isServiceError(error)) throw error;
          const delay = retryDelayMs(attempt, error.code);
          if (attempt >= MAX_ATTEMPTS || !isRetryableStatus(error) || Date.now() + delay >= deadline) {
            if (STALE_CODES.has(error.code)) this.#stale = true;
            throw error;
          }
          await sleep(delay);
        }
      }
    } finally {
      this.#inFlight--;
      if (this.#closing && this.#inFlight === 0) this.client.close();
    }
  }

  /** Closes the channel once the calls still on it have ended. */
  close(): void {
    this.#closing = true;
    if (this.#inFlight === 0) this.client.close();
  }
}
