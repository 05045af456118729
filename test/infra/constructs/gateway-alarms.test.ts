import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { EventQueue, GatewayAlarms, type GatewayAlarmsProps } from '../../../infra/index';
import { logicalId } from '../support/template';
import { inlineFunction } from '../support/stand-ins';

function build(props: Partial<GatewayAlarmsProps> = {}) {
  const stack = new Stack();
  const events = new EventQueue(stack, 'Events');
  const fn = inlineFunction(stack);
  const alarms = new GatewayAlarms(stack, 'Alarms', {
    queues: [events.queue],
    deadLetterQueues: [events.deadLetterQueue],
    functions: [fn],
    ...props,
  });
  return { stack, events, fn, alarms, template: Template.fromStack(stack) };
}

describe('GatewayAlarms', () => {
  it('alarms on DLQ depth, oldest message age (5 min), function errors and throttles; quiet without data', () => {
    const { stack, events, alarms, template } = build();
    template.resourceCountIs('AWS::CloudWatch::Alarm', 4);
    expect(alarms.alarms).toHaveLength(4);
    template.allResourcesProperties('AWS::CloudWatch::Alarm', {
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [logicalId(stack, events.deadLetterQueue), 'QueueName'] },
        },
      ],
      Threshold: 1,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateAgeOfOldestMessage',
      Threshold: 300,
      EvaluationPeriods: 3,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Errors', DatapointsToAlarm: 2 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Throttles',
      DatapointsToAlarm: 2,
    });
    // Without a topic the alarms only show on the dashboard.
    template.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: Match.absent() });
  });

  it('notifies a topic on alarm and on OK, takes its age threshold and alarms on unverified envelopes', () => {
    const stack = new Stack();
    const topic = new sns.Topic(stack, 'Topic');
    const events = new EventQueue(stack, 'Events');
    new GatewayAlarms(stack, 'Alarms', {
      queues: [events.queue],
      deadLetterQueues: [events.deadLetterQueue],
      functions: [],
      alarmTopic: topic,
      oldestMessageAgeThreshold: Duration.minutes(15),
      unverifiedEnvelopes: new cloudwatch.Metric({
        namespace: 'EventGateway',
        metricName: 'UnverifiedEnvelope',
      }),
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 3);
    const topicRef = { Ref: logicalId(stack, topic) };
    template.allResourcesProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: [topicRef],
      OKActions: [topicRef],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateAgeOfOldestMessage',
      Threshold: 900,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'UnverifiedEnvelope',
      Threshold: 1,
    });
  });
});
