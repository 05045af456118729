/**
 * The floor of a Lambda that signals Temporal through the gateway's lean client: the connection
 * provider (envconfig, grpc-js, the generated codecs) and the signaler at module scope, nothing of
 * HTTP routing, validation or AWS. Beside the bare `@temporalio/client` Lambda it shows what the
 * Temporal layer costs; beside ingest, what the HTTP layer on top costs.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { loadGatewayConfig } from '../../functions/adapters/gateway-runtime';
import { createTemporalClientProvider } from '../../functions/adapters/temporal-connection';
import { createSignaler } from '../../functions/adapters/temporal-signaler';

const clients = createTemporalClientProvider({ env: process.env });
const signaler = createSignaler(clients, 5_000);

export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> {
  const workflowId = event.pathParameters?.workflowId;
  const signal = event.pathParameters?.signal;
  if (!workflowId || !signal) return { statusCode: 400, body: 'missing workflow id or signal' };
  const [target] = loadGatewayConfig({}).targets;
  if (!target) return { statusCode: 500, body: 'no target' };
  const payload: unknown = JSON.parse(event.body ?? 'null');
  const outcome = await signaler.signal(
    { workflowId, signal, payload, eventId: event.requestContext.requestId },
    { ...target, startIfMissing: false },
  );
  return {
    statusCode: outcome.status === 'delivered' ? 202 : 503,
    body: JSON.stringify({ status: outcome.status }),
  };
}
