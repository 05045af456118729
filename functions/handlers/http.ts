/**
 * HTTP ingest Lambda (API Gateway HTTP API, payload v2). Configuration, secrets and the Temporal
 * client provider are built during the init phase (top-level await), once per execution environment.
 */
import { handle } from 'hono/aws-lambda';
import { createGatewayRuntime } from '../runtime/gateway-runtime';
import { withTraceFlush } from '../adapters/tracing';
import { createHttpApp } from './http-app';
import { CODEC_PATH } from './http-codec-routes';
import { functionLogger, withLambdaContext } from './lambda-logging';

const logger = functionLogger('event-gateway-http');
const runtime = await createGatewayRuntime(process.env, logger);

const app = handle(createHttpApp(runtime));
let payloadsPrepared = false;
/**
 * The first POST outside the codec server (a delivery, most likely) starts what its encode needs
 * from the network — the built-in codec's KMS data key, signed and queued before the request is
 * checked, on the wire at its first wait. Not at init, so an environment that never takes a request
 * never calls KMS. (Opening the Temporal connection here too was tried and dropped: with 5 ms of
 * latency each way to KMS and to Temporal, the first encrypted signal took ~20 ms longer.)
 */
const preparingPayloads: typeof app = (event, context) => {
  const { rawPath, requestContext } = event as {
    rawPath?: string;
    requestContext?: { http?: { method?: string } };
  };
  // The codec server's routes are left out: its /decode, which the UI calls most, needs no new key.
  if (!payloadsPrepared && requestContext?.http?.method === 'POST' && !rawPath?.startsWith(CODEC_PATH)) {
    payloadsPrepared = true;
    runtime.clients.dataConverter.prepare();
  }
  return app(event, context);
};

export const handler = withLambdaContext(logger, withTraceFlush(runtime.tracing, preparingPayloads));
