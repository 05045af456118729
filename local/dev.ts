/**
 * `npm run dev`: the embedded default stack — a real Temporal dev server (UI on 8233), the worker
 * and the gateway on GATEWAY_PORT — with prefixed logs. Ctrl-C or SIGTERM stops every child.
 *
 * Set TEMPORAL_ADDRESS to use a Temporal server you already run instead of starting one;
 * TEMPORAL_DEV_PORT / TEMPORAL_UI_PORT / TEMPORAL_DEV_DB move the embedded one (workflows persist in
 * .temporal-dev/ by default, so a restarted stack still has them).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GATEWAY_ENV, TEMPORAL_ENV } from '../functions/core/env-names';
import { DEFAULT_TASK_QUEUE } from '../worker/contract';
import { startChild, waitFor, type Child } from './child-process';
import { startTemporalDevServer } from './temporal-dev-server';

const root = fileURLToPath(new URL('..', import.meta.url));
const children: Child[] = [];
let stopping = false;

async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    console.log('\n[dev] stopping…');
    // Reverse start order: the gateway and worker drain before Temporal goes away.
    for (const child of [...children].reverse()) await child.stop(15_000);
    console.log('[dev] stopped');
  }
  process.exit(code);
}

function tsx(name: string, entry: string, env: Record<string, string | undefined>): Child {
  const child = startChild(name, process.execPath, ['--import', 'tsx', entry], env);
  children.push(child);
  void child.exited.then((exitCode) => {
    if (!stopping) {
      console.error(`[dev] ${name} exited unexpectedly (code ${exitCode}); stopping the stack.`);
      void stopAll(1);
    }
  });
  return child;
}

async function main(): Promise<void> {
  process.once('SIGINT', () => void stopAll(0));
  process.once('SIGTERM', () => void stopAll(0));

  const gatewayPort = Number(process.env[GATEWAY_ENV.port] ?? 3000);
  const taskQueue = process.env[TEMPORAL_ENV.taskQueue] ?? DEFAULT_TASK_QUEUE;
  let temporalAddress = process.env[TEMPORAL_ENV.address];
  let uiUrl = '(your Temporal UI)';
  if (!temporalAddress) {
    const dbFilename = process.env.TEMPORAL_DEV_DB ?? `${root}.temporal-dev/temporal.db`;
    mkdirSync(dirname(dbFilename), { recursive: true });
    const port = Number(process.env.TEMPORAL_DEV_PORT ?? 7233);
    const uiPort = Number(process.env.TEMPORAL_UI_PORT ?? 8233);
    console.log('[dev] starting the Temporal dev server (the first run may build the Temporal CLI)…');
    const temporal = await startTemporalDevServer({ dbFilename, port, uiPort });
    children.push(temporal);
    temporalAddress = temporal.address;
    uiUrl = `http://localhost:${uiPort}`;
  }

  const env = {
    ...process.env,
    [TEMPORAL_ENV.address]: temporalAddress,
    [TEMPORAL_ENV.taskQueue]: taskQueue,
  };
  tsx('worker', `${root}worker/main.ts`, env);
  tsx('gateway', `${root}local/gateway-main.ts`, { ...env, [GATEWAY_ENV.port]: String(gatewayPort) });
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  await waitFor('the gateway', async () => (await fetch(`${gatewayUrl}/healthz`)).ok);

  console.log(`
[dev] ready
  gateway      ${gatewayUrl}   (OpenAPI: ${gatewayUrl}/openapi.json)
  temporal     ${temporalAddress}   UI: ${uiUrl}
  task queue   ${taskQueue}

  try it:
    curl -i -X POST ${gatewayUrl}/v1/workflows/staged-hello/signals/advanceStage \\
      -H 'content-type: application/json' -H 'Idempotency-Key: hello-1' -d '{"stage":1}'
    curl ${gatewayUrl}/v1/workflows/staged-hello/queries/progress
  or run the whole demo:  npm run demo
  Ctrl-C stops everything.
`);
}

main().catch(async (error: unknown) => {
  console.error(`[dev] ${error instanceof Error ? error.message : String(error)}`);
  await stopAll(1);
});
