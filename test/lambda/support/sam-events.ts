/**
 * Lambda events made from AWS SAM CLI's own sample-event templates (vendored in ../fixtures), filled
 * the way `sam local generate-event` fills them, then given the request or records of each test.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2, SQSEvent, SQSRecord } from 'aws-lambda';

const template = (name: string): string =>
  readFileSync(new URL(`../fixtures/sam-events/${name}.json`, import.meta.url), 'utf8');

/** `{{{name}}}` → value, as the SAM CLI's renderer does; each value is JSON-string-escaped. */
function render(text: string, values: Record<string, string>): unknown {
  const filled = text.replace(/\{\{\{([a-z_]+)\}\}\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`sample event placeholder ${key} has no value`);
    return JSON.stringify(value).slice(1, -1);
  });
  return JSON.parse(filled) as unknown;
}

export const ACCOUNT_ID = '123456789012';
export const REGION = 'us-east-1';

export interface HttpRequest {
  method: string;
  /** Path with a leading slash, as API Gateway puts it in rawPath. */
  path: string;
  body?: string;
  headers?: Record<string, string>;
  /** Send the body base64-encoded (API Gateway does for binary media types). */
  base64?: boolean;
}

/** An HTTP API payload v2 event on the `$default` route, from the `http-api-proxy` template. */
export function httpApiEvent(request: HttpRequest): APIGatewayProxyEventV2 {
  const base64 = request.base64 ?? false;
  const body = request.body ?? '';
  const event = render(template('HttpApi'), {
    path: request.path.replace(/^\//, ''),
    method: request.method,
    body: base64 ? Buffer.from(body).toString('base64') : body,
    account_id: ACCOUNT_ID,
    dns_suffix: `${REGION}.amazonaws.com`,
    stage: '$default',
  }) as APIGatewayProxyEventV2;
  const headers = Object.fromEntries(
    Object.entries({ 'user-agent': 'agent', ...request.headers }).map(([k, v]) => [k.toLowerCase(), v]),
  );
  return {
    ...event,
    rawQueryString: '',
    queryStringParameters: undefined,
    cookies: undefined,
    pathParameters: undefined,
    headers,
    requestContext: { ...event.requestContext, requestId: randomUUID() },
    ...(request.body === undefined ? { body: undefined } : {}),
    isBase64Encoded: base64,
  };
}

export interface QueueRecord {
  messageId?: string;
  body: string;
}

/** An SQS event with one record per message, each from the `receive-message` template's record. */
export function sqsEvent(queueName: string, messages: readonly QueueRecord[]): SQSEvent {
  const records = messages.map((message) => {
    const event = render(template('Sqs'), {
      body: message.body,
      md5_of_body: createHash('md5').update(message.body).digest('hex'),
      partition: 'aws',
      region: REGION,
      account_id: ACCOUNT_ID,
      queue_name: queueName,
    }) as SQSEvent;
    const record = event.Records[0] as SQSRecord;
    return { ...record, messageId: message.messageId ?? randomUUID() };
  });
  return { Records: records };
}

/** An EventBridge scheduled event (what the backlog function's rule sends). */
export function scheduledEvent(rule: string): unknown {
  return render(template('ScheduledEvent'), {
    account_id: ACCOUNT_ID,
    region: REGION,
    partition: 'aws',
    rule,
  });
}
