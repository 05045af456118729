import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { GATEWAY_ENV } from '../../../functions/core/env-names';
import { EventQueue, QueueConsumer } from '../../../infra/index';
import { functionEnvironment, logicalId, ref, roleStatements } from '../support/template';
import { inlineFunction } from '../support/stand-ins';

function consumerOf(
  fifo: boolean,
  props: { batchSize?: number; maxConcurrency?: number; window?: Duration } = {},
) {
  const stack = new Stack();
  const events = new EventQueue(stack, 'Events', { fifo });
  const fn = inlineFunction(stack);
  new QueueConsumer(stack, 'Consumer', {
    function: fn,
    queue: events.queue,
    deadLetterQueue: events.deadLetterQueue,
    batchSize: props.batchSize,
    maxConcurrency: props.maxConcurrency,
    maxBatchingWindow: props.window,
  });
  return { stack, events, fn, template: Template.fromStack(stack) };
}

describe('QueueConsumer', () => {
  it('maps the queue to the function with partial batch failures, 10 records, 1 s window, 10 concurrent', () => {
    const { stack, events, template } = consumerOf(false);
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [logicalId(stack, events.queue), 'Arn'] },
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 1,
      ScalingConfig: { MaximumConcurrency: 10 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('tells the function its queue and DLQ, and lets it receive from the queue and send to the DLQ', () => {
    const { stack, events, fn, template } = consumerOf(false);
    const queueId = logicalId(stack, events.queue);
    const dlqId = logicalId(stack, events.deadLetterQueue);
    const env = functionEnvironment(template, logicalId(stack, fn));
    expect(env[GATEWAY_ENV.queueUrl]).toEqual(ref(queueId));
    expect(env[GATEWAY_ENV.dlqUrl]).toEqual(ref(dlqId));
    const roleId = logicalId(stack, fn.role!);
    expect(roleStatements(template, roleId)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Action: expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage']) as unknown,
          Resource: { 'Fn::GetAtt': [queueId, 'Arn'] },
        }),
        expect.objectContaining({
          Action: expect.arrayContaining(['sqs:SendMessage']) as unknown,
          Resource: { 'Fn::GetAtt': [dlqId, 'Arn'] },
        }),
      ]),
    );
  });

  it('takes its batch size, concurrency and window, and leaves the window off a FIFO queue', () => {
    consumerOf(false, {
      batchSize: 5,
      maxConcurrency: 2,
      window: Duration.seconds(3),
    }).template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 5,
      MaximumBatchingWindowInSeconds: 3,
      ScalingConfig: { MaximumConcurrency: 2 },
    });
    consumerOf(true, { window: Duration.seconds(3) }).template.hasResourceProperties(
      'AWS::Lambda::EventSourceMapping',
      { MaximumBatchingWindowInSeconds: Match.absent() },
    );
  });
});
