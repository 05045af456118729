/**
 * The Temporal worker process: connects with the standard Temporal env vars (so Temporal Cloud with
 * an API key or mTLS and self-hosted clusters all work), polls one task queue, and drains on SIGTERM.
 *
 * `createStagedWorker` is what tests and the local dev stack call in-process; the process entry at
 * the bottom only runs when this file (or its bundle, dist/worker/main.js) is executed directly.
 */
import { existsSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import {
  NativeConnection,
  Runtime,
  Worker,
  type Logger,
  type NativeConnectionOptions,
  type WorkerOptions,
} from '@temporalio/worker';
import { TEMPORAL_ENV, WORKER_ENV } from '../functions/core/env-names';
import { createActivities, type ActivityDeps } from './activities';
import { DEFAULT_TASK_QUEUE } from './contract';

export const DEFAULT_TEMPORAL_ADDRESS = '127.0.0.1:7233';
export const DEFAULT_NAMESPACE = 'default';
export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;
/** After the grace time the SDK cancels activities; this much later the process gives up and exits
 * (before ECS, whose stopTimeout the stack sets a few seconds above the grace time, sends SIGKILL). */
export const FORCE_EXIT_MARGIN_MS = 3_000;
/** File name of the prebundled workflow code, written by scripts/build.ts next to the built main.js. */
export const WORKFLOW_BUNDLE_FILE = 'workflow-bundle.js';

export class WorkerConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[], options?: ErrorOptions) {
    super(`Invalid worker configuration:\n- ${problems.join('\n- ')}`, options);
    this.name = 'WorkerConfigError';
    this.problems = problems;
  }
}

export interface WorkerSettings {
  namespace: string;
  taskQueue: string;
  shutdownGraceMs: number;
  /** Address, TLS, API key and gRPC metadata as `@temporalio/envconfig` resolved them. */
  connectionOptions: NativeConnectionOptions & { address: string };
  /** Set only when `WORKER_WORKFLOW_BUNDLE` names a bundle explicitly. */
  workflowBundlePath?: string;
}

/**
 * Reads the worker's settings once and reports every problem together. Empty variables count as
 * unset: deploy tooling often renders an absent value as "" and an empty API key would switch TLS on.
 */
export function loadWorkerSettings(env: NodeJS.ProcessEnv = process.env): WorkerSettings {
  const vars: Record<string, string> = {};
  for (const [name, value] of Object.entries(env))
    if (value !== undefined && value !== '') vars[name] = value;

  const problems: string[] = [];
  const causes: unknown[] = [];

  let connect: ReturnType<typeof loadClientConnectConfig> | undefined;
  try {
    // Also honours TEMPORAL_CONFIG_FILE / TEMPORAL_PROFILE, like the CLI and the other SDKs.
    connect = loadClientConnectConfig({ overrideEnvVars: vars });
  } catch (error) {
    problems.push(
      `Temporal connection settings (${TEMPORAL_ENV.address}, ${TEMPORAL_ENV.apiKey}, TEMPORAL_TLS_*): ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
    causes.push(error);
  }

  const graceText = vars[WORKER_ENV.shutdownGraceMs];
  const shutdownGraceMs = graceText === undefined ? DEFAULT_SHUTDOWN_GRACE_MS : Number(graceText);
  if (!Number.isSafeInteger(shutdownGraceMs) || shutdownGraceMs < 0) {
    problems.push(`${WORKER_ENV.shutdownGraceMs} must be a non-negative integer (ms), got "${graceText}"`);
  }

  const taskQueue = (vars[TEMPORAL_ENV.taskQueue] ?? DEFAULT_TASK_QUEUE).trim();
  if (taskQueue === '') problems.push(`${TEMPORAL_ENV.taskQueue} must not be blank`);

  if (problems.length > 0 || connect === undefined) {
    throw new WorkerConfigError(problems, causes.length > 0 ? { cause: causes[0] } : undefined);
  }
  const bundlePath = vars[WORKER_ENV.workflowBundlePath];
  return {
    namespace: connect.namespace ?? DEFAULT_NAMESPACE,
    taskQueue,
    shutdownGraceMs,
    connectionOptions: {
      ...connect.connectionOptions,
      address: connect.connectionOptions.address ?? DEFAULT_TEMPORAL_ADDRESS,
    },
    ...(bundlePath ? { workflowBundlePath: bundlePath } : {}),
  };
}

export type WorkflowSource =
  { kind: 'bundle'; path: string } | { kind: 'code'; code: string } | { kind: 'workflowsPath'; path: string };

/**
 * Prebundled code when it exists (production: no webpack at start-up, so the container is polling
 * within a second), else the TypeScript sources (dev, via tsx). An explicitly configured bundle that
 * is missing is an error rather than a silent fallback.
 */
export function resolveWorkflowSource(
  explicitBundlePath?: string,
  baseUrl: string | URL = import.meta.url,
): WorkflowSource {
  if (explicitBundlePath !== undefined) {
    if (!existsSync(explicitBundlePath)) {
      throw new WorkerConfigError([
        `${WORKER_ENV.workflowBundlePath} points to ${explicitBundlePath}, which does not exist`,
      ]);
    }
    return { kind: 'bundle', path: explicitBundlePath };
  }
  const besideMain = fileURLToPath(new URL(`./${WORKFLOW_BUNDLE_FILE}`, baseUrl));
  if (existsSync(besideMain)) return { kind: 'bundle', path: besideMain };
  const sources = fileURLToPath(new URL('./workflows/index.ts', baseUrl));
  if (existsSync(sources)) return { kind: 'workflowsPath', path: sources };
  throw new WorkerConfigError([
    `No workflow code: neither ${besideMain} (run \`npm run build\`) nor ${sources} exists; ` +
      `set ${WORKER_ENV.workflowBundlePath} to a prebundled file`,
  ]);
}

function describeSource(source: WorkflowSource): string {
  switch (source.kind) {
    case 'bundle':
      return `prebundled workflows ${source.path}`;
    case 'code':
      return 'prebundled workflows (in memory)';
    case 'workflowsPath':
      return `workflow sources ${source.path} (bundled at start: dev only)`;
  }
}

type PassThroughWorkerOptions = Omit<
  WorkerOptions,
  | 'connection'
  | 'namespace'
  | 'taskQueue'
  | 'activities'
  | 'workflowsPath'
  | 'workflowBundle'
  | 'shutdownGraceTime'
>;

export interface StagedWorkerOptions {
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
  /**
   * An existing connection (tests, the dev stack). The caller owns it: it is not closed on shutdown.
   * @default a NativeConnection from the env's Temporal settings, closed when the worker stops
   */
  connection?: NativeConnection;
  /** @default TEMPORAL_NAMESPACE, else `default` */
  namespace?: string;
  /** @default TEMPORAL_TASK_QUEUE, else DEFAULT_TASK_QUEUE */
  taskQueue?: string;
  /** @default WORKER_SHUTDOWN_GRACE_MS, else 10000 */
  shutdownGraceMs?: number;
  /** @default resolveWorkflowSource(WORKER_WORKFLOW_BUNDLE) */
  workflowSource?: WorkflowSource;
  /** Dependencies of the demo activities (logger, hooks). */
  activities?: ActivityDeps;
  /** @default the SDK runtime's logger */
  logger?: Logger;
  /** Any other Worker.create option, for tuning and tests. */
  workerOptions?: PassThroughWorkerOptions;
}

export interface StagedWorker {
  readonly worker: Worker;
  readonly namespace: string;
  readonly taskQueue: string;
  readonly shutdownGraceMs: number;
  readonly workflowSource: WorkflowSource;
  /**
   * Polls until shutdown, then closes the connection it opened. Logs `worker polling task queue=<q>`
   * as the first poll goes out.
   */
  run(): Promise<void>;
  /** Starts a graceful drain; safe to call more than once or before `run`. */
  shutdown(): void;
}

function msSinceProcessStart(): number {
  return Math.round(process.uptime() * 1000);
}

/**
 * The SDK has no first-poll hook, but it flags an outstanding poll the moment it asks Core for a task;
 * watching that flag puts the "polling" line within a millisecond of the real first poll.
 */
function logWhenPolling(worker: Worker, done: Promise<unknown>, onPolling: () => void): void {
  let finished = false;
  const check = (): boolean => {
    const status = worker.getStatus();
    if (status.hasOutstandingWorkflowPoll || status.hasOutstandingActivityPoll) {
      onPolling();
      return true;
    }
    return finished || status.runState !== 'RUNNING';
  };
  if (check()) return;
  const timer = setInterval(() => {
    if (check()) clearInterval(timer);
  }, 1);
  timer.unref();
  void done.finally(() => {
    finished = true;
    clearInterval(timer);
  });
}

export async function createStagedWorker(options: StagedWorkerOptions = {}): Promise<StagedWorker> {
  const logger = options.logger ?? Runtime.instance().logger;
  const settings = loadWorkerSettings(options.env ?? process.env);
  const namespace = options.namespace ?? settings.namespace;
  const taskQueue = options.taskQueue ?? settings.taskQueue;
  const shutdownGraceMs = options.shutdownGraceMs ?? settings.shutdownGraceMs;
  const workflowSource = options.workflowSource ?? resolveWorkflowSource(settings.workflowBundlePath);

  const ownsConnection = options.connection === undefined;
  let connection = options.connection;
  if (!connection) {
    const { connectionOptions } = settings;
    logger.info(`worker connecting to ${connectionOptions.address}`, {
      namespace,
      tls: Boolean(connectionOptions.tls),
      apiKey: connectionOptions.apiKey !== undefined,
    });
    connection = await NativeConnection.connect(connectionOptions);
  }

  let worker: Worker;
  try {
    worker = await Worker.create({
      ...options.workerOptions,
      connection,
      namespace,
      taskQueue,
      activities: createActivities(options.activities),
      shutdownGraceTime: shutdownGraceMs,
      ...(workflowSource.kind === 'workflowsPath'
        ? { workflowsPath: workflowSource.path }
        : {
            workflowBundle:
              workflowSource.kind === 'bundle'
                ? { codePath: workflowSource.path }
                : { code: workflowSource.code },
          }),
    });
  } catch (error) {
    if (ownsConnection) await connection.close();
    throw error;
  }
  logger.info(`worker using ${describeSource(workflowSource)}`, { taskQueue });

  let stopRequested = false;
  const shutdown = (): void => {
    stopRequested = true;
    if (worker.getState() === 'RUNNING') worker.shutdown();
  };

  const run = async (): Promise<void> => {
    try {
      if (stopRequested) return;
      const running = worker.run();
      logWhenPolling(worker, running, () => {
        logger.info(`worker polling task queue=${taskQueue}`, {
          namespace,
          msSinceProcessStart: msSinceProcessStart(),
        });
      });
      await running;
      logger.info(`worker stopped task queue=${taskQueue}`);
    } finally {
      if (ownsConnection) await connection.close();
    }
  };

  return { worker, namespace, taskQueue, shutdownGraceMs, workflowSource, run, shutdown };
}

/**
 * The process: create, run, drain on SIGTERM/SIGINT, exit. Returns the exit code rather than calling
 * process.exit so the caller decides; the SDK runtime also listens for these signals, which is harmless.
 */
export async function runWorker(options: StagedWorkerOptions = {}): Promise<number> {
  const logger = options.logger ?? Runtime.instance().logger;
  let staged: StagedWorker | undefined;
  let stopSignal: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopSignal) return;
    stopSignal = signal;
    const grace = staged?.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
    logger.info(`worker received ${signal}: draining for up to ${grace} ms`);
    // Activities that ignore cancellation could hold the drain open forever; ECS would SIGKILL anyway.
    setTimeout(() => {
      logger.error(`worker did not stop within ${grace + FORCE_EXIT_MARGIN_MS} ms of ${signal}: exiting`);
      process.exit(1);
    }, grace + FORCE_EXIT_MARGIN_MS).unref();
    staged?.shutdown();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    staged = await createStagedWorker({ ...options, logger });
    if (stopSignal) staged.shutdown();
    await staged.run();
    return 0;
  } catch (error) {
    logger.error(error instanceof WorkerConfigError ? error.message : 'worker failed', { error });
    return 1;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}

function isProcessEntry(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isProcessEntry()) {
  // Explicit exit: a lingering handle (e.g. a telemetry exporter) must not keep a stopped task alive.
  void runWorker().then((code) => process.exit(code));
}
