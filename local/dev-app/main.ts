/**
 * `event-gateway dev`, run in a team's own CDK app: the app synthesized (or its cloud assembly read),
 * its TemporalEventGateway found, and that gateway's exact routing run locally — the embedded
 * Temporal dev server, ElasticMQ with the gateway's queues, the gateway's HTTP app and queue
 * consumers — plus, with `--worker`, the team's worker, restarted when its files change. Payloads
 * follow the app's props: local-kms for `payloadEncryption`, gofakes3 for `largePayloads`, and then
 * the UI decodes them through the gateway's codec server (payload-services.ts). Traces go to Zipkin
 * through an OpenTelemetry Collector (local/trace-backend.ts; OTEL_SDK_DISABLED=true turns them off,
 * an OTLP endpoint in the environment is used instead). State
 * (workflows, messages, generated secrets, the synthesized assembly) lives in `.event-gateway/`.
 *
 * The installed package runs this module prebuilt (`dist/dev/dev-app.mjs`, built by scripts/build.ts),
 * so everything the gateway needs ships with it; the tools (the Temporal CLI, ElasticMQ's jars) are
 * built or fetched into the tool cache on first use, with a progress line.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { join } from 'node:path';
import { EVENT_LOG_ENV } from '../../contract/env-names';
import { CALLBACK_ENV } from '../../contract/callbacks';
import { GATEWAY_ENV, TEMPORAL_ENV } from '../../functions/core/env-names';
import { localCallbackSigningKeys } from '../callback-keys';
import { writeDevSession, localRouting } from '../cli/dev-session';
import { ensureDevDir, resolveLocalSecrets, type LocalSecret, type SecretKind } from '../cli/local-secrets';
import { createLocalSqsClient, resolveSqsEndpoint } from '../elasticmq';
import { startGatewayServer } from '../gateway-server';
import { findJava } from '../java-tools';
import { startQueueConsumers } from '../queue-consumer';
import { ensureGatewayQueues } from '../sqs-queues';
import { startTemporalDevServer } from '../temporal-dev-server';
import { startDevTraceBackend } from '../trace-backend';
import { cloudAssembly, findGateways, pickGateway, type AppGateway } from './cloud-assembly';
import { DevSetupError } from './dev-errors';
import { devCodecServer, startDevPayloadServices } from './payload-services';
import { checkPortsFree, type DevPorts } from './ports';
import { readyBanner } from './ready-banner';
import { startDevWorker } from './worker-process';

export interface DevAppOptions {
  readonly appDir: string;
  readonly app?: string | undefined;
  readonly gateway?: string | undefined;
  readonly ports: DevPorts;
  readonly worker?: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Progress and the ready banner. */
  readonly log: (line: string) => void;
}

export interface DevApp {
  readonly gateway: AppGateway;
  readonly gatewayUrl: string;
  stop(): Promise<void>;
}

/** The namespace the embedded dev server has; the app's own namespace exists only in its cloud. */
const LOCAL_NAMESPACE = 'default';

/** The gateway's own credential, by auth mode: the API keys or the signing secret. */
function authSecret(auth: string): { name: string; kind: SecretKind } | undefined {
  if (auth === 'api-key') return { name: GATEWAY_ENV.apiKeys, kind: 'api-key' };
  if (auth === 'standard-webhooks') return { name: GATEWAY_ENV.webhookSecret, kind: 'standard-webhooks' };
  if (auth === 'stripe') return { name: GATEWAY_ENV.webhookSecret, kind: 'stripe' };
  if (auth === 'github') return { name: GATEWAY_ENV.webhookSecret, kind: 'hmac' };
  return undefined;
}

/**
 * The variables the worker and gateway get: the local Temporal and nothing of a cloud profile
 * (credentials in the developer's shell or temporal.toml must not leak into the local stack).
 */
function localTemporalEnv(
  env: Readonly<Record<string, string | undefined>>,
  address: string,
  devDir: string,
): Record<string, string | undefined> {
  const cleaned: Record<string, string | undefined> = { ...env };
  for (const name of Object.values(TEMPORAL_ENV)) delete cleaned[name];
  delete cleaned.TEMPORAL_PROFILE;
  return {
    ...cleaned,
    [TEMPORAL_ENV.address]: address,
    [TEMPORAL_ENV.namespace]: LOCAL_NAMESPACE,
    // No profile file: the worker's envconfig reads only the variables above.
    TEMPORAL_CONFIG_FILE: join(devDir, 'no-temporal-profile.toml'),
  };
}

export async function startDevApp(options: DevAppOptions): Promise<DevApp> {
  const { appDir, ports, log } = options;
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const stopOne of stops.reverse()) await stopOne().catch(() => undefined);
    stops.length = 0;
  };
  try {
    await checkPortsFree(ports);
    const devDir = ensureDevDir(appDir);
    // Before the slow steps: a missing Java is known in a second, not after the synth.
    await findJava();
    const assembly = await cloudAssembly({
      appDir,
      app: options.app,
      outDir: join(devDir, 'cdk.out'),
      log,
    });
    const gateway = pickGateway(findGateways(assembly), options.gateway);
    const routing = localRouting(gateway.configJson);
    const own = authSecret(gateway.auth);
    const secrets = resolveLocalSecrets(appDir, options.env, [
      ...(own ? [own] : []),
      ...(gateway.codecApiKeys ? [{ name: GATEWAY_ENV.codecApiKeys, kind: 'api-key' as const }] : []),
      ...routing.secrets.map(({ name, kind }) => ({ name, kind })),
    ]);

    const gatewayUrl = `http://127.0.0.1:${ports.gateway}`;
    const codec = devCodecServer(gateway, gatewayUrl, ports.temporalUi);
    // Listed in the progress line only when the app's props need them.
    const emulators = [
      ...(gateway.payloads.encryption ? [', local-kms'] : []),
      ...(gateway.payloads.largePayloads ? [', gofakes3'] : []),
    ].join('');
    log(
      `[dev] starting Temporal, ElasticMQ${emulators} (the first run builds the Temporal CLI${emulators} and fetches ElasticMQ)…`,
    );
    // The payload emulators as the app's props ask (well under a second each once built).
    const [temporal, sqs, payloads, traces] = await Promise.all([
      startTemporalDevServer({
        port: ports.temporal,
        uiPort: ports.temporalUi,
        dbFilename: join(devDir, 'temporal.db'),
        ...(codec ? { uiCodecEndpoint: codec.endpoint } : {}),
      }).then((server) => {
        stops.push(() => server.stop(10_000));
        return server;
      }),
      resolveSqsEndpoint({ port: ports.sqs, persistDir: join(devDir, 'elasticmq'), log }).then((server) => {
        stops.push(() => server.stop());
        return server;
      }),
      startDevPayloadServices({ gateway, devDir, log, onStarted: (stopOne) => stops.push(stopOne) }),
      // Zipkin takes ~10 s (a JVM): beside Temporal, not after it.
      startDevTraceBackend(options.env, { log }).then((started) => {
        const { backend } = started;
        if (backend) stops.push(() => backend.stop());
        return started;
      }),
    ]);
    const sqsClient = createLocalSqsClient(sqs.endpoint, sqs.region);
    stops.push(() => Promise.resolve(sqsClient.destroy()));
    const queues = await ensureGatewayQueues(sqsClient);

    const callbackKeys = localCallbackSigningKeys(join(devDir, 'callback-signing-keys'), options.env);
    const shared = {
      ...localTemporalEnv(options.env, temporal.address, devDir),
      ...payloads.env,
      // The gateway and the worker export to the local trace backend (each names its own service).
      ...traces.env,
      [CALLBACK_ENV.signingKeys]: callbackKeys,
      [CALLBACK_ENV.baseUrl]: options.env[CALLBACK_ENV.baseUrl] ?? gatewayUrl,
    };
    const gatewayEnv: Record<string, string | undefined> = {
      ...shared,
      ...Object.fromEntries(secrets.map((secret) => [secret.name, secret.value])),
      [GATEWAY_ENV.config]: routing.configJson,
      [GATEWAY_ENV.auth]: gateway.auth,
      [GATEWAY_ENV.sqsEndpoint]: sqs.endpoint,
      AWS_REGION: sqs.region,
      [GATEWAY_ENV.queueUrl]: queues.events.url,
      [GATEWAY_ENV.dlqUrl]: queues.eventsDlq.url,
      [GATEWAY_ENV.fifoDlqUrl]: queues.eventsDlqFifo.url,
      // The event log (issue 30): a directory under the state dir, read by the CLI and /_events.
      [EVENT_LOG_ENV.directory]: options.env[EVENT_LOG_ENV.directory] ?? join(devDir, 'event-log'),
      ...codec?.env,
      ...(gateway.temporalDeadlineMs ? { [GATEWAY_ENV.temporalDeadlineMs]: gateway.temporalDeadlineMs } : {}),
    };
    delete gatewayEnv[GATEWAY_ENV.configFile];
    delete gatewayEnv[GATEWAY_ENV.configSha256];
    const logger = new Logger({ serviceName: 'event-gateway' });
    const server = await startGatewayServer({
      port: ports.gateway,
      host: '127.0.0.1',
      env: gatewayEnv,
      logger,
      codecOnLoopback: codec !== undefined,
    });
    stops.push(() => server.close());
    const consumers = await startQueueConsumers({ client: sqsClient, queues, runtime: server.runtime });
    stops.push(() => consumers.stop());
    writeDevSession(appDir, { gatewayUrl, auth: gateway.auth, configJson: routing.configJson });

    if (options.worker !== undefined) {
      const worker = startDevWorker({ appDir, entry: options.worker, env: shared, log });
      stops.push(() => worker.stop());
    }
    log(
      readyBanner({
        gateway,
        gatewayUrl,
        temporalAddress: temporal.address,
        temporalUiUrl: `http://localhost:${ports.temporalUi}`,
        sqsEndpoint: sqs.endpoint,
        payloadEncryption: payloads.kms,
        largePayloads: payloads.s3,
        codecEndpoint: codec?.endpoint,
        traces: traces.description,
        sources: routing.secrets,
        secrets,
        devDir,
        worker: options.worker,
      }),
    );
    return { gateway, gatewayUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Errors of the local tools whose message is the whole story (what is missing, how to get it). */
const SETUP_ERRORS = new Set([
  'DevSetupError',
  'JavaToolError',
  'ElasticMqError',
  'LocalKmsError',
  'LocalS3Error',
  'TemporalCliError',
  'TraceBackendError',
  'ToolBuildError',
  'SqsQueueSetupError',
  'GatewayEnvError',
  'GatewayConfigError',
]);

/** A secret value is never part of an error we print. */
export function describeDevError(error: unknown, secrets: readonly LocalSecret[] = []): string {
  let text = error instanceof Error ? error.message : String(error);
  if (error instanceof Error && !SETUP_ERRORS.has(error.name))
    text = `unexpected error: ${error.name}: ${text}`;
  for (const secret of secrets) text = text.split(secret.value).join('***');
  return text;
}

/** The command: start, serve until SIGINT/SIGTERM, stop everything; the exit code. */
export async function runDevCommand(options: DevAppOptions, err: (line: string) => void): Promise<number> {
  let app: DevApp;
  try {
    app = await startDevApp(options);
  } catch (error) {
    err(`event-gateway dev: ${describeDevError(error)}`);
    return 1;
  }
  await new Promise<void>((resolve) => {
    // `on`, not `once`: a second Ctrl-C while draining must not kill the process with children left.
    process.on('SIGINT', () => resolve());
    process.on('SIGTERM', () => resolve());
  });
  options.log('\n[dev] stopping…');
  await app.stop();
  options.log('[dev] stopped');
  return 0;
}

export { DevSetupError };
