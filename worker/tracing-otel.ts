/**
 * The OpenTelemetry side of the worker's tracing (worker/tracing.ts): one tracer provider exporting
 * over OTLP/HTTP, shared by the activity interceptors and the workflow sandbox's sink. The W3C
 * propagator and an AsyncLocalStorage context manager are registered globally (unless the process
 * registered its own), since the activity interceptor extracts and activates contexts through the
 * global API.
 */
import { createRequire } from 'node:module';
import { context, propagation } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { WorkerOptions } from '@temporalio/worker';

/** What `runWorker` adds to its worker's options when tracing is on. */
export interface WorkerTracing {
  /** The interceptors and sinks of `base` with the OpenTelemetry ones added. */
  workerOptions(
    base: Pick<WorkerOptions, 'interceptors' | 'sinks'>,
    fromSources: boolean,
  ): Pick<WorkerOptions, 'interceptors' | 'sinks'>;
  /** Exports what is left and stops the exporter (after the worker stopped). */
  shutdown(): Promise<void>;
}

/** The package's workflow interceptors module, bundled into the workflow code by path. */
export function openTelemetryWorkflowModule(): string {
  return createRequire(import.meta.url).resolve(
    '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors',
  );
}

export function createOtlpWorkerTracing(options: { url: string; serviceName: string }): WorkerTracing {
  const resource = new Resource({ 'service.name': options.serviceName });
  const processor = new BatchSpanProcessor(new OTLPTraceExporter({ url: options.url }), {
    scheduledDelayMillis: 1_000,
  });
  const provider = new BasicTracerProvider({ resource, spanProcessors: [processor] });
  const tracer = provider.getTracer('temporal-event-gateway-worker');
  // Both return false when the process registered its own: those stay.
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const workflowModule = openTelemetryWorkflowModule();
  return {
    workerOptions(base, fromSources) {
      const interceptors = base.interceptors ?? {};
      const modules = interceptors.workflowModules ?? [];
      return {
        interceptors: {
          ...interceptors,
          activity: [
            ...(interceptors.activity ?? []),
            (ctx) => ({
              inbound: new OpenTelemetryActivityInboundInterceptor(ctx, { tracer }),
              outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
            }),
          ],
          // A prebundle carries its workflow interceptors already; only sources are bundled here.
          ...(fromSources && !modules.includes(workflowModule)
            ? { workflowModules: [...modules, workflowModule] }
            : {}),
        },
        sinks: { ...base.sinks, exporter: makeWorkflowExporter(processor, resource) },
      };
    },
    async shutdown() {
      await provider.shutdown();
    },
  };
}
