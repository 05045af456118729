/**
 * `event-gateway enqueue`: one signal message on the gateway's queue, as an SQS producer writes it.
 * The event id is always in the body (a random UUID unless given), so every redelivery, retry of
 * this command with the same --event-id, or later DLQ redrive maps to the same Temporal request id.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import { isFifoQueue } from '../../functions/adapters/sqs-client';
import { GATEWAY_ENV } from '../../functions/core/env-names';
import { GATEWAY_QUEUE_NAMES } from '../sqs-queues';
import { defineCommand, optionalOption, parseJsonOption, requireOption, type OptionValues } from './args';
import { fifoFieldsOf, type SqsSignalMessage } from './gateway-message';
import { CliUsageError, EXIT_CODES, type CliIo } from './io';
import { connectSqs, queueNameOfUrl, resolveQueueUrl, sqsCall, SQS_OPTIONS } from './sqs-connection';

const options = {
  'workflow-id': { type: 'string', value: 'ID', description: 'Workflow to signal.' },
  signal: { type: 'string', value: 'NAME', description: 'Signal name (must be declared for the target).' },
  payload: { type: 'string', value: 'JSON', description: "The signal's argument, as JSON." },
  'event-id': {
    type: 'string',
    value: 'ID',
    description: 'Event id in the body; default: a new random UUID.',
  },
  fifo: {
    type: 'boolean',
    description: `Use the FIFO queue (${GATEWAY_QUEUE_NAMES.eventsFifo}): per-workflow order.`,
  },
  'queue-url': {
    type: 'string',
    value: 'URL',
    description: `Queue URL; default: looked up by name (${GATEWAY_QUEUE_NAMES.events}[.fifo]).`,
  },
  ...SQS_OPTIONS,
} as const;

export const enqueueCommand = defineCommand({
  name: 'enqueue',
  summary: "put a signal message on the gateway's SQS queue",
  usage:
    '--workflow-id ID --signal NAME --payload JSON [--event-id ID] [--fifo] [--queue-url URL] [--endpoint URL]',
  options,
  details: [
    'Sends {"workflowId","signal","payload","eventId"} — the message format the queue handler reads. ' +
      'On a FIFO queue (--fifo, or a --queue-url ending in .fifo) MessageGroupId is the workflow id, so one ' +
      "workflow's events arrive in order, and MessageDeduplicationId derives from (workflow, signal, event id), " +
      'so the same event sent twice within 5 minutes is stored once.',
    'An amazonaws.com --queue-url goes to AWS with the usual AWS credentials (unless --endpoint or ' +
      `$${GATEWAY_ENV.sqsEndpoint} is set). Exit 0 when SQS took the message, 1 when it could not be sent, ` +
      '2 on bad arguments.',
  ],
  examples: [
    `event-gateway enqueue --workflow-id staged-order-42 --signal advanceStage --payload '{"stage":1}'`,
    `event-gateway enqueue --fifo --workflow-id staged-order-42 --signal advanceStage --payload '{"stage":2}' --event-id order-42-stage-2`,
  ],
  run: runEnqueue,
});

async function runEnqueue(values: OptionValues<typeof options>, io: CliIo): Promise<number> {
  const workflowId = requireOption(values, 'workflow-id');
  const signal = requireOption(values, 'signal');
  const payload = parseJsonOption('payload', requireOption(values, 'payload'));
  const eventId = optionalOption(values, 'event-id') ?? randomUUID();
  const givenUrl = values['queue-url'];
  if (givenUrl !== undefined && values.fifo === true && !isFifoQueue(givenUrl)) {
    throw new CliUsageError(`--fifo was given, but --queue-url ${givenUrl} is not a FIFO queue (.fifo).`);
  }
  const fifo = values.fifo === true || (givenUrl !== undefined && isFifoQueue(givenUrl));
  const message: SqsSignalMessage & { eventId: string } = { workflowId, signal, payload, eventId };

  const connection = connectSqs(io, { endpoint: values.endpoint, queueUrls: [givenUrl] });
  try {
    const queueUrl = await resolveQueueUrl(connection, {
      given: givenUrl,
      name: fifo ? GATEWAY_QUEUE_NAMES.eventsFifo : GATEWAY_QUEUE_NAMES.events,
      flag: 'queue-url',
    });
    const fifoFields = fifo ? fifoFieldsOf(message) : undefined;
    const { MessageId } = await sqsCall(connection, `Sending to ${queueNameOfUrl(queueUrl)}`, () =>
      connection.client.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(message), ...fifoFields }),
      ),
    );
    io.out(
      `Queued message ${MessageId ?? '(no id)'} on ${queueNameOfUrl(queueUrl)}: event ${eventId}` +
        (fifoFields ? `, group ${fifoFields.MessageGroupId}` : '') +
        '.',
    );
    return EXIT_CODES.ok;
  } finally {
    connection.close();
  }
}
