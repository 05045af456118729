import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { BACKLOG_METRIC_ENV } from '../../../functions/core/env-names';
import {
  BacklogMetricPublisher,
  DEFAULT_BACKLOG_METRIC_NAME,
  type BacklogMetricPublisherProps,
} from '../../../infra/index';
import { cloudTemporal } from '../support/stand-ins';
import { functionEnvironment, logicalId, roleStatements } from '../support/template';

function build(props: Partial<BacklogMetricPublisherProps> = {}) {
  const stack = new Stack();
  const temporal = cloudTemporal(stack);
  const publisher = new BacklogMetricPublisher(stack, 'Backlog', {
    temporal,
    metricNamespace: 'EventGateway/orders',
    ...props,
  });
  return { stack, temporal, publisher, template: Template.fromStack(stack) };
}

// The first synth bundles the handlers (esbuild): minutes on a busy machine, not a timing under test.
describe('BacklogMetricPublisher', { timeout: 600_000 }, () => {
  it('runs the backlog-metric handler every minute, without retries of a stale measurement', () => {
    const { stack, publisher, template } = build();
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::Lambda::Function', { MemorySize: 256, Timeout: 30 });
    template.resourceCountIs('AWS::Events::Rule', 1);
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [logicalId(stack, publisher.function.function), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
        }),
      ],
    });
    expect(functionEnvironment(template, logicalId(stack, publisher.function.function))).toEqual(
      expect.objectContaining({
        [BACKLOG_METRIC_ENV.namespace]: 'EventGateway/orders',
        [BACKLOG_METRIC_ENV.metricName]: DEFAULT_BACKLOG_METRIC_NAME,
      }),
    );
    expect(stack.resolve(publisher.metric.toMetricConfig().metricStat)).toEqual(
      expect.objectContaining({
        namespace: 'EventGateway/orders',
        metricName: DEFAULT_BACKLOG_METRIC_NAME,
        statistic: 'Maximum',
      }),
    );
  });

  it("may put metrics into its own namespace only, and read Temporal's credentials", () => {
    const { stack, temporal, publisher, template } = build();
    expect(roleStatements(template, logicalId(stack, publisher.function.role))).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Action: 'cloudwatch:PutMetricData',
          Resource: '*',
          Condition: { StringEquals: { 'cloudwatch:namespace': 'EventGateway/orders' } },
        }),
        expect.objectContaining({
          Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
          Resource: { Ref: logicalId(stack, temporal.apiKeySecret!) },
        }),
      ]),
    );
  });

  it('takes its metric name and interval', () => {
    const { stack, publisher, template } = build({ metricName: 'Backlog', interval: Duration.minutes(5) });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
    expect(functionEnvironment(template, logicalId(stack, publisher.function.function))).toEqual(
      expect.objectContaining({ [BACKLOG_METRIC_ENV.metricName]: 'Backlog' }),
    );
    expect(publisher.metric.metricName).toBe('Backlog');
    expect(publisher.metric.period.toMinutes()).toBe(5);
  });
});
