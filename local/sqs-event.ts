/**
 * SDK `Message` → Lambda `SQSRecord`, field for field as Lambda's SQS event source mapping delivers
 * it. The local poller uses it, and tests use it to build real-shaped events from real messages.
 */
import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import type {
  SQSEvent,
  SQSMessageAttribute,
  SQSMessageAttributes,
  SQSRecord,
  SQSRecordAttributes,
} from 'aws-lambda';
import { createHash } from 'node:crypto';
import { EventGatewayError } from '../contract/errors';

/** Where the messages came from: Lambda stamps both on every record. */
export interface SqsEventSource {
  readonly queueArn: string;
  /** @default the region inside `queueArn` */
  readonly region?: string;
}

export class SqsEventShapeError extends EventGatewayError {
  override readonly name = 'SqsEventShapeError';
}

/** `arn:aws:sqs:<region>:<account>:<name>` → region. */
export function regionOfQueueArn(queueArn: string): string {
  const region = queueArn.split(':')[3];
  if (!region) throw new SqsEventShapeError(`${queueArn} is not an SQS queue ARN.`);
  return region;
}

/** `arn:aws:sqs:<region>:<account>:<name>` → name. */
export function queueNameOfArn(queueArn: string): string {
  const name = queueArn.split(':')[5];
  if (!name) throw new SqsEventShapeError(`${queueArn} is not an SQS queue ARN.`);
  return name;
}

function messageAttribute(value: MessageAttributeValue): SQSMessageAttribute {
  // Lambda always sends both list fields (reserved by SQS, always empty) and base64 for binary.
  const attribute: SQSMessageAttribute = {
    stringListValues: value.StringListValues ?? [],
    binaryListValues: (value.BinaryListValues ?? []).map((bytes) => Buffer.from(bytes).toString('base64')),
    dataType: value.DataType ?? 'String',
  };
  if (value.StringValue !== undefined) attribute.stringValue = value.StringValue;
  if (value.BinaryValue !== undefined)
    attribute.binaryValue = Buffer.from(value.BinaryValue).toString('base64');
  return attribute;
}

export function toSqsRecord(message: Message, source: SqsEventSource): SQSRecord {
  const { MessageId, ReceiptHandle, Body } = message;
  if (!MessageId || !ReceiptHandle || Body === undefined) {
    throw new SqsEventShapeError(
      'An SQS message without MessageId, ReceiptHandle or Body cannot become a Lambda record; ' +
        'was it received with ReceiveMessage?',
    );
  }
  const system = message.Attributes ?? {};
  const attributes: SQSRecordAttributes = {
    ApproximateReceiveCount: system.ApproximateReceiveCount ?? '1',
    SentTimestamp: system.SentTimestamp ?? String(Date.now()),
    SenderId: system.SenderId ?? '',
    ApproximateFirstReceiveTimestamp: system.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
  };
  // Lambda passes through what SQS returned for `All`: the FIFO fields, the trace header, and so on.
  for (const [name, value] of Object.entries(system)) {
    if (value !== undefined && !(name in attributes))
      (attributes as unknown as Record<string, string>)[name] = value;
  }
  const messageAttributes: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = messageAttribute(value);
  }
  const record: SQSRecord = {
    messageId: MessageId,
    receiptHandle: ReceiptHandle,
    body: Body,
    attributes,
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? createHash('md5').update(Body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: source.queueArn,
    awsRegion: source.region ?? regionOfQueueArn(source.queueArn),
  };
  if (message.MD5OfMessageAttributes) record.md5OfMessageAttributes = message.MD5OfMessageAttributes;
  return record;
}

export function toSqsEvent(messages: readonly Message[], source: SqsEventSource): SQSEvent {
  return { Records: messages.map((message) => toSqsRecord(message, source)) };
}
