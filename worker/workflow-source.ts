/**
 * Where a worker's workflow code comes from: a prebundle (production: no webpack at start-up, so a
 * container polls within a second and runs exactly the code that was tested) or the sources, bundled
 * by the SDK when the worker starts (development).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { WORKER_ENV } from '../contract/env-names';
import { WorkerConfigError } from './worker-settings';

/** File name of a prebundled workflow file that {@link locateWorkflows} looks for beside the entry. */
export const WORKFLOW_BUNDLE_FILE = 'workflow-bundle.js';

export type WorkflowSource =
  { kind: 'bundle'; path: string } | { kind: 'code'; code: string } | { kind: 'workflowsPath'; path: string };

/** The workflow options of `runWorker`: the SDK's own names. */
export interface WorkflowCodeOptions {
  /** The workflows module (sources), bundled when the worker starts: development only. */
  readonly workflowsPath?: string;
  /** Prebundled workflow code, e.g. written by `prebundleWorkflows`. Wins over `workflowsPath`. */
  readonly workflowBundle?: { readonly codePath: string } | { readonly code: string };
}

/**
 * The prebundle beside the calling module when a build wrote one, else the workflow sources. A
 * worker entry passes its own `import.meta.url`, so the same file runs from sources (tsx) and built.
 *
 * @example
 * await runWorker({ ...locateWorkflows(import.meta.url, './workflows/index.ts'), activities });
 */
export function locateWorkflows(moduleUrl: string | URL, sourcesPath: string): WorkflowCodeOptions {
  const bundle = fileURLToPath(new URL(`./${WORKFLOW_BUNDLE_FILE}`, moduleUrl));
  if (existsSync(bundle)) return { workflowBundle: { codePath: bundle } };
  return { workflowsPath: fileURLToPath(new URL(sourcesPath, moduleUrl)) };
}

/**
 * Picks the workflow code: `WORKER_WORKFLOW_BUNDLE` (an operator's override), else the prebundle,
 * else the sources. A configured file that is missing is an error rather than a silent fallback.
 */
export function resolveWorkflowSource(
  options: WorkflowCodeOptions,
  explicitBundlePath?: string,
): WorkflowSource {
  if (explicitBundlePath !== undefined) {
    if (!existsSync(explicitBundlePath)) {
      throw new WorkerConfigError([
        `${WORKER_ENV.workflowBundlePath} points to ${explicitBundlePath}, which does not exist`,
      ]);
    }
    return { kind: 'bundle', path: explicitBundlePath };
  }
  const bundle = options.workflowBundle;
  if (bundle && 'code' in bundle) return { kind: 'code', code: bundle.code };
  if (bundle) {
    if (!existsSync(bundle.codePath)) {
      throw new WorkerConfigError([`workflowBundle ${bundle.codePath} does not exist (run the build)`]);
    }
    return { kind: 'bundle', path: bundle.codePath };
  }
  if (options.workflowsPath !== undefined) {
    if (!existsSync(options.workflowsPath)) {
      throw new WorkerConfigError([
        `No workflow code: ${options.workflowsPath} does not exist and no prebundle was found; ` +
          `run the build or set ${WORKER_ENV.workflowBundlePath} to a prebundled file`,
      ]);
    }
    return { kind: 'workflowsPath', path: options.workflowsPath };
  }
  throw new WorkerConfigError([
    `No workflow code: pass workflowsPath or workflowBundle, or set ${WORKER_ENV.workflowBundlePath}`,
  ]);
}

export function describeWorkflowSource(source: WorkflowSource): string {
  switch (source.kind) {
    case 'bundle':
      return `prebundled workflows ${source.path}`;
    case 'code':
      return 'prebundled workflows (in memory)';
    case 'workflowsPath':
      return `workflow sources ${source.path} (bundled at start: dev only)`;
  }
}
