/**
 * The gateway as deployed, once per authentication mode, on real local Node servers in front of a
 * real Temporal dev server — what the bad-input corpus and the fuzzers are aimed at.
 */
import type { GatewayLogger } from '../../../functions/adapters/logger';
import { GATEWAY_ENV, TEMPORAL_ENV } from '../../../functions/core/env-names';
import { startGatewayServer, type GatewayServer } from '../../../local/gateway-server';
import {
  AUTH_KINDS,
  authEnv,
  badInputGatewayConfig,
  type AuthKind,
} from '../../fixtures/bad-input/deployments';
import type { FetchableRequest } from '../../fixtures/bad-input/http-cases';
import { rawRequest } from './raw-http';

/** Counts what the gateway logged, so an `unhandled error` (only a bug logs it) fails the run. */
export class CountingLogger implements GatewayLogger {
  readonly counts: Record<string, number> = {};
  readonly errors: string[] = [];

  private note(level: string, message: string, extra: Record<string, unknown>[]): void {
    const key = `${level}: ${message}`;
    this.counts[key] = (this.counts[key] ?? 0) + 1;
    if (level === 'error' && this.errors.length < 50) this.errors.push(`${message} ${JSON.stringify(extra)}`);
  }
  info(message: string, ...extra: Record<string, unknown>[]): void {
    this.note('info', message, extra);
  }
  warn(message: string, ...extra: Record<string, unknown>[]): void {
    this.note('warn', message, extra);
  }
  error(message: string, ...extra: Record<string, unknown>[]): void {
    this.note('error', message, extra);
  }
}

export type Deployments = Record<AuthKind, GatewayServer>;

/**
 * One server per auth mode. The Temporal deadline is long on purpose: on a busy two-core machine a
 * slow but healthy Temporal must not turn into a 503 that would be miscounted as a server error.
 */
export async function startDeployments(
  temporalAddress: string,
  taskQueue: string,
  logger: GatewayLogger,
): Promise<Deployments> {
  const entries = await Promise.all(
    AUTH_KINDS.map(async (kind) => {
      const server = await startGatewayServer({
        logger,
        env: {
          [TEMPORAL_ENV.address]: temporalAddress,
          [GATEWAY_ENV.config]: JSON.stringify(badInputGatewayConfig(taskQueue)),
          [GATEWAY_ENV.temporalDeadlineMs]: '30000',
          ...authEnv(kind),
        },
      });
      return [kind, server] as const;
    }),
  );
  return Object.fromEntries(entries) as Deployments;
}

export async function stopDeployments(deployments: Partial<Deployments> | undefined): Promise<void> {
  await Promise.all(Object.values(deployments ?? {}).map((server) => server?.close()));
}

export interface Answer {
  status: number;
  contentType: string | undefined;
  body: string;
  headers: Record<string, string>;
}

export async function send(server: GatewayServer, request: FetchableRequest): Promise<Answer> {
  const body = request.bodyBase64 !== undefined ? Buffer.from(request.bodyBase64, 'base64') : request.body;
  const response = await fetch(`${server.url}${request.path}`, {
    method: request.method,
    // A fresh connection per request: a server that answers 413 and closes early must not break
    // the next request that would otherwise reuse the socket.
    headers: { ...request.headers, connection: 'close' },
    ...(body !== undefined && request.method !== 'GET' && request.method !== 'HEAD' ? { body } : {}),
  });
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? undefined,
    body: await response.text(),
    headers,
  };
}

export async function sendRaw(server: GatewayServer, bytes: string): Promise<Answer> {
  const response = await rawRequest(server.port, Buffer.from(bytes, 'latin1'));
  return {
    status: response.status,
    contentType: response.headers['content-type'],
    body: response.body,
    headers: response.headers,
  };
}

/** Response headers a sender could have planted through header injection. */
export const INJECTED_HEADER_NAMES = ['set-cookie', 'x-evil', 'x-injected'] as const;
