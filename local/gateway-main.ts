/**
 * The local gateway process: the HTTP app on GATEWAY_PORT (default 3000). Reads the same
 * environment as the Lambda functions.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { GATEWAY_ENV } from '../functions/core/env-names';
import { startGatewayServer } from './gateway-server';

const DEFAULT_GATEWAY_PORT = 3000;

async function main(): Promise<void> {
  const logger = new Logger({ serviceName: 'event-gateway' });
  const port = Number(process.env[GATEWAY_ENV.port] ?? DEFAULT_GATEWAY_PORT);
  const server = await startGatewayServer({ port, host: process.env.GATEWAY_HOST ?? '127.0.0.1', logger });
  logger.info(`gateway listening on ${server.url}`);
  const stop = () => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
