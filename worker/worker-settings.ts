/**
 * The worker's settings from the environment: the Temporal connection as `@temporalio/envconfig`
 * reads it (so Temporal Cloud with an API key or mTLS and self-hosted clusters all work, with the
 * same variables as every Temporal SDK and the CLI), the task queue and the drain time.
 */
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { TEMPORAL_ENV, WORKER_ENV } from '../contract/env-names';
import { EventGatewayError } from '../contract/errors';
import { DEFAULT_TASK_QUEUE } from '../contract/task-queue';

export const DEFAULT_TEMPORAL_ADDRESS = '127.0.0.1:7233';
export const DEFAULT_NAMESPACE = 'default';
export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;

/** Every problem of a worker's configuration, reported together. */
export class WorkerConfigError extends EventGatewayError {
  override readonly name = 'WorkerConfigError';

  constructor(problems: readonly string[], options?: { readonly cause?: unknown }) {
    super(`Invalid worker configuration:\n- ${problems.join('\n- ')}`, { ...options, problems });
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
 *
 * @param defaultTaskQueue - the task queue when `TEMPORAL_TASK_QUEUE` is unset
 */
export function loadWorkerSettings(
  env: NodeJS.ProcessEnv = process.env,
  defaultTaskQueue: string = DEFAULT_TASK_QUEUE,
): WorkerSettings {
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

  const taskQueue = (vars[TEMPORAL_ENV.taskQueue] ?? defaultTaskQueue).trim();
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
