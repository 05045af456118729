import { randomUUID } from 'node:crypto';
import type { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKLOG_METRIC_ENV, TEMPORAL_ENV } from '../../../functions/core/env-names';
import {
  BacklogMetricConfigError,
  createBacklogMetricHandler,
  publishBacklog,
  readBacklogSettings,
  readWorkflowBacklog,
  TaskQueueStatsUnavailableError,
  type MetricSender,
  type TaskQueueDescriber,
} from '../../../functions/handlers/backlog-metric';
import { WORKFLOW_TYPES } from '../../../contract';
import { sharedTemporal, stopSharedTemporal } from '../../support/temporal';

const METRIC = { namespace: 'EventGateway/test', metricName: 'TemporalTaskQueueBacklog' };

/** CloudWatch does not run here: record what would be sent. */
function recordingSender(): MetricSender & { sent: PutMetricDataCommand[] } {
  const sent: PutMetricDataCommand[] = [];
  return {
    sent,
    send(command: PutMetricDataCommand) {
      sent.push(command);
      return Promise.resolve({});
    },
  };
}

const silentLogger = { info() {}, error() {} };

/** Polls: the server's backlog statistics trail a new task by a moment. */
async function eventually<T>(
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('backlog metric function', () => {
  let env: TestWorkflowEnvironment;
  const taskQueue = `backlog-${randomUUID()}`;
  const workflowIds = [`staged-backlog-${randomUUID()}`, `staged-backlog-${randomUUID()}`];

  beforeAll(async () => {
    env = await sharedTemporal();
  });

  afterAll(async () => {
    for (const workflowId of workflowIds) {
      await env.client.workflow
        .getHandle(workflowId)
        .terminate('test done')
        .catch(() => undefined);
    }
    await stopSharedTemporal();
  });

  it('reads zero for a task queue nobody has sent work to', async () => {
    const backlog = await readWorkflowBacklog(env.connection, {
      namespace: 'default',
      taskQueue: `empty-${randomUUID()}`,
    });
    expect(backlog).toBe(0);
  });

  it('counts workflow tasks waiting on a task queue no worker polls', async () => {
    for (const workflowId of workflowIds) {
      await env.client.workflow.start(WORKFLOW_TYPES.staged, { taskQueue, workflowId });
    }
    const backlog = await eventually(
      () => readWorkflowBacklog(env.connection, { namespace: 'default', taskQueue }),
      (count) => count >= workflowIds.length,
    );
    expect(backlog).toBe(workflowIds.length);
  });

  it('publishes what it read as one Count data point and returns it', async () => {
    const sender = recordingSender();
    const handler = createBacklogMetricHandler({
      target: { namespace: 'default', taskQueue },
      metric: METRIC,
      describer: () => Promise.resolve(env.connection),
      sender,
      logger: silentLogger,
    });
    const result = await eventually(handler, (r) => r.backlog >= workflowIds.length);
    expect(result).toEqual({ backlog: workflowIds.length });
    expect(sender.sent.at(-1)?.input).toEqual({
      Namespace: METRIC.namespace,
      MetricData: [
        {
          MetricName: METRIC.metricName,
          Value: workflowIds.length,
          Unit: 'Count',
          Timestamp: expect.any(Date) as Date,
        },
      ],
    });
  });

  it('refuses to publish 0 when the server reports no statistics', async () => {
    const oldServer: TaskQueueDescriber = {
      withDeadline: (_deadline, fn) => fn(),
      workflowService: { describeTaskQueue: () => Promise.resolve({}) },
    };
    await expect(readWorkflowBacklog(oldServer, { namespace: 'default', taskQueue })).rejects.toBeInstanceOf(
      TaskQueueStatsUnavailableError,
    );
  });

  it('fails when Temporal is unreachable instead of publishing a guess', async () => {
    const sender = recordingSender();
    const handler = createBacklogMetricHandler({
      target: { namespace: 'default', taskQueue },
      metric: METRIC,
      describer: () => Promise.reject(new Error('connect ECONNREFUSED')),
      sender,
      logger: silentLogger,
    });
    await expect(handler()).rejects.toThrow('ECONNREFUSED');
    expect(sender.sent).toEqual([]);
  });

  it('sends the timestamp it is given', async () => {
    const sender = recordingSender();
    const at = new Date('2030-01-01T00:00:00Z');
    await publishBacklog(sender, METRIC, 7, at);
    expect(sender.sent[0]?.input.MetricData?.[0]).toMatchObject({ Value: 7, Timestamp: at });
  });

  it('reads its settings from the environment and names every missing variable at once', () => {
    expect(
      readBacklogSettings({
        [BACKLOG_METRIC_ENV.namespace]: METRIC.namespace,
        [BACKLOG_METRIC_ENV.metricName]: METRIC.metricName,
        [TEMPORAL_ENV.taskQueue]: 'event-gateway',
      }),
    ).toEqual({ target: { namespace: 'default', taskQueue: 'event-gateway' }, metric: METRIC });
    expect(() => readBacklogSettings({})).toThrow(
      new BacklogMetricConfigError(
        `Missing environment variables: ${BACKLOG_METRIC_ENV.namespace}, ${BACKLOG_METRIC_ENV.metricName}, ${TEMPORAL_ENV.taskQueue}.`,
      ),
    );
  });
});
