/**
 * The local gateway process: the HTTP app on GATEWAY_PORT (default 3000) and, with SQS_ENDPOINT,
 * the queue consumers that invoke the queue Lambda's handler. Reads the same environment as the
 * Lambda functions, plus LOCAL_CODEC_ENV (the local stack's codec server on loopback).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { GATEWAY_ENV } from '../functions/core/env-names';
import type { GatewayRuntime } from '../functions/runtime/gateway-runtime';
import { LOCAL_CODEC_ENV } from './codec-endpoint';
import { createLocalSqsClient } from './elasticmq';
import { startGatewayServer } from './gateway-server';
import { startQueueConsumers, type QueueConsumers } from './queue-consumer';
import { ensureGatewayQueues } from './sqs-queues';

const DEFAULT_GATEWAY_PORT = 3000;

/** With a local SQS endpoint, consume the gateway's queues as the queue Lambda would. */
async function startLocalQueueConsumers(runtime: GatewayRuntime): Promise<QueueConsumers | undefined> {
  const endpoint = process.env[GATEWAY_ENV.sqsEndpoint];
  if (!endpoint) return undefined;
  const client = createLocalSqsClient(endpoint, process.env.AWS_REGION);
  const queues = await ensureGatewayQueues(client);
  const consumers = await startQueueConsumers({ client, queues, runtime });
  runtime.logger.info('consuming SQS queues', { queues: [queues.events.name, queues.eventsFifo.name] });
  return consumers;
}

async function main(): Promise<void> {
  const logger = new Logger({ serviceName: 'event-gateway' });
  const port = Number(process.env[GATEWAY_ENV.port] ?? DEFAULT_GATEWAY_PORT);
  const server = await startGatewayServer({
    port,
    host: process.env.GATEWAY_HOST ?? '127.0.0.1',
    logger,
    codecOnLoopback: process.env[LOCAL_CODEC_ENV.loopback] === '1',
  });
  logger.info(`gateway listening on ${server.url}`);
  const consumers = await startLocalQueueConsumers(server.runtime);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void (async () => {
      await consumers?.stop();
      await server.close();
      process.exit(0);
    })();
  };
  // `on`, not `once`: a repeated signal (Ctrl-C relayed by tsx) must not kill a draining process.
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
