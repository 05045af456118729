/**
 * Scheduled Lambda (every minute): reads the approximate backlog of the worker's Temporal task queue
 * (DescribeTaskQueue with reportStats, workflow task queue) and publishes it to CloudWatch, where
 * the worker service's autoscaling reads it. It runs outside the worker so the metric exists while
 * no worker task runs.
 */
import { EventGatewayError } from '../../contract/errors';
import type { Logger } from '@aws-lambda-powertools/logger';
import {
  CloudWatchClient,
  PutMetricDataCommand,
  type PutMetricDataCommandInput,
} from '@aws-sdk/client-cloudwatch';
import { withTemporalSecrets, type Env } from '../adapters/secrets';
import { loadTemporalClientProvider } from '../adapters/temporal-connection';
import { TaskQueueKind, TaskQueueType } from '../adapters/temporal-enums';
import type { WireConnection } from '../adapters/temporal-wire/connection';
import type { DescribeTaskQueueRequest, DescribeTaskQueueResponse } from '../adapters/temporal-wire/types';
import { BACKLOG_METRIC_ENV, TEMPORAL_ENV } from '../core/env-names';
import { functionLogger, withLambdaContext } from './lambda-logging';

/** The part of the Temporal connection this function uses: one RPC under a deadline. */
export interface TaskQueueDescriber {
  withDeadline<T>(deadline: number, fn: () => Promise<T>): Promise<T>;
  workflowService: {
    describeTaskQueue(request: DescribeTaskQueueRequest): Promise<DescribeTaskQueueResponse>;
  };
}

/** The part of the CloudWatch client this function uses. */
export interface MetricSender {
  send(command: PutMetricDataCommand): Promise<unknown>;
}

export interface BacklogTarget {
  namespace: string;
  taskQueue: string;
}

export interface BacklogMetric {
  namespace: string;
  metricName: string;
}

export class BacklogMetricConfigError extends EventGatewayError {
  override readonly name = 'BacklogMetricConfigError';
}

export class TaskQueueStatsUnavailableError extends EventGatewayError {
  override readonly name = 'TaskQueueStatsUnavailableError';
}

/** Every Temporal call runs under a deadline; a minute-schedule has no use for a slow answer. */
const DESCRIBE_DEADLINE_MS = 10_000;

/** protobuf int64 fields arrive as Long objects or numbers depending on the value and decoder. */
function toNumber(value: number | { toNumber(): number } | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  return typeof value === 'number' ? value : value.toNumber();
}

/**
 * The workflow task queue's approximate backlog. Throws when the server reports no stats (a server
 * older than 1.25, or stats disabled): publishing 0 instead would scale workers in under load.
 */
export async function readWorkflowBacklog(
  describer: TaskQueueDescriber,
  target: BacklogTarget,
  deadlineMs = DESCRIBE_DEADLINE_MS,
): Promise<number> {
  const response = await describer.withDeadline(Date.now() + deadlineMs, () =>
    describer.workflowService.describeTaskQueue({
      namespace: target.namespace,
      taskQueue: { name: target.taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      reportStats: true,
    }),
  );
  if (!response.stats) {
    throw new TaskQueueStatsUnavailableError(
      `Temporal returned no stats for task queue ${target.taskQueue} in ${target.namespace}; ` +
        'DescribeTaskQueue reportStats needs Temporal server 1.25 or later.',
    );
  }
  return toNumber(response.stats.approximateBacklogCount) ?? 0;
}

/** One data point per run; the scaling alarms read its one-minute maximum. */
export async function publishBacklog(
  sender: MetricSender,
  metric: BacklogMetric,
  backlog: number,
  timestamp = new Date(),
): Promise<void> {
  const input: PutMetricDataCommandInput = {
    Namespace: metric.namespace,
    MetricData: [{ MetricName: metric.metricName, Value: backlog, Unit: 'Count', Timestamp: timestamp }],
  };
  await sender.send(new PutMetricDataCommand(input));
}

/** Reads the metric identity and task queue from the environment, all problems at once. */
export function readBacklogSettings(env: Env): { target: BacklogTarget; metric: BacklogMetric } {
  const missing = [
    BACKLOG_METRIC_ENV.namespace,
    BACKLOG_METRIC_ENV.metricName,
    TEMPORAL_ENV.taskQueue,
  ].filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new BacklogMetricConfigError(`Missing environment variables: ${missing.join(', ')}.`);
  }
  return {
    target: {
      namespace: env[TEMPORAL_ENV.namespace] || 'default',
      taskQueue: env[TEMPORAL_ENV.taskQueue] ?? '',
    },
    metric: {
      namespace: env[BACKLOG_METRIC_ENV.namespace] ?? '',
      metricName: env[BACKLOG_METRIC_ENV.metricName] ?? '',
    },
  };
}

export interface BacklogMetricDeps {
  target: BacklogTarget;
  metric: BacklogMetric;
  describer: () => Promise<TaskQueueDescriber>;
  sender: MetricSender;
  logger: Pick<Logger, 'info' | 'error'>;
}

/** The handler over its dependencies: read the backlog, publish it, report what was published. */
export function createBacklogMetricHandler(deps: BacklogMetricDeps): () => Promise<{ backlog: number }> {
  return async () => {
    const backlog = await readWorkflowBacklog(await deps.describer(), deps.target);
    await publishBacklog(deps.sender, deps.metric, backlog);
    deps.logger.info('published task-queue backlog', { ...deps.target, backlog });
    return { backlog };
  };
}

const logger = functionLogger('event-gateway-backlog-metric');

/** The lean client's connection in the describer's shape (a deadline scope around one call). */
function describerOf(connection: WireConnection): TaskQueueDescriber {
  let deadline = 0;
  return {
    withDeadline: (at, fn) => {
      deadline = at;
      return fn();
    },
    workflowService: {
      describeTaskQueue: (request) => connection.workflowService.describeTaskQueue(request, deadline),
    },
  };
}

/** Built on the first invocation (not at import, so tests can import the pieces) and kept. */
let handlerPromise: Promise<() => Promise<{ backlog: number }>> | undefined;

async function createDefaultHandler(): Promise<() => Promise<{ backlog: number }>> {
  const { target, metric } = readBacklogSettings(process.env);
  const temporalEnv = await withTemporalSecrets(process.env);
  const provider = await loadTemporalClientProvider({ env: temporalEnv });
  return createBacklogMetricHandler({
    target,
    metric,
    describer: async () => describerOf(await provider.get()),
    sender: new CloudWatchClient({}),
    logger,
  });
}

export const handler = withLambdaContext(logger, async (): Promise<{ backlog: number }> => {
  handlerPromise ??= createDefaultHandler().catch((error: unknown) => {
    // A failed cold start (secret not filled in yet) must not stick for the container's lifetime.
    handlerPromise = undefined;
    throw error;
  });
  try {
    return await (
      await handlerPromise
    )();
  } catch (error) {
    logger.error('could not publish the task-queue backlog', { error });
    throw error;
  }
});
