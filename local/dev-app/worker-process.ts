/**
 * The team's worker under `event-gateway dev --worker <entry>`: their `runWorker` entry as a child
 * process against the local Temporal, restarted when a file beside it changes (its workflows and
 * activities included, which a module loader's own watch mode would miss: the SDK bundles workflows
 * itself). A worker that crashes waits for the next change instead of taking the stack down.
 */
import { existsSync, statSync, watch, type FSWatcher } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { WORKFLOW_BUNDLE_FILE } from '../../worker/workflow-source';
import { startChild, type Child } from '../child-process';
import { DevSetupError } from './dev-errors';

export interface DevWorkerOptions {
  readonly appDir: string;
  /** The entry as given (relative to the app directory). */
  readonly entry: string;
  readonly env: Record<string, string | undefined>;
  readonly log: (line: string) => void;
}

export interface DevWorker {
  stop(): Promise<void>;
}

/** Changes that are not the team's code: outputs, state, dependencies. */
const IGNORED = /(^|[/\\])(node_modules|cdk\.out|\.event-gateway|\.git)([/\\]|$)/;
const RESTART_DEBOUNCE_MS = 300;

/** `node` arguments that run the entry: TypeScript through the app's own tsx, JavaScript as it is. */
export function workerCommand(appDir: string, entryPath: string): string[] {
  if (!/\.[cm]?ts$/.test(extname(entryPath))) return [entryPath];
  let loader: string;
  try {
    loader = createRequire(join(appDir, 'package.json')).resolve('tsx');
  } catch {
    throw new DevSetupError(
      `--worker ${relative(appDir, entryPath)} is TypeScript, run with your app's tsx, which is not installed: ` +
        'npm install -D tsx (or pass a built .js entry).',
    );
  }
  return ['--import', pathToFileURL(loader).href, entryPath];
}

export function startDevWorker(options: DevWorkerOptions): DevWorker {
  const entryPath = resolve(options.appDir, options.entry);
  if (!existsSync(entryPath) || !statSync(entryPath).isFile()) {
    throw new DevSetupError(`--worker ${options.entry}: no such file in ${options.appDir}.`);
  }
  const args = workerCommand(options.appDir, entryPath);
  const stale = join(dirname(entryPath), WORKFLOW_BUNDLE_FILE);
  if (existsSync(stale)) {
    options.log(
      `[dev] note: ${relative(options.appDir, stale)} exists, so the worker runs those prebundled workflows, ` +
        'not your sources: delete it to have workflow edits picked up.',
    );
  }

  let child: Child | undefined;
  let stopping = false;
  let restarting: Promise<void> | undefined;

  const start = () => {
    const started = startChild('worker', process.execPath, args, options.env);
    child = started;
    void started.exited.then((code) => {
      if (!stopping && child === started)
        options.log(
          `[dev] the worker exited (code ${code}); it restarts when a file in ${relative(options.appDir, dirname(entryPath)) || '.'} changes.`,
        );
    });
  };

  const restart = (file: string) => {
    restarting ??= (async () => {
      options.log(`[dev] ${file} changed: restarting the worker`);
      const previous = child;
      child = undefined;
      await previous?.stop(10_000);
      if (!stopping) start();
    })().finally(() => (restarting = undefined));
  };

  let timer: NodeJS.Timeout | undefined;
  const watcher: FSWatcher = watch(dirname(entryPath), { recursive: true }, (_event, name) => {
    if (!name || IGNORED.test(name) || name.endsWith(WORKFLOW_BUNDLE_FILE)) return;
    clearTimeout(timer);
    timer = setTimeout(
      () => restart(join(relative(options.appDir, dirname(entryPath)), name)),
      RESTART_DEBOUNCE_MS,
    );
  });
  start();

  return {
    async stop() {
      stopping = true;
      clearTimeout(timer);
      watcher.close();
      await restarting;
      await child?.stop(15_000);
    },
  };
}
