/**
 * Everything a gateway handler needs, built once per process (Lambda cold start or local server)
 * from the environment. Configuration problems are reported together, before any request.
 */
import { DEFAULT_GATEWAY_CONFIG } from '../core/default-config';
import { GATEWAY_ENV, TEMPORAL_ENV } from '../core/env-names';
import { parseGatewayConfig, parseGatewayConfigJson, type GatewayConfig } from '../core/gateway-config';
import type { GatewayLogger } from './logger';
import { DEFAULT_TEMPORAL_DEADLINE_MS } from './temporal-calls';
import { createTemporalClientProvider, type TemporalClientProvider } from './temporal-connection';
import { createReader, type Reader } from './temporal-reader';
import { createSignaler, type Signaler } from './temporal-signaler';
import { withTemporalSecrets, type Env } from './secrets';

export interface GatewayRuntime {
  config: GatewayConfig;
  clients: TemporalClientProvider;
  signaler: Signaler;
  reader: Reader;
  logger: GatewayLogger;
  deadlineMs: number;
}

export class GatewayEnvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GatewayEnvError';
  }
}

/** The configured targets; the local default, on the task queue the worker uses, when none is given. */
export function loadGatewayConfig(env: Env): GatewayConfig {
  const json = env[GATEWAY_ENV.config];
  if (json) return parseGatewayConfigJson(json);
  const taskQueue = env[TEMPORAL_ENV.taskQueue];
  return parseGatewayConfig({
    targets: DEFAULT_GATEWAY_CONFIG.targets.map((target) => (taskQueue ? { ...target, taskQueue } : target)),
  });
}

export function loadDeadlineMs(env: Env): number {
  const raw = env[GATEWAY_ENV.temporalDeadlineMs];
  if (raw === undefined || raw === '') return DEFAULT_TEMPORAL_DEADLINE_MS;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 100 || value > 60_000) {
    throw new GatewayEnvError(
      `${GATEWAY_ENV.temporalDeadlineMs} must be an integer from 100 to 60000 (got "${raw}").`,
    );
  }
  return value;
}

export async function createGatewayRuntime(env: Env, logger: GatewayLogger): Promise<GatewayRuntime> {
  const config = loadGatewayConfig(env);
  const deadlineMs = loadDeadlineMs(env);
  const clients = createTemporalClientProvider({ env: await withTemporalSecrets(env) });
  return {
    config,
    clients,
    signaler: createSignaler(clients, deadlineMs),
    reader: createReader(clients, deadlineMs),
    logger,
    deadlineMs,
  };
}
