/**
 * The queue function's composition root, and the base of the HTTP one: what every handler that
 * delivers events to Temporal needs, built once per process from the environment — the routing
 * configuration, the deadline, the Temporal clients and the Deliverer on top of them. The queue function
 * needs nothing more, so it builds only this (gateway-runtime.ts adds the HTTP side: auth, callback
 * keys, webhook secrets): its cold start neither loads the verifiers nor reads their secrets.
 */
import { CallbackKeyError } from '../../contract/callback-keys';
import { EventGatewayError } from '../../contract/errors';
import { GATEWAY_ENV } from '../core/env-names';
import { GatewayConfigError } from '../core/gateway-config-compiler';
import type { GatewayConfig } from '../core/gateway-config-model';
import { createDeliverer, type Deliverer } from '../adapters/deliverer';
import { envelopeSealerFromEnv, type EnvelopeSealer } from '../adapters/envelope-seal';
import { eventLogFromEnv } from '../adapters/event-log-env';
import { createEventRecorder, NO_EVENT_RECORDER, type EventRecorder } from '../adapters/event-log-recorder';
import { loadGatewayConfig } from '../adapters/gateway-config-file';
import { withEventContext, type GatewayLogger } from '../adapters/logger';
import type { EventLog, Signaler, Starter, Updater } from '../adapters/ports';
import { secretString, withTemporalSecrets, type Env } from '../adapters/secrets';
import { DEFAULT_TEMPORAL_DEADLINE_MS } from '../adapters/temporal-calls';
import { loadTemporalClientProvider, type TemporalClientProvider } from '../adapters/temporal-connection';
import { loadPayloadSettings, type PayloadSettings } from '../adapters/temporal-data-converter';
import { createReader, type Reader } from '../adapters/temporal-reader';
import { createSignaler } from '../adapters/temporal-signaler';
import { createStarter } from '../adapters/temporal-starter';
import { createUpdater } from '../adapters/temporal-updater';
import { tracingFromEnv, type GatewayTracing } from '../adapters/tracing';

export interface DeliveryRuntime {
  config: GatewayConfig;
  clients: TemporalClientProvider;
  /** Delivers every routed command (the ports below, each under the deadline). */
  deliverer: Deliverer;
  /** The Temporal ports behind the deliverer; each paces the workflows it calls. */
  signaler: Signaler;
  updater: Updater;
  /** Starts workflows from events, for targets that declare `start`. */
  starter: Starter;
  reader: Reader;
  logger: GatewayLogger;
  deadlineMs: number;
  /** Seals the gateway's own queue messages and checks the seal of every message it consumes. */
  sealer: EnvelopeSealer;
  /** Each request's or record's trace (exported when OTEL_EXPORTER_OTLP_ENDPOINT is set). */
  tracing: GatewayTracing;
  /** The event log (issue 30) when EVENT_GATEWAY_EVENT_LOG_BUCKET or _DIR is set. */
  eventLog?: EventLog;
  /** Records each event into the event log; records nothing when there is none. */
  recorder: EventRecorder;
}

/**
 * The event log the environment configures and its recorder, bodies through the clients' data
 * converter (encrypted like histories when a codec is configured); none when unset.
 */
export async function loadEventLogParts(
  env: Env,
  logger: GatewayLogger,
  clients: TemporalClientProvider,
): Promise<Pick<DeliveryRuntime, 'eventLog' | 'recorder'>> {
  const eventLog = await eventLogFromEnv(env);
  if (!eventLog) return { recorder: NO_EVENT_RECORDER };
  return {
    eventLog,
    recorder: createEventRecorder({ writer: eventLog, logger, dataConverter: clients.dataConverter }),
  };
}

/** An environment variable with a value the gateway cannot use. */
export class GatewayEnvError extends EventGatewayError {
  override readonly name = 'GatewayEnvError';
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
 * each call bounded by the deadline, every payload through the codecs and store of `payloads`
 * (`loadPayloadSettings`).
 */
export async function createDeliveryParts(
  temporalEnv: Env,
  deadlineMs: number,
  payloads: PayloadSettings = { codecs: [] },
): Promise<Pick<DeliveryRuntime, 'clients' | 'signaler' | 'updater' | 'starter' | 'reader'>> {
  // A connect attempt gets the same deadline as a call: a cold start during an outage answers fast.
  const clients = await loadTemporalClientProvider({
    env: temporalEnv,
    connectTimeoutMs: deadlineMs,
    payloads,
  });
  return {
    clients,
    signaler: createSignaler(clients, deadlineMs),
    updater: createUpdater(clients, deadlineMs),
    starter: createStarter(clients, deadlineMs),
    reader: createReader(clients, deadlineMs),
  };
}

/** {@link collect} of a loader that answers later (the gateway configuration). */
export async function collectAsync<T>(problems: string[], load: () => Promise<T>): Promise<T | undefined> {
  try {
    return await load();
  } catch (error) {
    return collect(problems, () => {
      throw error;
    });
  }
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
export async function createDeliveryRuntime(env: Env, baseLogger: GatewayLogger): Promise<DeliveryRuntime> {
  // Every line about an event carries its id, source, route, workflow and trace id.
  const logger = withEventContext(baseLogger);
  const problems: string[] = [];
  const config = await collectAsync(problems, () => loadGatewayConfig(env, logger));
  const deadlineMs = collect(problems, () => loadDeadlineMs(env));
  if (!config || deadlineMs === undefined || problems.length > 0) throw new GatewayConfigError(problems);
  const [temporalEnv, sealer, payloads] = await Promise.all([
    withTemporalSecrets(env),
    loadEnvelopeSealer(env, logger),
    loadPayloadSettings(env),
  ]);
  const parts = await createDeliveryParts(temporalEnv, deadlineMs, payloads);
  const tracing = tracingFromEnv(env);
  const eventLogParts = await loadEventLogParts(env, logger, parts.clients);
  return {
    config,
    ...eventLogParts,
    logger,
    deadlineMs,
    sealer,
    tracing,
    ...parts,
    deliverer: createDeliverer({ ...parts, logger }),
  };
}
