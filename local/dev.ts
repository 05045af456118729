/**
 * `npm run dev`: the embedded default stack — a real Temporal dev server (UI on 8233), ElasticMQ
 * on SQS_PORT with the gateway's queues, the worker, and the gateway on GATEWAY_PORT consuming the
 * queues like Lambda would — with prefixed logs. Ctrl-C or SIGTERM stops every child.
 *
 * Set TEMPORAL_ADDRESS to use a Temporal server you already run instead of starting one;
 * TEMPORAL_DEV_PORT / TEMPORAL_UI_PORT / TEMPORAL_DEV_DB move the embedded one; SQS_ENDPOINT uses
 * an SQS server you already run. Workflows and messages persist in .dev-data/ by default, so a
 * restarted stack still has them. Payloads are encrypted, as a deployed gateway with
 * `payloadEncryption` does: local-kms keeps its keys beside the Temporal database (.dev-data/kms;
 * KMS_DEV_DATA moves them), the gateway and the worker get PAYLOAD_ENV, and
 * .dev-data/payload-env.json records it for the demos' Temporal clients. Large payloads go to
 * gofakes3, its objects beside the Temporal database too (.dev-data/s3; S3_DEV_DATA moves them).
 * The UI shows them decoded: it is started with the gateway's codec server as its codec endpoint,
 * which answers the UI's browser and the CLI on loopback without a credential (local/codec-endpoint.ts).
 * Traces go to Zipkin (UI on 9411) through an OpenTelemetry Collector (local/trace-backend.ts), both
 * started here; OTEL_SDK_DISABLED=true runs without them, and an OTLP endpoint set in the environment is
 * used instead of them.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EVENT_LOG_ENV } from '../contract/env-names';
import { fileURLToPath } from 'node:url';
import { CALLBACK_ENV } from '../contract/callbacks';
import { GATEWAY_ENV, TEMPORAL_ENV } from '../functions/core/env-names';
import { DEFAULT_TASK_QUEUE } from '../contract';
import { localCallbackSigningKeys } from './callback-keys';
import { localEnvelopeKey } from './envelope-key';
import { startChild, waitFor, type Child } from './child-process';
import { localCodecEndpoint, localCodecEnv } from './codec-endpoint';
import { createLocalSqsClient, ELASTICMQ_DEFAULT_PORT, resolveSqsEndpoint } from './elasticmq';
import { LOCAL_PAYLOAD_ENV_FILE, startLocalPayloadKms, writeLocalPayloadEnv } from './payload-kms';
import { startLocalPayloadStore } from './payload-store';
import { ensureGatewayQueues } from './sqs-queues';
import { startTemporalDevServer } from './temporal-dev-server';
import { startDevTraceBackend } from './trace-backend';

const root = fileURLToPath(new URL('..', import.meta.url));
/** Everything the stack started, stopped in reverse order. */
const children: { name: string; stop(graceMs?: number): Promise<void> }[] = [];
let stopping = false;

let stopped: Promise<never> | undefined;

/** Stops every child once, however many signals arrive; later calls wait for the same stop. */
function stopAll(code: number): Promise<never> {
  stopped ??= (async () => {
    stopping = true;
    console.log('\n[dev] stopping…');
    // Reverse start order: the gateway and worker drain before Temporal goes away.
    for (const child of [...children].reverse()) await child.stop(15_000);
    console.log('[dev] stopped');
    process.exit(code);
  })();
  return stopped;
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
  // `on`, not `once`: Ctrl-C reaches npm, tsx and this process alike and tsx relays it again, so a
  // second signal must not fall through to Node's default (exit at once, children orphaned).
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  const gatewayPort = Number(process.env[GATEWAY_ENV.port] ?? 3000);
  const taskQueue = process.env[TEMPORAL_ENV.taskQueue] ?? DEFAULT_TASK_QUEUE;
  const dbFilename = process.env.TEMPORAL_DEV_DB ?? `${root}.dev-data/temporal.db`;
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  // The UI decodes payloads through the gateway's codec server (local/codec-endpoint.ts).
  const codecEndpoint = localCodecEndpoint(gatewayUrl);
  const uiPort = Number(process.env.TEMPORAL_UI_PORT ?? 8233);
  // Started beside Temporal (it listens in well under a second once built): payloads are encrypted.
  // Its keys live beside the histories they encrypt, as long as they do.
  const kmsDir = process.env.KMS_DEV_DATA ?? join(dirname(dbFilename), 'kms');
  const payloadKms = startLocalPayloadKms({ dataDir: kmsDir }).then((started) => {
    children.push({ name: 'kms', stop: () => started.stop() });
    return started;
  });
  const payloadStore = startLocalPayloadStore({
    dataDir: process.env.S3_DEV_DATA ?? join(dirname(dbFilename), 's3'),
  }).then((started) => {
    children.push({ name: 's3', stop: () => started.stop() });
    return started;
  });
  payloadStore.catch(() => undefined);
  // Zipkin takes ~10 s to start (a JVM): beside Temporal, not after it.
  const traces = startDevTraceBackend(process.env, { log: (line) => console.log(`[dev] ${line}`) }).then(
    (started) => {
      const { backend } = started;
      if (backend) children.push({ name: 'traces', stop: () => backend.stop() });
      return started;
    },
  );
  traces.catch(() => undefined);
  payloadKms.catch(() => undefined); // awaited below; a Temporal failure first must not leave it unhandled
  let temporalAddress = process.env[TEMPORAL_ENV.address];
  let uiUrl = '(your Temporal UI)';
  if (!temporalAddress) {
    mkdirSync(dirname(dbFilename), { recursive: true });
    const port = Number(process.env.TEMPORAL_DEV_PORT ?? 7233);
    console.log('[dev] starting the Temporal dev server (the first run may build the Temporal CLI)…');
    const temporal = await startTemporalDevServer({
      dbFilename,
      port,
      uiPort,
      uiCodecEndpoint: codecEndpoint,
    });
    children.push(temporal);
    temporalAddress = temporal.address;
    uiUrl = `http://localhost:${uiPort}`;
  }

  console.log('[dev] starting ElasticMQ (the first run fetches it from Maven Central)…');
  const sqs = await resolveSqsEndpoint({
    port: Number(process.env[GATEWAY_ENV.sqsPort] ?? ELASTICMQ_DEFAULT_PORT),
    persistDir: process.env.SQS_DEV_DATA ?? `${root}.dev-data/elasticmq`,
  });
  children.push({ name: 'sqs', stop: () => sqs.stop() });
  const sqsClient = createLocalSqsClient(sqs.endpoint, sqs.region);
  const queues = await ensureGatewayQueues(sqsClient);
  sqsClient.destroy();

  const [kms, store, tracing] = await Promise.all([payloadKms, payloadStore, traces]);
  const payloadEnv = { ...kms.env, ...store.env };
  writeLocalPayloadEnv(`${root}${LOCAL_PAYLOAD_ENV_FILE}`, temporalAddress, payloadEnv);
  const env = {
    ...process.env,
    ...payloadEnv,
    // Both export to the local trace backend (each names its own service).
    ...tracing.env,
    // The worker mints callback URLs with this key under the gateway's URL; the gateway verifies.
    [CALLBACK_ENV.signingKeys]: localCallbackSigningKeys(`${root}.dev-data/callback-signing-keys`),
    [CALLBACK_ENV.baseUrl]: process.env[CALLBACK_ENV.baseUrl] ?? gatewayUrl,
    [TEMPORAL_ENV.address]: temporalAddress,
    [TEMPORAL_ENV.taskQueue]: taskQueue,
    [GATEWAY_ENV.sqsEndpoint]: sqs.endpoint,
    AWS_REGION: sqs.region,
    [GATEWAY_ENV.queueUrl]: queues.events.url,
    [GATEWAY_ENV.dlqUrl]: queues.eventsDlq.url,
    [GATEWAY_ENV.fifoDlqUrl]: queues.eventsDlqFifo.url,
  };
  tsx('worker', `${root}worker/main.ts`, env);
  tsx('gateway', `${root}local/gateway-main.ts`, {
    ...env,
    [GATEWAY_ENV.port]: String(gatewayPort),
    // Seals the gateway's own queue messages: the gateway process alone holds it, not the worker.
    [GATEWAY_ENV.envelopeKey]: localEnvelopeKey(`${root}.dev-data/envelope-key`),
    // The event log (issue 30): a directory in the bucket's layout, read by the CLI and /_events.
    [EVENT_LOG_ENV.directory]: process.env[EVENT_LOG_ENV.directory] ?? `${root}.dev-data/event-log`,
    // The local UI's browser and the CLI may decode on loopback; other origins as the developer set.
    ...localCodecEnv(uiPort, process.env),
  });
  await waitFor('the gateway', async () => (await fetch(`${gatewayUrl}/healthz`)).ok);

  console.log(`
[dev] ready
  gateway      ${gatewayUrl}   (OpenAPI: ${gatewayUrl}/openapi.json)
  temporal     ${temporalAddress}   UI: ${uiUrl}
  codec        ${codecEndpoint}   (the UI's codec server; the CLI: temporal workflow show --codec-endpoint ${codecEndpoint} …)
  task queue   ${taskQueue}
  sqs          ${sqs.endpoint}   queues: ${Object.values(queues)
    .map((q) => q.name)
    .join(', ')}
  kms          ${kms.description}
  s3           ${store.description}
  traces       ${tracing.description}

  try it:
    curl -i -X POST ${gatewayUrl}/v1/workflows/staged-hello/signals/advanceStage \\
      -H 'content-type: application/json' -H 'Idempotency-Key: hello-1' -d '{"stage":1}'
    curl ${gatewayUrl}/v1/workflows/staged-hello/queries/progress
    npx event-gateway enqueue --workflow-id staged-hello --signal advanceStage --payload '{"stage":2}'
  or run the whole demo:  npm run demo
  callback URLs (a partner's handshake):  npm run demo:handshake
  Ctrl-C stops everything.
`);
}

main().catch(async (error: unknown) => {
  console.error(`[dev] ${error instanceof Error ? error.message : String(error)}`);
  await stopAll(1);
});
