/**
 * The gateway as the benchmarks run it: the local HTTP server (the same Hono app the ingest Lambda
 * exports) in a process of its own, so the load generator never shares its event loop. Reads the
 * usual environment; prints one line with its URL once it listens.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { startGatewayServer } from '../local/gateway-server';
import { GATEWAY_READY_PREFIX } from './processes';

// The deployed functions' logger at their level: a delivered signal logs nothing, as in Lambda.
const logger = new Logger({ serviceName: 'bench-gateway', logLevel: 'INFO' });
const server = await startGatewayServer({ port: 0, logger });
process.stdout.write(`${GATEWAY_READY_PREFIX}${server.url}\n`);

const stop = () => void server.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
