import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { describe, expect, it } from 'vitest';
import { EventQueue, GatewayDashboard } from '../../../infra/index';
import { resourcesOfType } from '../support/template';
import { inlineFunction } from '../support/stand-ins';

/** The dashboard body as CloudWatch receives it, with the tokens left as they are. */
function dashboardBody(template: Template): string {
  const dashboards = resourcesOfType(template, 'AWS::CloudWatch::Dashboard');
  expect(dashboards).toHaveLength(1);
  return JSON.stringify(dashboards[0]?.[1].Properties?.DashboardBody);
}

describe('GatewayDashboard', () => {
  it('is one dashboard over 3 hours, empty of rows it was given nothing for', () => {
    const stack = new Stack();
    new GatewayDashboard(stack, 'Dashboard', {});
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: Match.absent() });
    const body = dashboardBody(template);
    expect(body).toContain('-PT3H');
    expect(body).not.toContain('API requests');
    expect(body).not.toContain('backlog');
  });

  it('shows the alarms, the API, each function and queue by its label, and the backlog', () => {
    const stack = new Stack();
    const events = new EventQueue(stack, 'Events');
    const fn = inlineFunction(stack);
    const alarm = new cloudwatch.Alarm(stack, 'Alarm', {
      metric: fn.metricErrors(),
      threshold: 1,
      evaluationPeriods: 1,
    });
    new GatewayDashboard(stack, 'Dashboard', {
      dashboardName: 'orders',
      httpApi: new apigwv2.HttpApi(stack, 'Api'),
      functions: [{ label: 'HttpIngest', function: fn }],
      queues: [{ label: 'Standard', queue: events.queue, deadLetterQueue: events.deadLetterQueue }],
      backlogMetric: new cloudwatch.Metric({
        namespace: 'EventGateway',
        metricName: 'TemporalTaskQueueBacklog',
      }),
      alarms: [alarm],
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'orders' });
    const body = dashboardBody(template);
    for (const title of [
      'Alarms',
      'API requests',
      'API latency',
      'HttpIngest: invocations',
      'HttpIngest: duration',
      'Standard: depth',
      'Standard: oldest message (s)',
      'Temporal task-queue backlog (worker scaling input)',
    ]) {
      expect(body).toContain(title);
    }
    expect(body).toContain('TemporalTaskQueueBacklog');
  });
});

describe('GatewayDashboard webhook latency', () => {
  it('graphs the end-to-end latency p50 and p99 of every source by a search over the webhook metrics', () => {
    const stack = new Stack();
    new GatewayDashboard(stack, 'Dashboard', { webhookLatency: true });
    const body = dashboardBody(Template.fromStack(stack));
    expect(body).toContain('Webhooks: end-to-end latency (received → signal accepted by Temporal), ms');
    for (const statistic of ['p50', 'p99']) {
      expect(body).toContain(
        `SEARCH('{TemporalEventGateway,service,source} service=\\\\\\"event-gateway-http\\\\\\" MetricName=\\\\\\"WebhookEndToEndLatency\\\\\\"', '${statistic}', 60)`,
      );
    }
  });

  it('has no latency row unless asked', () => {
    const stack = new Stack();
    new GatewayDashboard(stack, 'Dashboard', {});
    expect(dashboardBody(Template.fromStack(stack))).not.toContain('WebhookEndToEndLatency');
  });
});
