/**
 * The floor of a Lambda that signals Temporal through the gateway's lean client: the connection
 * provider (envconfig, the gRPC framing over `node:http2`, the generated codecs) and the signaler at
 * module scope, nothing of HTTP routing, validation or AWS. Beside the bare `@temporalio/client`
 * Lambda it shows what the Temporal layer costs; beside ingest, what the HTTP layer on top costs.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { createTemporalClientProvider } from '../../functions/adapters/temporal-connection';
import { createSignaler } from '../../functions/adapters/temporal-signaler';
import type { GatewayConfig, Target } from '../../functions/core/gateway-config-model';

const clients = createTemporalClientProvider({ env: process.env });
const signaler = createSignaler(clients, 5_000);

/**
 * The gateway's configuration, loaded as the functions load it (`loadGatewayConfig`: the sealed
 * file, GATEWAY_CONFIG, else the default). Imported at the first request, a chunk of its own, so
 * this variant's init stays the Temporal layer alone; its cold start to the first signal pays it.
 */
let config: Promise<GatewayConfig> | undefined;
const gatewayConfig = () =>
  (config ??= import('../../functions/adapters/gateway-config-file').then(({ loadGatewayConfig }) =>
    loadGatewayConfig(process.env),
  ));

/** The first target that declares the workflow ID, as the gateway resolves it. */
async function targetOf(workflowId: string): Promise<Target | undefined> {
  return (await gatewayConfig()).targets.find((target) => target.matches(workflowId));
}

export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> {
  const workflowId = event.pathParameters?.workflowId;
  const signal = event.pathParameters?.signal;
  if (!workflowId || !signal) return { statusCode: 400, body: 'missing workflow id or signal' };
  const target = await targetOf(workflowId);
  if (!target) return { statusCode: 403, body: `no target declares ${workflowId}` };
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
