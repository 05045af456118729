/**
 * Builds the worker for production (`npm run build`, or `tsx scripts/build.ts [--outdir <dir>]`):
 *
 * - `<outdir>/worker/workflow-bundle.js`: the workflows prebundled by the SDK, so the container does
 *   not run webpack at start-up (seconds of CPU on a small Fargate task) and cannot bundle differently
 *   from what was tested;
 * - `<outdir>/worker/main.js`: worker/main.ts and our own modules bundled by esbuild. Every package
 *   stays external: @temporalio/core-bridge is a native addon and the image ships node_modules anyway.
 *
 * main.js finds the workflow bundle next to itself. outdir defaults to `dist` at the repo root; it must
 * stay inside the repo so Node resolves the external packages from its node_modules.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DefaultLogger, bundleWorkflowCode } from '@temporalio/worker';
import { build } from 'esbuild';
import { WORKFLOW_BUNDLE_FILE } from '../worker/main';
import { isProcessEntry } from './process-entry';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

export class BuildError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'BuildError';
  }
}

export interface BuildWorkerOptions {
  /** @default `dist` at the repo root */
  outDir?: string;
  log?: (line: string) => void;
}

export interface BuildWorkerResult {
  mainPath: string;
  workflowBundlePath: string;
}

export async function buildWorker(options: BuildWorkerOptions = {}): Promise<BuildWorkerResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const workerDir = join(resolve(options.outDir ?? join(repoRoot, 'dist')), 'worker');
  const mainPath = join(workerDir, 'main.js');
  const workflowBundlePath = join(workerDir, WORKFLOW_BUNDLE_FILE);
  await mkdir(workerDir, { recursive: true });

  const started = Date.now();
  try {
    const [{ code }] = await Promise.all([
      bundleWorkflowCode({
        workflowsPath: join(repoRoot, 'worker', 'workflows', 'index.ts'),
        // The bundler's INFO lines are noise in a build log; failures still throw.
        logger: new DefaultLogger('WARN', ({ level, message }) => log(`[bundle] ${level} ${message}`)),
      }),
      build({
        entryPoints: [join(repoRoot, 'worker', 'main.ts')],
        outfile: mainPath,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        packages: 'external',
        sourcemap: 'linked',
        logLevel: 'warning',
      }),
    ]);
    await writeFile(workflowBundlePath, code);
  } catch (error) {
    throw new BuildError(`worker build failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  log(`built ${mainPath} and ${workflowBundlePath} in ${Date.now() - started} ms`);
  return { mainPath, workflowBundlePath };
}

if (isProcessEntry(import.meta.url)) {
  const { values } = parseArgs({ options: { outdir: { type: 'string' } } });
  buildWorker({ ...(values.outdir ? { outDir: values.outdir } : {}) }).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
