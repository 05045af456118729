/**
 * The floor of a Lambda that signals Temporal through the gateway's lean client: the connection
 * provider (envconfig, grpc-js, the generated codecs) and the signaler at module scope, nothing of
 * HTTP routing, validation or AWS. Beside the bare `@temporalio/client` Lambda it shows what the
 * Temporal layer costs; beside ingest, what the HTTP layer on top costs.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { createTemporalClientProvider } from '../../functions/adapters/temporal-connection';
import { createSignaler } from '../../functions/adapters/temporal-signaler';
import type { Target } from '../../functions/core/gateway-config-model';

const clients = createTemporalClientProvider({ env: process.env });
const signaler = createSignaler(clients, 5_000);
// A plain signal reads nothing else of a target; the full one comes with the gateway's zod config.
const target = { startIfMissing: false } as Target;

export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> {
  const workflowId = event.pathParameters?.workflowId;
  const signal = event.pathParameters?.signal;
  if (!workflowId || !signal) return { statusCode: 400, body: 'missing workflow id or signal' };
  const payload: unknown = JSON.parse(event.body ?? 'null');
  const outcome = await signaler.signal(
    { workflowId, signal, payload, eventId: event.requestContext.requestId },
    target,
  );
  return {
    statusCode: outcome.status === 'delivered' ? 202 : 503,
    body: JSON.stringify({ status: outcome.status }),
  };
}
