/**
 * The worker harness: `runWorker` is a whole worker process in one call — connect with the standard
 * Temporal env vars, poll one task queue with the given workflows and activities, drain on SIGTERM,
 * exit with a code — so a team's worker entry is a few lines. `createWorker` is the same worker
 * without the process handling, for tests and in-process stacks.
 */
import { NativeConnection, Runtime, Worker, type Logger, type WorkerOptions } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import { DEFAULT_TASK_QUEUE } from '../contract/task-queue';
import { loadWorkerSettings, WorkerConfigError, DEFAULT_SHUTDOWN_GRACE_MS } from './worker-settings';
import {
  describeWorkflowSource,
  resolveWorkflowSource,
  type WorkflowCodeOptions,
  type WorkflowSource,
} from './workflow-source';
import { createCallbackActivities } from './callbacks/activities';
import { bundleHasDedupe } from './dedupe-module';
import { withDedupe } from './bundle-workflows';
import { callbackMinterFromEnv, type CallbackMinter } from './callbacks/minter';
import { logWhenPolling, msSinceProcessStart } from './first-poll';
import { workerDataConverter, type WorkerPayloadOptions } from './payload-converter';
import { workerTracing, type WorkerTracingOptions } from './tracing';

/** After the grace time the SDK cancels activities; this much later the process gives up and exits
 * (before ECS, whose stopTimeout the worker service sets a few seconds above the grace time, sends SIGKILL). */
export const FORCE_EXIT_MARGIN_MS = 3_000;

/** Any other `Worker.create` option, for tuning and tests. */
export type PassThroughWorkerOptions = Omit<
  WorkerOptions,
  | 'connection'
  | 'namespace'
  | 'taskQueue'
  | 'activities'
  | 'workflowsPath'
  | 'workflowBundle'
  | 'shutdownGraceTime'
>;

export interface GatewayWorkerOptions
  extends WorkflowCodeOptions, WorkerPayloadOptions, WorkerTracingOptions {
  /** The activity implementations, by name. @default - none (a workflow-only worker) */
  readonly activities?: WorkerOptions['activities'];
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * An existing connection (tests, an in-process stack). The caller owns it: it is not closed on shutdown.
   * @default - a NativeConnection from the env's Temporal settings, closed when the worker stops
   */
  readonly connection?: NativeConnection;
  /** @default TEMPORAL_NAMESPACE, else `default` */
  readonly namespace?: string;
  /**
   * The task queue when `TEMPORAL_TASK_QUEUE` is unset; the deployed worker service always sets it.
   * @default 'event-gateway'
   */
  readonly defaultTaskQueue?: string;
  /** Overrides `TEMPORAL_TASK_QUEUE`. @default TEMPORAL_TASK_QUEUE, else defaultTaskQueue */
  readonly taskQueue?: string;
  /** @default WORKER_SHUTDOWN_GRACE_MS, else 10000 */
  readonly shutdownGraceMs?: number;
  /** @default the SDK runtime's logger */
  readonly logger?: Logger;
  /** Any other Worker.create option, for tuning and tests. */
  readonly workerOptions?: PassThroughWorkerOptions;
  /**
   * Mints callback URLs for the `mintCallbackUrl` activity (`callbackUrl()` in workflow code), which
   * is registered beside `activities` whenever a minter is available. `false` registers none.
   * @default - from CALLBACK_BASE_URL and CALLBACK_SIGNING_KEYS when both are set
   */
  readonly callbacks?: CallbackMinter | false;
  /**
   * Register the dedupe workflow interceptor (skips a signal or update whose event id the workflow
   * already applied; see docs/dedupe.md). From sources it is added to the bundle; a prebundle must
   * contain it already (`prebundleWorkflows` adds it) — a warning says when one does not. `false`
   * opts out.
   * @default true
   */
  readonly dedupe?: boolean;
}

export interface GatewayWorker {
  readonly worker: Worker;
  readonly namespace: string;
  readonly taskQueue: string;
  readonly shutdownGraceMs: number;
  readonly workflowSource: WorkflowSource;
  /** The data converter the worker uses: give it to any Client the worker's process creates. */
  readonly dataConverter: DataConverter;
  /**
   * Polls until shutdown, then closes the connection it opened. Logs `worker polling task queue=<q>`
   * as the first poll goes out.
   */
  run(): Promise<void>;
  /** Starts a graceful drain; safe to call more than once or before `run`. */
  shutdown(): void;
}

/**
 * Closes a connection the harness opened. After a failure, a close error is logged, never thrown:
 * it must not mask what actually went wrong. Without one, it is the failure.
 */
async function closeQuietly(connection: NativeConnection, logger: Logger, failure: unknown): Promise<void> {
  try {
    await connection.close();
  } catch (closeError) {
    if (failure === undefined) throw closeError;
    logger.warn('worker: closing the Temporal connection failed after an earlier error', {
      error: closeError,
    });
  }
}

/** Connects and creates the worker; `run()` it. Throws {@link WorkerConfigError} on bad settings. */
export async function createWorker(options: GatewayWorkerOptions): Promise<GatewayWorker> {
  const logger = options.logger ?? Runtime.instance().logger;
  const env = options.env ?? process.env;
  const settings = loadWorkerSettings(env, options.defaultTaskQueue ?? DEFAULT_TASK_QUEUE);
  const { dataConverter, summary } = await workerDataConverter(
    options,
    env,
    options.workerOptions?.dataConverter,
  );
  const namespace = options.namespace ?? settings.namespace;
  const taskQueue = options.taskQueue ?? settings.taskQueue;
  const shutdownGraceMs = options.shutdownGraceMs ?? settings.shutdownGraceMs;
  const workflowSource = resolveWorkflowSource(options, settings.workflowBundlePath);
  const minter = options.callbacks === false ? undefined : (options.callbacks ?? callbackMinterFromEnv(env));
  // The team's own activities win a name clash: they may wrap minting themselves.
  const activities = minter
    ? { ...createCallbackActivities(minter), ...options.activities }
    : options.activities;

  const dedupe = options.dedupe ?? true;
  const interceptors = options.workerOptions?.interceptors;
  // Settled before connecting: a missing module is a configuration problem, not a Temporal one.
  const workflowInterceptors =
    workflowSource.kind === 'workflowsPath'
      ? {
          interceptors: {
            ...interceptors,
            workflowModules: withDedupe(dedupe, interceptors?.workflowModules),
          },
        }
      : {};
  if (dedupe && workflowSource.kind !== 'workflowsPath') {
    const code =
      workflowSource.kind === 'code' ? { code: workflowSource.code } : { path: workflowSource.path };
    if (!bundleHasDedupe(code)) {
      logger.warn(
        'worker: the prebundled workflows lack the dedupe interceptor; build them with prebundleWorkflows ' +
          '(or pass dedupe: false to say this is intended)',
        { taskQueue },
      );
    }
  }

  // With an OTLP endpoint: the OpenTelemetry interceptors and the workflows' span sink (worker/tracing.ts).
  const tracing = await workerTracing(options, env);
  const traced = tracing?.workerOptions(
    { ...options.workerOptions, ...workflowInterceptors },
    workflowSource.kind === 'workflowsPath',
  );

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
      ...workflowInterceptors,
      ...traced,
      connection,
      namespace,
      taskQueue,
      dataConverter,
      ...(activities ? { activities } : {}),
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
    if (ownsConnection) await closeQuietly(connection, logger, error);
    throw error;
  }
  logger.info(`worker using ${describeWorkflowSource(workflowSource)}`, { taskQueue, payloads: summary });

  let stopRequested = false;
  const shutdown = (): void => {
    stopRequested = true;
    if (worker.getState() === 'RUNNING') worker.shutdown();
  };

  const run = async (): Promise<void> => {
    let failure: unknown;
    try {
      // A created worker holds the connection until it has run: a stop that came first still runs
      // it, and shuts it down at once, so the connection can close (no IllegalStateError).
      const running = worker.run();
      if (stopRequested) {
        if (worker.getState() === 'RUNNING') worker.shutdown();
      } else {
        logWhenPolling(worker, running, () => {
          logger.info(`worker polling task queue=${taskQueue}`, {
            namespace,
            msSinceProcessStart: msSinceProcessStart(),
          });
        });
      }
      await running;
      logger.info(`worker stopped task queue=${taskQueue}`);
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      if (ownsConnection) await closeQuietly(connection, logger, failure);
      await tracing?.shutdown().catch((error: unknown) => {
        logger.warn('worker: exporting the last spans failed', { error });
      });
    }
  };

  return { worker, namespace, taskQueue, shutdownGraceMs, workflowSource, dataConverter, run, shutdown };
}

/**
 * A worker process: create, run, drain on SIGTERM/SIGINT (ECS stops tasks with SIGTERM). Resolves
 * to the exit code — 0 after a clean drain, 1 on bad configuration or a failure — rather than
 * calling `process.exit`, so the caller decides; the SDK runtime also listens for these signals,
 * which is harmless.
 *
 * @example
 * // worker/main.ts of a team's app
 * import { locateWorkflows, runWorker } from 'temporal-event-gateway/worker';
 * import * as activities from './activities';
 *
 * const code = await runWorker({ ...locateWorkflows(import.meta.url, './workflows/index.ts'), activities });
 * process.exit(code);
 */
export async function runWorker(options: GatewayWorkerOptions): Promise<number> {
  const logger = options.logger ?? Runtime.instance().logger;
  let started: GatewayWorker | undefined;
  let stopSignal: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopSignal) return;
    stopSignal = signal;
    const grace = started?.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
    logger.info(`worker received ${signal}: draining for up to ${grace} ms`);
    // Activities that ignore cancellation could hold the drain open forever; ECS would SIGKILL anyway.
    setTimeout(() => {
      logger.error(`worker did not stop within ${grace + FORCE_EXIT_MARGIN_MS} ms of ${signal}: exiting`);
      process.exit(1);
    }, grace + FORCE_EXIT_MARGIN_MS).unref();
    started?.shutdown();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    started = await createWorker({ ...options, logger });
    if (stopSignal) started.shutdown();
    await started.run();
    return 0;
  } catch (error) {
    logger.error(error instanceof WorkerConfigError ? error.message : 'worker failed', { error });
    return 1;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}
