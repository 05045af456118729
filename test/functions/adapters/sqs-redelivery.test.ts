/**
 * The busy-workflow redelivery against a real ElasticMQ: the record's queue is found from its ARN
 * and the message is shown again after the given delay, not after the queue's visibility timeout.
 */
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUSY_REDELIVERY_MAX_SECONDS,
  busyRedeliveryDelaySeconds,
  createSqsRedelivery,
} from '../../../functions/adapters/sqs-redelivery';
import { toSqsRecord } from '../../../local/sqs-event';
import { startSqsStack, type SqsStack } from '../../support/sqs-stack';
import { waitFor } from '../../local/support';

let stack: SqsStack;

beforeAll(async () => {
  // A visibility timeout far longer than the test: only the redelivery can bring the message back.
  stack = await startSqsStack({ visibilityTimeoutSeconds: 600 });
});

afterAll(async () => {
  await stack?.stop();
});

describe('busy-workflow redelivery', () => {
  it('grows with each receive, up to its maximum', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 50].map(busyRedeliveryDelaySeconds);
    expect(delays.slice(0, 5)).toEqual([2, 4, 8, 16, 32]);
    expect(delays.slice(5)).toEqual([60, 60, 60]);
    expect(BUSY_REDELIVERY_MAX_SECONDS).toBe(60);
  });

  it('shows the message again after the delay it sets (ChangeMessageVisibility on the record’s queue)', async () => {
    const queue = stack.queues.events;
    await stack.send(queue, { workflowId: 'hot-1', signal: 'advanceStage', payload: { stage: 1 } });
    const receive = () =>
      stack.client.send(
        new ReceiveMessageCommand({
          QueueUrl: queue.url,
          MaxNumberOfMessages: 1,
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ['All'],
        }),
      );
    const first = (await receive()).Messages?.[0];
    expect(first).toBeDefined();
    const record = toSqsRecord(first!, { queueArn: queue.arn });
    await createSqsRedelivery(stack.client).delay(record, 1);
    const again = await waitFor(async () => (await receive()).Messages?.[0], {
      timeoutMs: 30_000,
      what: 'the message shown again',
    });
    expect(again.MessageId).toBe(first!.MessageId);
    expect(again.Attributes?.ApproximateReceiveCount).toBe('2');
  });
});
