/**
 * What every handler that delivers events to Temporal needs, built once per process from the
 * environment: the routing configuration, the deadline and the Temporal clients. The queue function
 * needs nothing more, so it builds only this (gateway-runtime.ts adds the HTTP side: auth, callback
 * keys, webhook secrets): its cold start neither loads the verifiers nor reads their secrets.
 */
import { CallbackKeyError } from '../../contract/callback-keys';
import { DEFAULT_GATEWAY_CONFIG } from '../core/default-config';
import { GATEWAY_ENV, TEMPORAL_ENV } from '../core/env-names';
import { GatewayConfigError, parseGatewayConfig } from '../core/gateway-config';
import type { GatewayConfig } from '../core/gateway-config-model';
import { gatewayConfigFromText } from './gateway-config-file';
import type { GatewayLogger } from './logger';
import { envelopeSealerFromEnv, type EnvelopeSealer } from './envelope-seal';
import { secretString, withTemporalSecrets, type Env } from './secrets';
import { DEFAULT_TEMPORAL_DEADLINE_MS } from './temporal-calls';
import { createTemporalClientProvider, type TemporalClientProvider } from './temporal-connection';
import { createReader, type Reader } from './temporal-reader';
import { createSignaler, type Signaler } from './temporal-signaler';
import { createStarter, type Starter } from './temporal-starter';
import { createUpdater, type Updater } from './temporal-updater';

export interface DeliveryRuntime {
  config: GatewayConfig;
  clients: TemporalClientProvider;
  signaler: Signaler;
  updater: Updater;
  /** Starts workflows from events, for targets that declare `start`. */
  starter: Starter;
  reader: Reader;
  logger: GatewayLogger;
  deadlineMs: number;
  /** Seals the gateway's own queue messages and checks the seal of every message it consumes. */
  sealer: EnvelopeSealer;
}

export class GatewayEnvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GatewayEnvError';
  }
}

/** The configured targets; the local default, on the task queue the worker uses, when none is given. */
export function loadGatewayConfig(env: Env, logger?: GatewayLogger): GatewayConfig {
  const json = env[GATEWAY_ENV.config];
  if (json) return gatewayConfigFromText(json, env, (message) => logger?.warn(message));
  const taskQueue = env[TEMPORAL_ENV.taskQueue];
  return parseGatewayConfig({
    ...DEFAULT_GATEWAY_CONFIG,
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

/** Runs one loader; its problems join the others instead of hiding them. */
export function collect<T>(problems: string[], load: () => T): T | undefined {
  try {
    return load();
  } catch (error) {
    if (error instanceof GatewayConfigError) problems.push(...error.problems);
    else if (error instanceof GatewayEnvError || error instanceof CallbackKeyError)
      problems.push(error.message);
    else throw error;
    return undefined;
  }
}

/**
 * The Temporal clients on a connection whose secrets are already resolved (`withTemporalSecrets`),
 * each call bounded by the deadline.
 */
export function createDeliveryParts(
  temporalEnv: Env,
  deadlineMs: number,
): Pick<DeliveryRuntime, 'clients' | 'signaler' | 'updater' | 'starter' | 'reader'> {
  // A connect attempt gets the same deadline as a call: a cold start during an outage answers fast.
  const clients = createTemporalClientProvider({ env: temporalEnv, connectTimeoutMs: deadlineMs });
  return {
    clients,
    signaler: createSignaler(clients, deadlineMs),
    updater: createUpdater(clients, deadlineMs),
    starter: createStarter(clients, deadlineMs),
    reader: createReader(clients, deadlineMs),
  };
}

/**
 * The envelope sealer from the environment (adapters/envelope-seal.ts); a process without a
 * configured key says so, since its seals verify nowhere else.
 */
export async function loadEnvelopeSealer(env: Env, logger: GatewayLogger): Promise<EnvelopeSealer> {
  const { sealer, configured } = await envelopeSealerFromEnv(env, secretString);
  if (!configured && env.AWS_LAMBDA_FUNCTION_NAME) {
    logger.warn(
      'no envelope key configured: queued webhooks and signals are sealed with a key of this process only',
    );
  }
  return sealer;
}

/** The queue function's runtime; every configuration problem is reported at once. */
export async function createDeliveryRuntime(env: Env, logger: GatewayLogger): Promise<DeliveryRuntime> {
  const problems: string[] = [];
  const config = collect(problems, () => loadGatewayConfig(env, logger));
  const deadlineMs = collect(problems, () => loadDeadlineMs(env));
  if (!config || deadlineMs === undefined || problems.length > 0) throw new GatewayConfigError(problems);
  const [temporalEnv, sealer] = await Promise.all([
    withTemporalSecrets(env),
    loadEnvelopeSealer(env, logger),
  ]);
  return { config, logger, deadlineMs, sealer, ...createDeliveryParts(temporalEnv, deadlineMs) };
}
