/**
 * Prebundles a team's workflows at build time, so the worker never runs webpack when it starts
 * (seconds of CPU on a small Fargate task) and cannot bundle differently from what was tested.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DefaultLogger, bundleWorkflowCode, type BundleOptions } from '@temporalio/worker';
import { dedupeInterceptorModule } from './dedupe-module';
import { WORKFLOW_BUNDLE_FILE } from './workflow-source';
import { EventGatewayError } from '../contract/errors';

export class WorkflowBundleError extends EventGatewayError {
  override readonly name = 'WorkflowBundleError';
}

export interface PrebundleWorkflowsOptions extends Omit<BundleOptions, 'workflowsPath' | 'logger'> {
  /** The workflows module: every function it exports is registered as a workflow type. */
  readonly workflowsPath: string;
  /**
   * Where to write the bundle. Beside the built worker entry as `workflow-bundle.js`,
   * {@link locateWorkflows} finds it without configuration.
   */
  readonly outFile?: string;
  /** Directory for `workflow-bundle.js` when `outFile` is not given. */
  readonly outDir?: string;
  /** Bundler warnings and errors. @default console.warn */
  readonly log?: (line: string) => void;
  /**
   * Bundle the dedupe interceptor module (skips events already applied; see docs/dedupe.md) in
   * front of any `workflowInterceptorModules`. `false` leaves it out.
   * @default true
   */
  readonly dedupe?: boolean;
  /**
   * Bundle `@temporalio/interceptors-opentelemetry`'s workflow interceptors too, for a worker that
   * exports traces (an OTLP endpoint set, docs/tracing.md): they parent each signal's, update's and
   * run's handling on the trace the gateway put in the Temporal header. `runWorker` adds them itself
   * only when it bundles from sources. Off by default: they export through a sink only a tracing
   * worker registers, so a bundle with them belongs to workers that trace.
   * @default false
   */
  readonly tracing?: boolean;
}

/** The interceptor modules with the dedupe module first, unless opted out or already listed. */
export function withDedupe(dedupe: boolean, modules: readonly string[] = []): string[] {
  if (!dedupe) return [...modules];
  const module = dedupeInterceptorModule();
  if (module === undefined) {
    throw new WorkflowBundleError(
      'the dedupe interceptor module is missing beside the worker harness; pass dedupe: false to bundle without it',
    );
  }
  return modules.includes(module) ? [...modules] : [module, ...modules];
}

/**
 * Bundles the workflows with the Temporal SDK's bundler and writes the file; resolves to its path.
 *
 * @example
 * await prebundleWorkflows({ workflowsPath: 'worker/workflows/index.ts', outDir: 'dist/worker' });
 */
export async function prebundleWorkflows(options: PrebundleWorkflowsOptions): Promise<string> {
  const { workflowsPath, outFile, outDir, log, dedupe = true, tracing = false, ...bundleOptions } = options;
  const path = outFile ?? join(outDir ?? '.', WORKFLOW_BUNDLE_FILE);
  const write = log ?? ((line: string) => console.warn(line));
  try {
    const modules = withDedupe(dedupe, bundleOptions.workflowInterceptorModules);
    if (tracing) {
      // Imported here only: the OpenTelemetry SDK stays out of workers that neither trace nor bundle.
      const tracingModule = (await import('./tracing-otel')).openTelemetryWorkflowModule();
      if (!modules.includes(tracingModule)) modules.push(tracingModule);
    }
    const { code } = await bundleWorkflowCode({
      ...bundleOptions,
      workflowInterceptorModules: modules,
      workflowsPath,
      // The bundler's INFO lines are noise in a build log; failures still throw.
      logger: new DefaultLogger('WARN', ({ level, message }) => write(`[bundle] ${level} ${message}`)),
    });
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, code);
  } catch (error) {
    throw new WorkflowBundleError(
      `bundling ${workflowsPath} failed: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  return path;
}
