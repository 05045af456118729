/**
 * Everything a gateway handler needs, built once per process (Lambda cold start or local server)
 * from the environment. Configuration problems are reported together, before any request.
 */
import { DEFAULT_GATEWAY_CONFIG } from '../core/default-config';
import { GATEWAY_ENV, TEMPORAL_ENV } from '../core/env-names';
import {
  GatewayConfigError,
  parseGatewayConfig,
  parseGatewayConfigJson,
  type GatewayConfig,
} from '../core/gateway-config';
import { authSettingsFromEnv, createAuthenticator, type Authenticator } from './http-auth';
import type { GatewayLogger } from './logger';
import { DEFAULT_TEMPORAL_DEADLINE_MS } from './temporal-calls';
import { createTemporalClientProvider, type TemporalClientProvider } from './temporal-connection';
import { createReader, type Reader } from './temporal-reader';
import { createSignaler, type Signaler } from './temporal-signaler';
import { createUpdater, type Updater } from './temporal-updater';
import { withAuthSecrets, withCallbackSecrets, withTemporalSecrets, type Env } from './secrets';
import { callbackVerifierFromEnv, type CallbackVerifier } from './callback-tokens';
import { CallbackKeyError } from '../../contract/callback-keys';
import { createActivityCompleter, type ActivityCompleter } from './temporal-activity-completer';
import { lazySqsClient } from './sqs-client';
import { createSqsFallbackQueue } from './sqs-fallback-queue';
import type { FallbackQueue } from '../handlers/http-app';
import type { WebhookMetrics } from '../handlers/webhook-ingest';
import { createWebhookMetrics } from './webhook-metrics';
import { createWebhookQueues, type WebhookQueues } from './webhook-queues';
import { loadSourceRuntimes, type SourceRuntime } from './webhook-secrets';

export interface GatewayRuntime {
  config: GatewayConfig;
  /** The SQS fallback for transiently failed signals, when GATEWAY_QUEUE_URL is set. */
  fallback?: FallbackQueue;
  clients: TemporalClientProvider;
  signaler: Signaler;
  updater: Updater;
  reader: Reader;
  /** Verifies senders as GATEWAY_AUTH says. */
  authenticator: Authenticator;
  logger: GatewayLogger;
  deadlineMs: number;
  /** Verifies callback tokens when CALLBACK_SIGNING_KEYS (or its secret) is set. */
  callbacks?: CallbackVerifier;
  completer: ActivityCompleter;
  /** Each webhook source's verifier (or why it is disabled), by name. */
  sources: ReadonlyMap<string, SourceRuntime>;
  /** The fallback queue and DLQ for webhooks, as far as they are configured. */
  webhookQueues: WebhookQueues;
  metrics?: WebhookMetrics;
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
function collect<T>(problems: string[], load: () => T): T | undefined {
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

export async function createGatewayRuntime(env: Env, logger: GatewayLogger): Promise<GatewayRuntime> {
  const problems: string[] = [];
  const config = collect(problems, () => loadGatewayConfig(env));
  const deadlineMs = collect(problems, () => loadDeadlineMs(env));
  // Both secret sets are read at once: two Secrets Manager round trips in parallel at cold start.
  const [authEnv, temporalEnv, callbackEnv] = await Promise.all([
    withAuthSecrets(env),
    withTemporalSecrets(env),
    withCallbackSecrets(env),
  ]);
  const auth = authSettingsFromEnv(authEnv);
  if (!auth.ok) problems.push(...auth.problems);
  const callbacks = collect(problems, () => callbackVerifierFromEnv(callbackEnv));
  const sources = config ? await loadSourceRuntimes(config.sources, { env }) : undefined;
  if (sources && !sources.ok) problems.push(...sources.problems);
  if (!config || deadlineMs === undefined || !auth.ok || !sources?.ok || problems.length > 0) {
    throw new GatewayConfigError(problems);
  }
  for (const runtime of sources.sources.values()) {
    if ('disabled' in runtime)
      logger.warn('webhook source disabled', { source: runtime.source.name, reason: runtime.disabled });
  }
  // A connect attempt gets the same deadline as a call: a cold start during an outage answers fast.
  const clients = createTemporalClientProvider({
    env: temporalEnv,
    connectTimeoutMs: deadlineMs,
  });
  const queueUrl = env[GATEWAY_ENV.queueUrl];
  const sqs = lazySqsClient(env);
  return {
    config,
    ...(queueUrl ? { fallback: createSqsFallbackQueue(sqs, queueUrl) } : {}),
    clients,
    signaler: createSignaler(clients, deadlineMs),
    updater: createUpdater(clients, deadlineMs),
    reader: createReader(clients, deadlineMs),
    authenticator: createAuthenticator(auth.settings),
    logger,
    deadlineMs,
    ...(callbacks ? { callbacks } : {}),
    completer: createActivityCompleter(clients, deadlineMs),
    sources: sources.sources,
    webhookQueues: createWebhookQueues(sqs, { queueUrl, dlqUrl: env[GATEWAY_ENV.dlqUrl] }),
    // EMF metrics are for CloudWatch; a local process logs each outcome instead.
    ...(config.sources.length > 0 && env.AWS_LAMBDA_FUNCTION_NAME ? { metrics: createWebhookMetrics() } : {}),
  };
}
