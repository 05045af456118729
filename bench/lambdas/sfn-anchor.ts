/**
 * The AWS-native alternative's Lambda: Step Functions' callback pattern, where an external event
 * completes a waiting task with `SendTaskSuccess`. It is the anchor the gateway's cold start is
 * measured against, so it does what a careful hand-written one would: client at module scope (built
 * once per execution environment), nothing else.
 */
import { SFNClient, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';

const sfn = new SFNClient({});

export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> {
  const taskToken = event.pathParameters?.taskToken;
  if (!taskToken) return { statusCode: 400, body: 'missing task token' };
  await sfn.send(new SendTaskSuccessCommand({ taskToken, output: event.body ?? '{}' }));
  return { statusCode: 202, body: JSON.stringify({ status: 'delivered' }) };
}
