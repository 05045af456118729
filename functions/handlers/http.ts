/**
 * HTTP ingest Lambda (API Gateway HTTP API, payload v2). Configuration, secrets and the Temporal
 * client provider are built during the init phase (top-level await), once per execution environment.
 */
import { handle } from 'hono/aws-lambda';
import { createGatewayRuntime } from '../runtime/gateway-runtime';
import { withTraceFlush } from '../adapters/tracing';
import { createHttpApp } from './http-app';
import { functionLogger, withLambdaContext } from './lambda-logging';

const logger = functionLogger('event-gateway-http');
const runtime = await createGatewayRuntime(process.env, logger);

export const handler = withLambdaContext(
  logger,
  withTraceFlush(runtime.tracing, handle(createHttpApp(runtime))),
);
