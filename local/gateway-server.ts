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
import { TEMPORAL_ENV } from '../contract/env-names';
import { replayEvent } from '../functions/handlers/http-event-routes';
import { createEventsPage, type EventsPageLinks } from './events-page';

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
  /**
   * Where the events page links to (Temporal UI, Zipkin). The page (`/_events`, local only) and the
   * replay route are served when the runtime has an event log (EVENT_GATEWAY_EVENT_LOG_DIR / _BUCKET).
   */
  eventsPageLinks?: EventsPageLinks;
}

export async function startGatewayServer(options: GatewayServerOptions): Promise<GatewayServer> {
  const env = options.env ?? process.env;
  const runtime = await createGatewayRuntime(env, options.logger);
  const { eventLog } = runtime;
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
  // The events page is the local gateway's own: the deployed functions never serve it.
  const page = eventLog
    ? createEventsPage({
        log: eventLog,
        sources: runtime.config.sources,
        env,
        gateway: (request) => app.fetch(request),
        replay: (eventId, asNew) =>
          replayEvent(
            {
              ...runtime,
              eventLog,
              authMode: 'none',
              fail: () => undefined as never,
              dataConverter: runtime.codec.dataConverter,
            },
            { eventId, asNew },
          ),
        links: { namespace: env[TEMPORAL_ENV.namespace] ?? 'default', ...options.eventsPageLinks },
      })
    : undefined;
  const fetch: typeof app.fetch = (request, ...rest) =>
    page && new URL(request.url).pathname.startsWith('/_events')
      ? page.fetch(request)
      : app.fetch(request, ...rest);
  const host = options.host ?? '127.0.0.1';
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch, port: options.port ?? 0, hostname: host }, () => resolve(s));
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
