import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../../infra/index';
import { logicalId } from '../support/template';

describe('EventQueue', () => {
  it('creates an encrypted queue redriving to its DLQ after 5 deliveries, with the documented defaults', () => {
    const stack = new Stack();
    const events = new EventQueue(stack, 'Events');
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SQS::Queue', 2);
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 360,
      MessageRetentionPeriod: Duration.days(4).toSeconds(),
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(stack, events.deadLetterQueue), 'Arn'] },
        maxReceiveCount: 5,
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: Duration.days(14).toSeconds(),
      RedrivePolicy: Match.absent(),
    });
    template.hasResource('AWS::SQS::Queue', { DeletionPolicy: 'Delete' });
    // No grants of its own: producers and consumers get theirs from whoever wires them.
    template.resourceCountIs('AWS::IAM::Policy', 0);
    expect(events.fifo).toBe(false);
  });

  it('refuses plain-HTTP access to both queues', () => {
    const stack = new Stack();
    new EventQueue(stack, 'Events');
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SQS::QueuePolicy', 2);
    template.allResourcesProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('names a FIFO pair with .fifo and -dlq.fifo, per-message-group throughput, no content deduplication', () => {
    const stack = new Stack();
    const events = new EventQueue(stack, 'Events', {
      fifo: true,
      queueName: 'orders-events',
      maxReceiveCount: 3,
      visibilityTimeout: Duration.minutes(10),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'orders-events.fifo',
      FifoQueue: true,
      ContentBasedDeduplication: false,
      DeduplicationScope: 'messageGroup',
      FifoThroughputLimit: 'perMessageGroupId',
      VisibilityTimeout: 600,
      RedrivePolicy: Match.objectLike({ maxReceiveCount: 3 }),
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'orders-events-dlq.fifo',
      FifoQueue: true,
    });
    template.hasResource('AWS::SQS::Queue', { DeletionPolicy: 'Retain' });
    expect(events.fifo).toBe(true);
  });
});
