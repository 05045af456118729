/**
 * The HTTP function's composition root: everything a gateway handler needs, built once per process (Lambda cold start or local server)
 * from the environment. Configuration problems are reported together, before any request.
 */
import { GATEWAY_ENV } from '../core/env-names';
import { MAX_OFFLOADED_INPUT_BYTES } from '../core/input-limits';
import { GatewayConfigError } from '../core/gateway-config-compiler';
import { callbackVerifierFromEnv, type CallbackVerifier } from '../adapters/callback-tokens';
import { createDeliverer } from '../adapters/deliverer';
import { loadGatewayConfig } from '../adapters/gateway-config-file';
import { parseCodecSettings } from '../core/codec-settings';
import { createCodecAuthenticator, type CodecServerDeps } from '../adapters/codec-auth';
import { loadCodecApiKeys } from './codec-api-keys';
import { authSettingsFromEnv, createAuthenticator, type Authenticator } from '../adapters/http-auth';
import { withEventContext, type GatewayLogger } from '../adapters/logger';
import type { ActivityCompleter, FallbackQueue, WebhookMetrics } from '../adapters/ports';
import { withAuthSecrets, withCallbackSecrets, withTemporalSecrets, type Env } from '../adapters/secrets';
import { lazySqsClient } from '../adapters/sqs-client';
import { createSqsFallbackQueue } from '../adapters/sqs-fallback-queue';
import { createActivityCompleter } from '../adapters/temporal-activity-completer';
import { loadPayloadSettings } from '../adapters/temporal-data-converter';
import { createWebhookMetrics, type DeferredMetrics } from '../adapters/webhook-metrics';
import { createWebhookQueues, type WebhookQueues } from '../adapters/webhook-queues';
import { loadSourceRuntimes, type SourceRuntime } from '../adapters/webhook-secrets';
import { tracingFromEnv } from '../adapters/tracing';
import {
  collect,
  collectAsync,
  createDeliveryParts,
  loadDeadlineMs,
  loadEnvelopeSealer,
  loadEventLogParts,
  type DeliveryRuntime,
} from './delivery-runtime';

/** The HTTP side on top of the delivery runtime (delivery-runtime.ts), which the queue function uses alone. */
export interface GatewayRuntime extends DeliveryRuntime {
  /** The SQS fallback for transiently failed signals, when GATEWAY_QUEUE_URL is set (the deliverer's). */
  fallback?: FallbackQueue;
  /** Verifies senders as GATEWAY_AUTH says. */
  authenticator: Authenticator;
  /** Verifies callback tokens when CALLBACK_SIGNING_KEYS (or its secret) is set. */
  callbacks?: CallbackVerifier;
  completer: ActivityCompleter;
  /** Each webhook source's verifier (or why it is disabled), by name. */
  sources: ReadonlyMap<string, SourceRuntime>;
  /** The fallback queue and DLQ for webhooks, as far as they are configured. */
  webhookQueues: WebhookQueues;
  metrics?: WebhookMetrics & DeferredMetrics;
  /** Largest request body: Lambda's when large payloads go to S3 (core/input-limits). */
  maxBodyBytes?: number;
  /** The codec server (`/v1/codec`): the clients' data converter, its authenticator, the UI origins. */
  codec: CodecServerDeps;
}

export async function createGatewayRuntime(env: Env, baseLogger: GatewayLogger): Promise<GatewayRuntime> {
  // Every line about an event carries its id, source, route, workflow and trace id.
  const logger = withEventContext(baseLogger);
  const problems: string[] = [];
  const config = await collectAsync(problems, () => loadGatewayConfig(env, logger));
  const deadlineMs = collect(problems, () => loadDeadlineMs(env));
  // Both secret sets are read at once: two Secrets Manager round trips in parallel at cold start.
  const [authEnv, temporalEnv, callbackEnv, sealer, payloads] = await Promise.all([
    withAuthSecrets(env),
    withTemporalSecrets(env),
    withCallbackSecrets(env),
    loadEnvelopeSealer(env, logger),
    loadPayloadSettings(env),
  ]);
  const auth = authSettingsFromEnv(authEnv);
  if (!auth.ok) problems.push(...auth.problems);
  const codec = parseCodecSettings(env);
  if (!codec.ok) problems.push(...codec.problems);
  const codecKeys = await loadCodecApiKeys(env);
  problems.push(...codecKeys.problems);
  const callbacks = collect(problems, () => callbackVerifierFromEnv(callbackEnv));
  const sources = config ? await loadSourceRuntimes(config.sources, { env }) : undefined;
  if (sources && !sources.ok) problems.push(...sources.problems);
  if (!config || deadlineMs === undefined || !auth.ok || !codec.ok || !sources?.ok || problems.length > 0) {
    throw new GatewayConfigError(problems);
  }
  for (const runtime of sources.sources.values()) {
    if ('disabled' in runtime)
      logger.warn('webhook source disabled', { source: runtime.source.name, reason: runtime.disabled });
  }
  const delivery = await createDeliveryParts(temporalEnv, deadlineMs, payloads);
  const queueUrl = env[GATEWAY_ENV.queueUrl];
  const sqs = lazySqsClient(env);
  // Both queue writers store a body too large for a message first (the queues carry references).
  const storer = delivery.clients.dataConverter;
  const fallback = queueUrl ? createSqsFallbackQueue(sqs, queueUrl, sealer, storer) : undefined;
  const completer = createActivityCompleter(delivery.clients, deadlineMs);
  const authenticator = createAuthenticator(auth.settings);
  const eventLogParts = await loadEventLogParts(env, logger, delivery.clients);
  return {
    config,
    ...eventLogParts,
    ...(fallback ? { fallback } : {}),
    sealer,
    ...delivery,
    deliverer: createDeliverer({ ...delivery, completer, fallback, logger }),
    authenticator,
    codec: {
      dataConverter: delivery.clients.dataConverter,
      // The codec server's own keys replace the senders' there (codec-api-keys.ts).
      authenticator: createCodecAuthenticator({
        authenticator: codecKeys.authenticator ?? authenticator,
        jwt: codec.settings.jwt,
      }),
      allowedOrigins: codec.settings.allowedOrigins,
    },
    logger,
    deadlineMs,
    tracing: tracingFromEnv(env),
    ...(callbacks ? { callbacks } : {}),
    completer,
    sources: sources.sources,
    webhookQueues: createWebhookQueues(sqs, { queueUrl, dlqUrl: env[GATEWAY_ENV.dlqUrl] }, sealer, storer),
    // EMF metrics are for CloudWatch; a local process logs each outcome instead.
    ...(config.sources.length > 0 && env.AWS_LAMBDA_FUNCTION_NAME ? { metrics: createWebhookMetrics() } : {}),
    ...(delivery.clients.dataConverter.offloads ? { maxBodyBytes: MAX_OFFLOADED_INPUT_BYTES } : {}),
  };
}
