/**
 * What the queue handler records of a permanent failure: "dead-lettered" only once the DLQ has the
 * message. A DLQ send that fails leaves the record for SQS to show again, and the event log must not
 * claim a dead letter that does not exist (the redelivery records the outcome it really had).
 */
import type { SQSRecord } from 'aws-lambda';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeliverer } from '../../../functions/adapters/deliverer';
import { createDirectoryEventLog } from '../../../functions/adapters/event-log-directory';
import { createEventRecorder } from '../../../functions/adapters/event-log-recorder';
import { silentLogger } from '../../../functions/adapters/logger';
import type { Signaler, Updater } from '../../../functions/adapters/ports';
import { DEFAULT_GATEWAY_CONFIG } from '../../../functions/core/default-config';
import { parseGatewayConfig } from '../../../functions/core/gateway-config';
import { problem } from '../../../functions/core/problems';
import { createSqsBatchHandler } from '../../../functions/handlers/sqs-batch';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'sqs-event-log-'));
});
afterAll(async () => {
  if (directory) await rm(directory, { recursive: true, force: true });
});

function record(messageId: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `receipt-${messageId}`,
    body: JSON.stringify({
      workflowId: `staged-${messageId}`,
      signal: 'advanceStage',
      payload: { stage: 1 },
    }),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(Date.now()),
      SenderId: 'producer',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:events',
    awsRegion: 'us-east-1',
  };
}

/** A handler whose every signal fails permanently (the workflow is gone), over a DLQ that `dlqSend` stands for. */
function handlerWith(dlqSend: (record: SQSRecord) => Promise<void>) {
  const log = createDirectoryEventLog(directory);
  const signaler: Signaler = {
    signal: () =>
      Promise.resolve({
        status: 'failed',
        transient: false,
        problem: problem('workflow-not-found', 'no such workflow'),
      }),
  };
  const handler = createSqsBatchHandler({
    config: parseGatewayConfig(DEFAULT_GATEWAY_CONFIG),
    deliverer: createDeliverer({ signaler, updater: {} as unknown as Updater, logger: silentLogger }),
    logger: silentLogger,
    deadLetters: { send: (r) => dlqSend(r) },
    recorder: createEventRecorder({ writer: log, logger: silentLogger }),
  });
  return { handler, log };
}

describe('queue handler: the event log of a permanent failure', () => {
  it('records dead-lettered after the DLQ took the message', async () => {
    const sent: string[] = [];
    const { handler, log } = handlerWith((r) => Promise.resolve(void sent.push(r.messageId)));
    const response = await handler({ Records: [record('m-sent')] });
    expect(response.batchItemFailures).toEqual([]);
    expect(sent).toEqual(['m-sent']);
    const [event] = await log.list({});
    expect(event?.status).toBe('dead-lettered');
  });

  it('records nothing as dead-lettered when the DLQ send fails, and leaves the message for redelivery', async () => {
    const { handler, log } = handlerWith(() => {
      return Promise.reject(new Error('DLQ unreachable'));
    });
    const response = await handler({ Records: [record('m-unsent')] });
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-unsent' }]);
    const events = await log.list({});
    expect(
      events.filter((event) => event.status === 'dead-lettered').map((event) => event.eventId),
    ).not.toContainEqual(expect.stringContaining('m-unsent'));
  });
});
