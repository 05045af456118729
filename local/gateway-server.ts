/**
 * The gateway's HTTP app on a local Node server: the very app the Lambda handler exports, served
 * by @hono/node-server. Used by `npm run dev` and the HTTP tests.
 */
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { createGatewayRuntime, type GatewayRuntime } from '../functions/runtime/gateway-runtime';
import type { GatewayLogger } from '../functions/adapters/logger';
import { createDeliverer } from '../functions/adapters/deliverer';
import type { FallbackQueue, WebhookMetrics } from '../functions/adapters/ports';
import { createHttpApp } from '../functions/handlers/http-app';
import { loopbackCodecAuthenticator } from './codec-endpoint';

export interface GatewayServer {
  url: string;
  port: number;
  runtime: GatewayRuntime;
  close(): Promise<void>;
}

export interface GatewayServerOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  env?: Record<string, string | undefined>;
  logger: GatewayLogger;
  fallback?: FallbackQueue;
  /** Counts webhook outcomes; in Lambda the runtime writes CloudWatch EMF metrics instead. */
  metrics?: WebhookMetrics;
  /**
   * The local stacks' codec server: loopback callers (the local UI, the CLI) need no credential
   * (local/codec-endpoint.ts). @default false - as deployed: never open
   */
  codecOnLoopback?: boolean;
}

export async function startGatewayServer(options: GatewayServerOptions): Promise<GatewayServer> {
  const runtime = await createGatewayRuntime(options.env ?? process.env, options.logger);
  const app = createHttpApp({
    ...runtime,
    ...(options.codecOnLoopback
      ? {
          codec: { ...runtime.codec, authenticator: loopbackCodecAuthenticator(runtime.codec.authenticator) },
        }
      : {}),
    // A test's own fallback queue replaces the runtime's behind the same ports.
    ...(options.fallback ? { deliverer: createDeliverer({ ...runtime, fallback: options.fallback }) } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  const host = options.host ?? '127.0.0.1';
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: host }, () => resolve(s));
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    port,
    runtime,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await runtime.clients.close();
    },
  };
}
