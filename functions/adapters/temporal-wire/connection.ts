/**
 * The lean client's connection to Temporal's WorkflowService: gRPC framed over `node:http2` by
 * hand (grpc-channel.ts, unary-call.ts) with the channel settings, credentials and metadata
 * `@temporalio/client`'s `Connection` uses (keepalive, 128 MiB messages, TLS/mTLS with a server name
 * override, `authorization: Bearer` for an API key, the `temporal-namespace` header), one deadline
 * per call that covers its retries, and a `stale` flag the provider reads to open a fresh
 * connection after a call found this one dead. Failed calls end as grpc-js ended them (grpc-status.ts).
 */
import type { OutgoingHttpHeaders } from 'node:http2';
import { EventGatewayError } from '../../../contract/errors';
import { codecFor, type WireCodec } from './codec';
import { GrpcChannel, type ChannelTarget } from './grpc-channel';
import { GrpcCallError, Status } from './grpc-status';
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

/** Where and how to connect, and the `:authority` a server name override sets (as grpc-js's default authority). */
function channelTarget(options: WireConnectionOptions): {
  target: ChannelTarget;
  headers: OutgoingHttpHeaders;
} {
  const address = withDefaultPort(options.address);
  const tls = options.tls ?? (options.apiKey ? true : undefined);
  if (!tls) return { target: { address }, headers: {} };
  const config: WireTlsConfig = tls === true ? {} : tls;
  const ca = bytes(config.serverRootCACertificate);
  const cert = bytes(config.clientCertPair?.crt);
  const key = bytes(config.clientCertPair?.key);
  const serverName = config.serverNameOverride;
  return {
    target: {
      address,
      tls: {
        ...(ca && { ca }),
        ...(cert && { cert }),
        ...(key && { key }),
        ...(serverName && { serverName }),
      },
    },
    headers: serverName ? { ':authority': serverName } : {},
  };
}

/** The response message, or INTERNAL when it does not parse (as grpc-js reports a bad response). */
function decodeResponse(codec: WireCodec, bytes: Buffer): unknown {
  try {
    return codec.decode(bytes);
  } catch (error) {
    throw new GrpcCallError(Status.INTERNAL, `Response message parsing error: ${(error as Error).message}`);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One connection. Build it with {@link connectWire}; replace it once {@link WireConnection.stale}. */
export class WireConnection {
  readonly workflowService: WireWorkflowService;
  #stale = false;
  /** Each namespace's call headers, built once (the channel and `node:http2` copy them per call). */
  readonly #headers = new Map<string, OutgoingHttpHeaders>();

  private constructor(
    private readonly channel: GrpcChannel,
    private readonly metadata: Readonly<Record<string, string>>,
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
    const { target, headers } = channelTarget(options);
    const channel = new GrpcChannel(target, headers);
    // gRPC metadata keys are lowercase header names.
    const metadata: Record<string, string> = {};
    for (const [key, value] of Object.entries(options.metadata ?? {})) metadata[key.toLowerCase()] = value;
    if (options.apiKey) metadata.authorization = `Bearer ${options.apiKey}`;
    try {
      await channel.waitForReady(Date.now() + (options.connectTimeoutMs ?? 10_000));
    } catch (error) {
      channel.close();
      throw new TemporalConnectError(
        `Failed to connect to Temporal at ${options.address}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    return new WireConnection(channel, metadata);
  }

  async #call(method: keyof WireRpcs, request: unknown, deadline: number): Promise<unknown> {
    const [rpc, path] = METHOD_PATHS[method];
    const codec = codecFor(rpc);
    const namespace = (request as { namespace?: unknown }).namespace;
    const headers = this.#headersFor(typeof namespace === 'string' ? namespace : '');
    const encoded = codec.encode(request);
    for (let attempt = 1; ; attempt++) {
      try {
        return decodeResponse(codec, await this.channel.unary(path, headers, encoded, deadline));
      } catch (error) {
        if (!(error instanceof GrpcCallError)) throw error;
        const delay = retryDelayMs(attempt, error.code);
        if (attempt >= MAX_ATTEMPTS || !isRetryableStatus(error) || Date.now() + delay >= deadline) {
          if (STALE_CODES.has(error.code)) this.#stale = true;
          throw error;
        }
        await sleep(delay);
      }
    }
  }

  #headersFor(namespace: string): OutgoingHttpHeaders {
    let headers = this.#headers.get(namespace);
    if (!headers) {
      headers = { ...this.metadata };
      // Temporal Cloud routes (and authorizes) by this header, as the SDK's namespace injector sets it.
      if (namespace) headers['temporal-namespace'] = namespace;
      this.#headers.set(namespace, headers);
    }
    return headers;
  }

  /** Closes the connection once the calls still on it have ended. */
  close(): void {
    this.channel.close();
  }
}
