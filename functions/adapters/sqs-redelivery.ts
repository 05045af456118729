/**
 * When a queued event's workflow cannot take more now (Temporal's per-run limits, a run closing
 * into its continue-as-new), the queue handler leaves the message on the queue but sets when SQS
 * shows it again: a visibility timeout that grows with each receive (ChangeMessageVisibility), so a
 * hot workflow is retried soon after it continued as new, yet not hammered while it is full.
 */
import type { SQSRecord } from 'aws-lambda';
import type { SqsClientSource } from './sqs-client';

/** The first redelivery delay of a busy workflow's message, in seconds; it doubles per receive. */
export const BUSY_REDELIVERY_BASE_SECONDS = 2;
/** The longest redelivery delay, in seconds. */
export const BUSY_REDELIVERY_MAX_SECONDS = 60;

/**
 * Seconds before SQS shows a message again after its `receiveCount`-th receive found the workflow
 * busy: 2, 4, 8, 16, 32, 60, 60… With the deployed `maxReceiveCount` of 5, a message waits about
 * 30 s in all before its redrive policy moves it to the DLQ; a workflow that continues as new in
 * time (see docs/hot-workflows.md) is busy for a moment only.
 */
export function busyRedeliveryDelaySeconds(receiveCount: number): number {
  const attempt = Math.max(1, Math.floor(receiveCount) || 1);
  return Math.min(BUSY_REDELIVERY_MAX_SECONDS, BUSY_REDELIVERY_BASE_SECONDS * 2 ** (attempt - 1));
}

export interface Redelivery {
  /** Makes SQS show this record again in `seconds` instead of after the queue's visibility timeout. */
  delay(record: SQSRecord, seconds: number): Promise<void>;
}

/**
 * ChangeMessageVisibility on the record's own queue, found by name from its `eventSourceARN`
 * (GetQueueUrl, once per queue), so the same code works in AWS and against ElasticMQ.
 */
export function createSqsRedelivery(source: SqsClientSource): Redelivery {
  const queueUrls = new Map<string, Promise<string>>();

  async function sqs() {
    const [client, commands] = await Promise.all([
      typeof source === 'function' ? source() : Promise.resolve(source),
      import('@aws-sdk/client-sqs'),
    ]);
    return { client, commands };
  }

  function queueUrlOf(arn: string): Promise<string> {
    let url = queueUrls.get(arn);
    if (!url) {
      // arn:aws:sqs:<region>:<account>:<name>
      const [, , , , account, name] = arn.split(':');
      url = sqs().then(async ({ client, commands }) => {
        const found = await client.send(
          new commands.GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }),
        );
        if (!found.QueueUrl) throw new Error(`No URL for queue ${arn}`);
        return found.QueueUrl;
      });
      // A failed lookup is not remembered: the next record asks again.
      url.catch(() => queueUrls.delete(arn));
      queueUrls.set(arn, url);
    }
    return url;
  }

  return {
    async delay(record, seconds) {
      const [queueUrl, { client, commands }] = await Promise.all([queueUrlOf(record.eventSourceARN), sqs()]);
      await client.send(
        new commands.ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: record.receiptHandle,
          VisibilityTimeout: Math.max(0, Math.min(43_200, Math.round(seconds))),
        }),
      );
    },
  };
}
