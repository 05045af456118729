/**
 * The floor of any Lambda that talks to Temporal: the bare `@temporalio/client` (gRPC and the API's
 * protobuf definitions), a lazy connection and a client at module scope, and one signal per event.
 * The gateway's ingest function must stay within 10 % of this.
 */
import { Client, Connection } from '@temporalio/client';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';

const connection = Connection.lazy({ address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' });
const client = new Client({ connection, namespace: process.env.TEMPORAL_NAMESPACE ?? 'default' });

export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> {
  const workflowId = event.pathParameters?.workflowId;
  const signalName = event.pathParameters?.signal;
  if (!workflowId || !signalName) return { statusCode: 400, body: 'missing workflow id or signal' };
  await client.workflow.getHandle(workflowId).signal(signalName, JSON.parse(event.body ?? 'null'));
  return { statusCode: 202, body: JSON.stringify({ status: 'delivered' }) };
}
