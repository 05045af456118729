/**
 * Tracing for `runWorker`: when an OTLP endpoint is configured (the OpenTelemetry SDK's own env
 * vars), the worker installs `@temporalio/interceptors-opentelemetry` — its workflow interceptors
 * (which parent a signal's, update's or run's handling on the `_tracer-data` header the gateway
 * writes) and activity interceptors, and the sink the workflow sandbox exports its spans through.
 * Off, nothing of OpenTelemetry is loaded (the SDK parts are in tracing-otel.ts, imported on demand).
 */
import type { WorkerTracing } from './tracing-otel';

export type { WorkerTracing } from './tracing-otel';

export interface WorkerTracingOptions {
  /** `false` turns tracing off whatever the environment says. @default - on when an OTLP endpoint is set */
  readonly tracing?: boolean;
  /** The spans' `service.name`. @default OTEL_SERVICE_NAME, else `event-gateway-worker` */
  readonly serviceName?: string;
}

/**
 * The OTLP/HTTP traces URL the environment names (as the SDK reads it: the traces endpoint as is,
 * the base endpoint with `/v1/traces`), unless OTEL_SDK_DISABLED or OTEL_TRACES_EXPORTER=none.
 */
export function workerOtlpTracesUrl(env: NodeJS.ProcessEnv): string | undefined {
  if (env.OTEL_SDK_DISABLED === 'true' || env.OTEL_TRACES_EXPORTER === 'none') return undefined;
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  return base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined;
}

/** The worker's tracing as the options and the environment ask, or undefined when it is off. */
export async function workerTracing(
  options: WorkerTracingOptions,
  env: NodeJS.ProcessEnv,
): Promise<WorkerTracing | undefined> {
  if (options.tracing === false) return undefined;
  const url = workerOtlpTracesUrl(env);
  if (!url) return undefined;
  const { createOtlpWorkerTracing } = await import('./tracing-otel');
  return createOtlpWorkerTracing({
    url,
    serviceName: env.OTEL_SERVICE_NAME || options.serviceName || 'event-gateway-worker',
  });
}
