/**
 * `event-gateway dlq redrive`: dead letters back onto the queue they failed on, keeping each
 * event's id. The id feeds the Temporal request id, so an event that had already been applied
 * before it was dead-lettered is still recorded once when it is delivered again.
 *
 * Never lose: a message is deleted from the DLQ only after SQS has accepted its copy on the queue.
 * A crash in between leaves it in both; the kept event id makes that second delivery harmless.
 */
import {
  DeleteMessageBatchCommand,
  SendMessageBatchCommand,
  type MessageAttributeValue,
  type SendMessageBatchRequestEntry,
} from '@aws-sdk/client-sqs';
import { DLQ_ATTRIBUTES } from '../../functions/adapters/sqs-dead-letters';
import { deliveryRequestId } from '../../functions/adapters/request-id';
import { GATEWAY_QUEUE_NAMES } from '../sqs-queues';
import { defineCommand, parseCountOption, type OptionValues } from './args';
import {
  readDeadLetter,
  receiveDeadLetters,
  releaseMessages,
  resolveDeadLetterQueue,
  type DeadLetter,
} from './dead-letters';
import { EXIT_CODES, type CliIo } from './io';
import { connectSqs, queueNameOfUrl, sqsCall, type SqsConnection, SQS_OPTIONS } from './sqs-connection';

export const PROGRESS_EVERY = 50;
/** Covers one batch's send and delete; if the process dies, the DLQ shows the messages again after it. */
const REDRIVE_VISIBILITY_SECONDS = 60;
/** SendMessageBatch takes at most 256 KiB in all; the rest is headroom for the request's framing. */
const MAX_BATCH_BYTES = 240 * 1024;
/** The reason attributes describe the failure in the DLQ; the handler writes fresh ones if it fails again. */
const DLQ_ONLY_ATTRIBUTES = new Set<string>(Object.values(DLQ_ATTRIBUTES));

const options = {
  fifo: {
    type: 'boolean',
    description: `Redrive ${GATEWAY_QUEUE_NAMES.eventsDlqFifo} to ${GATEWAY_QUEUE_NAMES.eventsFifo} instead.`,
  },
  max: { type: 'string', value: 'N', description: 'Redrive at most N messages (default: all).' },
  'dry-run': { type: 'boolean', description: 'Show what would be redriven; send and delete nothing.' },
  'dlq-url': {
    type: 'string',
    value: 'URL',
    description: `Dead-letter queue URL; default: looked up by name (${GATEWAY_QUEUE_NAMES.eventsDlq}[.fifo]).`,
  },
  'queue-url': {
    type: 'string',
    value: 'URL',
    description: `Queue to redrive to; default: looked up by name (${GATEWAY_QUEUE_NAMES.events}[.fifo]).`,
  },
  ...SQS_OPTIONS,
} as const;

export const dlqRedriveCommand = defineCommand({
  name: 'dlq redrive',
  summary: 'move dead-lettered messages back to the queue, keeping their event ids',
  usage: '[--fifo] [--max N] [--dry-run] [--dlq-url URL] [--queue-url URL] [--endpoint URL]',
  options,
  details: [
    'Each message is sent to the queue first and deleted from the DLQ only after SQS accepted it. A gateway ' +
      'message without "eventId" gets its original event id written into the body — the eventId attribute the ' +
      "queue handler recorded, else its sourceMessageId, else the DLQ message's own id (SQS keeps the id when " +
      'its redrive policy moves a message) — so an event that had already been applied is recorded once. ' +
      'Other bodies (not JSON, not a gateway message) are redriven unchanged. A webhook envelope or a signal the ' +
      'gateway queued is moved byte for byte: the queue handler checks its gateway seal again, so a forged one comes ' +
      'back to the DLQ as unverified-envelope and nothing is signalled.',
    'FIFO: the message group is kept, and the deduplication id derives from the event and the DLQ message ' +
      "(not the original send's, which SQS would still drop as a duplicate within 5 minutes). Messages that " +
      'come back to the DLQ during the run are left for the next run. Progress every ' +
      `${PROGRESS_EVERY} messages goes to stderr; the summary "redriven N, failed M" to stdout. Exit 1 when ` +
      'any message failed.',
  ],
  examples: [
    'event-gateway dlq redrive --dry-run',
    'event-gateway dlq redrive',
    'event-gateway dlq redrive --fifo --max 100',
  ],
  run: runDlqRedrive,
});

async function runDlqRedrive(values: OptionValues<typeof options>, io: CliIo): Promise<number> {
  const max = parseCountOption('max', values.max);
  const dryRun = values['dry-run'] === true;
  const connection = connectSqs(io, {
    endpoint: values.endpoint,
    queueUrls: [values['dlq-url'], values['queue-url']],
  });
  try {
    const queues = await resolveDeadLetterQueue(
      connection,
      { fifo: values.fifo, dlqUrl: values['dlq-url'], queueUrl: values['queue-url'] },
      true,
    );
    const target = queueNameOfUrl(queues.queueUrl);
    /** Received and not deleted: made visible again when the run ends, however it ends. */
    const held = new Map<string, DeadLetter>();
    /** Ids of the messages this run created, to recognise them if they fail again during the run. */
    const created = new Set<string>();
    /** FIFO groups with a failed message: the rest of the group waits, or order would break. */
    const blockedGroups = new Set<string>();
    /** Every message this run received: one that shows up again was already dealt with. */
    const seen = new Set<string>();
    /** Not sent: came back during the run, or behind a failure in its FIFO group. */
    const skipped = new Set<string>();
    const counts = { redriven: 0, failed: 0 };
    let reported = 0;
    const done = () => counts.redriven + counts.failed;
    const summary = () =>
      `${dryRun ? 'would redrive' : 'redriven'} ${counts.redriven}, failed ${counts.failed}` +
      (skipped.size > 0 ? `, left ${skipped.size} in the DLQ for the next run` : '');

    try {
      while (max === undefined || done() < max) {
        const batch = await receiveDeadLetters(connection, queues.dlqUrl, {
          max: max === undefined ? 10 : max - done(),
          visibilitySeconds: REDRIVE_VISIBILITY_SECONDS,
        });
        if (batch.length === 0) break;
        const letters = batch.map(readDeadLetter);
        const fresh = letters.filter((letter) => !seen.has(letter.messageId));
        for (const letter of letters) {
          held.set(letter.messageId, letter);
          seen.add(letter.messageId);
        }
        // Only messages this run already handled are visible (a failed or skipped one outlived the
        // visibility timeout on a long run): retrying them here would loop, so the run ends.
        if (fresh.length === 0) break;
        const due = fresh.filter((letter) => {
          const cameBack =
            created.has(letter.messageId) ||
            (letter.sourceMessageId !== undefined && created.has(letter.sourceMessageId));
          const blocked = letter.groupId !== undefined && blockedGroups.has(letter.groupId);
          if (cameBack || blocked) skipped.add(letter.messageId);
          return !cameBack && !blocked;
        });

        if (dryRun) {
          for (const letter of due) {
            io.out(
              `would redrive ${letter.messageId} to ${target}: event ${letter.eventId} (${letter.eventIdSource})` +
                (letter.signal
                  ? `, ${letter.signal.workflowId} / ${letter.signal.signal}`
                  : ', body unchanged'),
            );
            counts.redriven += 1;
          }
        } else {
          const sent = await sendCopies(connection, queues.queueUrl, due, queues.fifo);
          for (const result of sent) {
            if (result.ok) {
              created.add(result.newMessageId);
              continue;
            }
            counts.failed += 1;
            if (result.letter.groupId !== undefined && queues.fifo) blockedGroups.add(result.letter.groupId);
            io.err(
              `could not redrive ${result.letter.messageId} (event ${result.letter.eventId}): ${result.reason}`,
            );
          }
          const accepted = sent.flatMap((result) => (result.ok ? [result.letter] : []));
          counts.redriven += accepted.length;
          const deleted = await deleteOriginals(connection, queues.dlqUrl, accepted);
          for (const letter of accepted) {
            if (deleted.has(letter.messageId)) held.delete(letter.messageId);
            else {
              io.err(
                `redriven ${letter.messageId} but could not delete it from the DLQ; a later redrive sends it ` +
                  'again, which is harmless: its event id is kept.',
              );
            }
          }
        }
        if (Math.floor(done() / PROGRESS_EVERY) > Math.floor(reported / PROGRESS_EVERY)) {
          reported = done();
          io.err(`... ${summary()}`);
        }
      }
    } catch (error) {
      io.err(`stopped: ${summary()} so far`);
      throw error;
    } finally {
      await releaseMessages(
        connection,
        queues.dlqUrl,
        [...held.values()].map((letter) => letter.message),
      );
    }
    io.out(summary());
    return counts.failed > 0 ? EXIT_CODES.failed : EXIT_CODES.ok;
  } finally {
    connection.close();
  }
}

/** The message as it goes back onto the queue. */
export function redriveEntry(letter: DeadLetter, fifo: boolean): Omit<SendMessageBatchRequestEntry, 'Id'> {
  const json = isRecord(letter.json) ? letter.json : undefined;
  const addEventId = letter.signal !== undefined && letter.signal.eventId === undefined && json !== undefined;
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(letter.message.MessageAttributes ?? {})) {
    if (DLQ_ONLY_ATTRIBUTES.has(name)) continue;
    attributes[name] = {
      DataType: value.DataType,
      ...(value.StringValue !== undefined ? { StringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { BinaryValue: value.BinaryValue } : {}),
    };
  }
  return {
    MessageBody: addEventId ? JSON.stringify({ ...json, eventId: letter.eventId }) : letter.body,
    ...(Object.keys(attributes).length > 0 ? { MessageAttributes: attributes } : {}),
    ...(fifo
      ? {
          MessageGroupId: letter.groupId ?? letter.signal?.workflowId ?? 'redriven',
          // Unique per dead letter: the original dedup id would still be in SQS's 5-minute window
          // after a quick failure, and SQS would accept the copy and silently drop it. Stable per
          // dead letter, so re-running after a crash between send and delete stores it once.
          MessageDeduplicationId: deliveryRequestId(letter.messageId, 'dlq-redrive', letter.eventId),
        }
      : {}),
  };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

type SendResult =
  { ok: true; letter: DeadLetter; newMessageId: string } | { ok: false; letter: DeadLetter; reason: string };

async function sendCopies(
  connection: SqsConnection,
  queueUrl: string,
  letters: readonly DeadLetter[],
  fifo: boolean,
): Promise<SendResult[]> {
  const results: SendResult[] = [];
  for (const chunk of chunksBySize(
    letters.map((letter) => ({ letter, entry: redriveEntry(letter, fifo) })),
  )) {
    const { Successful = [], Failed = [] } = await sqsCall(
      connection,
      `Sending to ${queueNameOfUrl(queueUrl)}`,
      () =>
        connection.client.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: chunk.map(({ entry }, index) => ({ ...entry, Id: String(index) })),
          }),
        ),
    );
    chunk.forEach(({ letter }, index) => {
      const ok = Successful.find((entry) => entry.Id === String(index));
      const failed = Failed.find((entry) => entry.Id === String(index));
      results.push(
        ok?.MessageId
          ? { ok: true, letter, newMessageId: ok.MessageId }
          : {
              ok: false,
              letter,
              reason: failed ? `${failed.Code}: ${failed.Message ?? ''}`.trim() : 'no answer',
            },
      );
    });
  }
  return results;
}

/** Batches of at most 10 entries and MAX_BATCH_BYTES, in order (FIFO order is batch order). */
function chunksBySize<T extends { entry: Omit<SendMessageBatchRequestEntry, 'Id'> }>(
  items: readonly T[],
): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = entryBytes(item.entry);
    if (current.length > 0 && (current.length === 10 || bytes + size > MAX_BATCH_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

function entryBytes(entry: Omit<SendMessageBatchRequestEntry, 'Id'>): number {
  let bytes = Buffer.byteLength(entry.MessageBody ?? '');
  for (const [name, value] of Object.entries(entry.MessageAttributes ?? {})) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? '');
    bytes += Buffer.byteLength(value.StringValue ?? '') + (value.BinaryValue?.byteLength ?? 0);
  }
  return bytes;
}

/** Deletes the redriven originals; returns the message ids SQS confirmed deleted. */
async function deleteOriginals(
  connection: SqsConnection,
  dlqUrl: string,
  letters: readonly DeadLetter[],
): Promise<Set<string>> {
  const deleted = new Set<string>();
  for (let i = 0; i < letters.length; i += 10) {
    const chunk = letters.slice(i, i + 10);
    const { Successful = [] } = await sqsCall(connection, 'Deleting from the dead-letter queue', () =>
      connection.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: dlqUrl,
          Entries: chunk.map((letter, index) => ({
            Id: String(index),
            ReceiptHandle: letter.message.ReceiptHandle,
          })),
        }),
      ),
    );
    for (const entry of Successful) {
      const letter = chunk[Number(entry.Id)];
      if (letter) deleted.add(letter.messageId);
    }
  }
  return deleted;
}
