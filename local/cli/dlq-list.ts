/**
 * `event-gateway dlq list`: what is in a dead-letter queue and why, without taking it out.
 */
import type { Message } from '@aws-sdk/client-sqs';
import { GATEWAY_QUEUE_NAMES } from '../sqs-queues';
import { defineCommand, parseCountOption, type OptionValues } from './args';
import {
  formatAge,
  readDeadLetter,
  receiveDeadLetters,
  releaseMessages,
  resolveDeadLetterQueue,
  type DeadLetter,
} from './dead-letters';
import { EXIT_CODES, type CliIo } from './io';
import { connectSqs, queueNameOfUrl, SQS_OPTIONS } from './sqs-connection';

const DEFAULT_MAX = 100;
/** Long enough to read a full listing; short enough that a killed listing hides nothing for long. */
const LIST_VISIBILITY_SECONDS = 30;

const options = {
  fifo: { type: 'boolean', description: `List ${GATEWAY_QUEUE_NAMES.eventsDlqFifo} instead.` },
  max: { type: 'string', value: 'N', description: `Show at most N messages (default ${DEFAULT_MAX}).` },
  json: { type: 'boolean', description: 'Print a JSON array (one object per message) instead of text.' },
  'dlq-url': {
    type: 'string',
    value: 'URL',
    description: `Dead-letter queue URL; default: looked up by name (${GATEWAY_QUEUE_NAMES.eventsDlq}[.fifo]).`,
  },
  ...SQS_OPTIONS,
} as const;

export const dlqListCommand = defineCommand({
  name: 'dlq list',
  summary: 'show dead-lettered messages and why they failed, leaving them in place',
  usage: '[--fifo] [--max N] [--json] [--dlq-url URL] [--endpoint URL]',
  options,
  details: [
    'For each message: its id, the event id a redrive keeps (and where it comes from), workflowId and signal ' +
      'when the body is a gateway message, the reason the queue handler recorded (errorType, errorMessage), ' +
      "the receive count and the age. Messages without a reason were moved by the queue's redrive policy " +
      'after maxReceiveCount transient failures.',
    `Messages are received with a ${LIST_VISIBILITY_SECONDS}-second visibility timeout and made visible again ` +
      'at once afterwards, so they stay in the queue (each listing adds one to their receive count). On a FIFO ' +
      'queue, at most 10 messages per message group are shown at a time.',
  ],
  examples: ['event-gateway dlq list', 'event-gateway dlq list --fifo --json --max 20'],
  run: runDlqList,
});

async function runDlqList(values: OptionValues<typeof options>, io: CliIo): Promise<number> {
  const max = parseCountOption('max', values.max) ?? DEFAULT_MAX;
  const connection = connectSqs(io, { endpoint: values.endpoint, queueUrls: [values['dlq-url']] });
  try {
    const { dlqUrl } = await resolveDeadLetterQueue(
      connection,
      { fifo: values.fifo, dlqUrl: values['dlq-url'] },
      false,
    );
    const received: Message[] = [];
    let refused = 0;
    try {
      while (received.length < max) {
        const batch = await receiveDeadLetters(connection, dlqUrl, {
          max: max - received.length,
          visibilitySeconds: LIST_VISIBILITY_SECONDS,
        });
        if (batch.length === 0) break;
        received.push(...batch);
      }
    } finally {
      refused = await releaseMessages(connection, dlqUrl, received);
    }
    const now = Date.now();
    const letters = received.map(readDeadLetter);
    if (values.json === true) {
      io.out(
        JSON.stringify(
          letters.map((letter) => toJson(letter, now)),
          null,
          2,
        ),
      );
    } else {
      printText(io, queueNameOfUrl(dlqUrl), letters, now, received.length >= max);
    }
    if (refused > 0) {
      io.err(
        `${refused} message(s) could not be made visible again; they reappear within ${LIST_VISIBILITY_SECONDS} s.`,
      );
    }
    return EXIT_CODES.ok;
  } finally {
    connection.close();
  }
}

function toJson(letter: DeadLetter, now: number) {
  return {
    messageId: letter.messageId,
    eventId: letter.eventId,
    eventIdSource: letter.eventIdSource,
    workflowId: letter.signal?.workflowId ?? null,
    signal: letter.signal?.signal ?? null,
    source: letter.webhook?.source ?? null,
    eventType: letter.webhook?.eventType ?? null,
    route: letter.webhook?.route ?? null,
    errorType: letter.errorType ?? null,
    errorMessage: letter.errorMessage ?? null,
    sourceMessageId: letter.sourceMessageId ?? null,
    sourceQueueArn: letter.sourceQueueArn ?? null,
    messageGroupId: letter.groupId ?? null,
    receiveCount: letter.receiveCount ?? null,
    sentAt: letter.sentAt?.toISOString() ?? null,
    ageSeconds: letter.sentAt ? Math.max(0, Math.floor((now - letter.sentAt.getTime()) / 1000)) : null,
    body: letter.body,
  };
}

function printText(
  io: CliIo,
  queueName: string,
  letters: readonly DeadLetter[],
  now: number,
  capped: boolean,
) {
  if (letters.length === 0) {
    io.out(`${queueName} is empty.`);
    return;
  }
  io.out(`${queueName}: ${letters.length} message(s)${capped ? ' (--max reached; there may be more)' : ''}`);
  for (const letter of letters) {
    io.out('');
    io.out(letter.messageId);
    io.out(`  event id   ${letter.eventId} (${letter.eventIdSource})`);
    if (letter.webhook) {
      const { source, eventType, route } = letter.webhook;
      io.out(
        `  webhook    source ${source}, type ${eventType ?? '(none)'}${route ? `, route ${route}` : ''}`,
      );
    } else {
      io.out(
        letter.signal
          ? `  target     ${letter.signal.workflowId} / ${letter.signal.signal}`
          : `  body       ${letter.json === undefined ? 'not JSON' : 'not a gateway signal message'}: ${preview(letter.body)}`,
      );
    }
    io.out(
      letter.errorType
        ? `  reason     ${letter.errorType}: ${letter.errorMessage ?? '(no message)'}`
        : '  reason     none recorded (moved by the redrive policy after repeated transient failures)',
    );
    if (letter.sourceQueueArn)
      io.out(`  from       ${letter.sourceQueueArn.split(':').pop() ?? letter.sourceQueueArn}`);
    if (letter.groupId) io.out(`  group      ${letter.groupId}`);
    const age = letter.sentAt ? formatAge(now - letter.sentAt.getTime()) : 'unknown';
    io.out(`  received   ${letter.receiveCount ?? '?'} time(s), age ${age}`);
  }
}

const preview = (body: string) => {
  const flat = body.replace(/\s+/g, ' ');
  return flat.length > 80 ? `${flat.slice(0, 77)}...` : flat;
};
