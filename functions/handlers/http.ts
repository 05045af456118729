/**
 * HTTP ingest Lambda (API Gateway HTTP API, payload v2). Configuration, secrets and the Temporal
 * client provider are built during the init phase (top-level await), once per execution environment.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { handle } from 'hono/aws-lambda';
import { createGatewayRuntime } from '../adapters/gateway-runtime';
import { createHttpApp } from './http-app';

const logger = new Logger({ serviceName: 'event-gateway-http' });
const runtime = await createGatewayRuntime(process.env, logger);

export const handler = handle(createHttpApp(runtime));
