/**
 * The gateway as the benchmarks run it: the local HTTP server (the same Hono app the ingest Lambda
 * exports) in a process of its own, so the load generator never shares its event loop. Reads the
 * usual environment; prints one line with its URL once it listens.
 *
 * With `BENCH_CPU_PROFILE=<file>` it profiles its CPU between SIGUSR2 and SIGTERM and writes a V8
 * `.cpuprofile` there, so a profile covers the load alone, not the start-up (tsx compiling, modules
 * loading) that `node --cpu-prof` would mix in.
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { Logger } from '@aws-lambda-powertools/logger';
import { startGatewayServer } from '../local/gateway-server';
import { GATEWAY_READY_PREFIX } from './processes';

// The deployed functions' logger at their level: a delivered signal logs nothing, as in Lambda.
const logger = new Logger({ serviceName: 'bench-gateway', logLevel: 'INFO' });
const server = await startGatewayServer({ port: 0, logger });
process.stdout.write(`${GATEWAY_READY_PREFIX}${server.url}\n`);

const profilePath = process.env.BENCH_CPU_PROFILE;
let profiler: Session | undefined;
if (profilePath) {
  process.on('SIGUSR2', () => {
    if (profiler) return;
    profiler = new Session();
    profiler.connect();
    void profiler
      .post('Profiler.enable')
      .then(() => profiler!.post('Profiler.start'))
      .then(() => process.stdout.write('bench-gateway-profiling\n'));
  });
}

const writeProfile = async () => {
  if (!profiler || !profilePath) return;
  const { profile } = await profiler.post('Profiler.stop');
  await writeFile(profilePath, JSON.stringify(profile));
};

const stop = () =>
  void writeProfile()
    .then(() => server.close())
    .then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
