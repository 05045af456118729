/**
 * The self-hosted Temporal Server (`go.temporal.io/server`, the release self-hosting users run),
 * built once from its Go module into the tool cache, and started on SQLite with TLS on the frontend
 * — optionally requiring client certificates (mTLS) and JWTs checked against a local key set.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { toolCacheDir } from './cache-dir';
import { startChild, type Child } from './child-process';
import { goInstall, type BuildLog } from './tool-build';

/** v1.32.0 and v1.32.1 build with Go 1.26.8; v1.32.2 asks for Go 1.26.10. */
export const TEMPORAL_SERVER_VERSION = 'v1.32.1';
const MODULE = 'go.temporal.io/server/cmd/server';

export const cachedTemporalServerPath = (): string =>
  toolCacheDir('temporal-server', TEMPORAL_SERVER_VERSION, 'temporal-server');

/** The server binary, building it first when the cache has none (4–5 minutes on 2 cores, once). */
export function ensureTemporalServer(log?: BuildLog): Promise<string> {
  return goInstall({
    module: MODULE,
    version: TEMPORAL_SERVER_VERSION,
    binary: 'server',
    target: cachedTemporalServerPath(),
    minGo: [1, 26],
    ...(log ? { log } : {}),
  });
}

/** PEM files for the frontend's TLS: its certificate and the CA its clients must be signed by. */
export interface FrontendTls {
  readonly certFile: string;
  readonly keyFile: string;
  /** The CA that signed the server certificate (what internal clients trust). */
  readonly caFile: string;
  /** Require and verify a client certificate signed by `caFile` (mTLS). */
  readonly requireClientAuth: boolean;
  /** A client certificate the server's own system worker presents to the frontend. */
  readonly internalClient: { readonly certFile: string; readonly keyFile: string };
  /** The name the server certificate is issued for. */
  readonly serverName: string;
}

export interface TemporalServerOptions {
  /** Where the generated config goes. */
  readonly dir: string;
  /** Ten free ports: frontend gRPC first, then HTTP and the services' gRPC and membership ports. */
  readonly ports: readonly number[];
  readonly tls?: FrontendTls;
  /** A JWKS file: turns on the default JWT authorizer and claim mapper. */
  readonly jwksFile?: string;
}

/** The server's configuration (JSON is YAML), as in the module's config/development-sqlite.yaml. */
export function temporalServerConfig(options: TemporalServerOptions): object {
  const [frontend, http, history, matching, worker, frontendM, historyM, matchingM, workerM] = options.ports;
  const sqlite = {
    sql: {
      pluginName: 'sqlite',
      databaseName: 'default',
      connectAddr: 'localhost',
      connectProtocol: 'tcp',
      connectAttributes: { mode: 'memory', cache: 'private' },
      maxConns: 1,
      maxIdleConns: 1,
      maxConnLifetime: '1h',
    },
  };
  const rpc = (grpcPort: number | undefined, membershipPort: number | undefined, extra = {}) => ({
    rpc: { grpcPort, membershipPort, bindOnLocalHost: true, ...extra },
  });
  const tls = options.tls;
  const clientOfFrontend = tls ? { serverName: tls.serverName, rootCaFiles: [tls.caFile] } : undefined;
  return {
    log: { stdout: true, level: 'error' },
    persistence: {
      defaultStore: 'sqlite-default',
      visibilityStore: 'sqlite-visibility',
      numHistoryShards: 1,
      datastores: { 'sqlite-default': sqlite, 'sqlite-visibility': sqlite },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' },
      ...(tls
        ? {
            tls: {
              frontend: {
                server: {
                  certFile: tls.certFile,
                  keyFile: tls.keyFile,
                  requireClientAuth: tls.requireClientAuth,
                  clientCaFiles: [tls.caFile],
                },
                client: clientOfFrontend,
              },
              systemWorker: { ...tls.internalClient, client: clientOfFrontend },
            },
          }
        : {}),
      ...(options.jwksFile
        ? {
            authorization: {
              authorizer: 'default',
              claimMapper: 'default',
              jwtKeyProvider: { keySourceURIs: [`file://${options.jwksFile}`], refreshInterval: '1m' },
            },
          }
        : {}),
    },
    services: {
      frontend: rpc(frontend, frontendM, { httpPort: http }),
      history: rpc(history, historyM),
      matching: rpc(matching, matchingM),
      worker: rpc(worker, workerM),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: `${tls?.serverName ?? '127.0.0.1'}:${frontend}`,
          httpAddress: `127.0.0.1:${http}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
  };
}

/** Starts the server; the caller waits for the frontend and registers its namespace. */
export async function startTemporalServer(
  options: TemporalServerOptions & { binary: string },
): Promise<Child & { address: string }> {
  const configFile = join(options.dir, 'temporal-server.yaml');
  await writeFile(configFile, JSON.stringify(temporalServerConfig(options), null, 2));
  const args = ['--config-file', configFile];
  // Without a JWT authorizer the server still starts, but only when told that no auth is intended.
  if (!options.jwksFile) args.push('--allow-no-auth');
  args.push('start');
  const child = startChild('temporal-server', options.binary, args, {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
  });
  return { ...child, address: `127.0.0.1:${options.ports[0]}` };
}
