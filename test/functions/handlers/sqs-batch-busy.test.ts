/**
 * The queue handler's decision for a workflow that cannot take more now (workflow-busy): the
 * record is left for redelivery with a delay that grows with its receive count, never
 * dead-lettered; other transient failures keep the queue's own visibility timeout.
 */
import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../functions/adapters/logger';
import { createDeliverer } from '../../../functions/adapters/deliverer';
import type { Signaler, Updater } from '../../../functions/adapters/ports';
import { DEFAULT_GATEWAY_CONFIG } from '../../../functions/core/default-config';
import { parseGatewayConfig } from '../../../functions/core/gateway-config';
import { problem, type ProblemCode } from '../../../functions/core/problems';
import { createSqsBatchHandler } from '../../../functions/handlers/sqs-batch';

const QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:events';

function record(messageId: string, receiveCount: number): SQSRecord {
  return {
    messageId,
    receiptHandle: `receipt-${messageId}`,
    body: JSON.stringify({
      workflowId: `staged-${messageId}`,
      signal: 'advanceStage',
      payload: { stage: 1 },
    }),
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: '0',
      SenderId: 'producer',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: QUEUE_ARN,
    awsRegion: 'us-east-1',
  };
}

function handlerFailingWith(code: ProblemCode) {
  const delays: [string, number][] = [];
  const deadLettered: string[] = [];
  const signaler: Signaler = {
    signal: () => Promise.resolve({ status: 'failed', transient: true, problem: problem(code, 'x') }),
  };
  const updater = { update: () => Promise.resolve({}) } as unknown as Updater;
  const handler = createSqsBatchHandler({
    config: parseGatewayConfig(DEFAULT_GATEWAY_CONFIG),
    deliverer: createDeliverer({ signaler, updater, logger: silentLogger }),
    logger: silentLogger,
    deadLetters: { send: (r) => Promise.resolve(void deadLettered.push(r.messageId)) },
    redelivery: { delay: (r, seconds) => Promise.resolve(void delays.push([r.messageId, seconds])) },
  });
  return { handler, delays, deadLettered };
}

describe('queue handler: a busy workflow', () => {
  it('leaves the record for redelivery after a delay that grows with its receives, and never dead-letters it', async () => {
    const { handler, delays, deadLettered } = handlerFailingWith('workflow-busy');
    const response = await handler({ Records: [record('a', 1), record('b', 3), record('c', 5)] });
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['a', 'b', 'c']);
    expect(new Map(delays)).toEqual(
      new Map([
        ['a', 2],
        ['b', 8],
        ['c', 32],
      ]),
    );
    expect(deadLettered).toEqual([]);
  });

  it('keeps the queue’s visibility timeout for other transient failures', async () => {
    const { handler, delays } = handlerFailingWith('temporal-unavailable');
    const response = await handler({ Records: [record('a', 2)] });
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'a' }]);
    expect(delays).toEqual([]);
  });
});
