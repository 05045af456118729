/**
 * `event-gateway dev`: the team's own app's gateway, run locally (see local/dev-app/main.ts). This
 * module is only the command line: the stack itself is loaded when the command runs — from the
 * sources in this repository, from the prebuilt `dist/dev/dev-app.mjs` in the installed package —
 * so the other commands never load the gateway, and the library stays free of the dev stack.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineCommand, type OptionValues } from './args';
import { CliUsageError, type CliIo } from './io';

const PORTS = {
  port: { name: 'gateway', default: 3000, description: 'Port of the gateway (HTTP API and webhooks).' },
  'temporal-port': { name: 'temporal', default: 7233, description: "Port of Temporal's gRPC frontend." },
  'temporal-ui-port': { name: 'temporalUi', default: 8233, description: 'Port of the Temporal UI.' },
  'sqs-port': { name: 'sqs', default: 9324, description: 'Port of the local SQS server (ElasticMQ).' },
} as const;

const options = {
  app: {
    type: 'string',
    value: 'CMD|DIR',
    description:
      'The app: a command (default: cdk.json\'s "app") or a cloud assembly directory such as cdk.out.',
  },
  gateway: {
    type: 'string',
    value: 'PATH',
    description: 'The construct path of the gateway to run, when the app has several (e.g. Orders/Gateway).',
  },
  worker: {
    type: 'string',
    value: 'ENTRY',
    description:
      'Your runWorker entry (e.g. worker/main.ts), run against the local Temporal and restarted on change.',
  },
  ...Object.fromEntries(
    Object.entries(PORTS).map(([flag, port]) => [
      flag,
      { type: 'string', value: 'PORT', description: `${port.description} Default ${port.default}.` },
    ]),
  ),
} as const satisfies Record<string, { type: 'string'; value: string; description: string }>;

/** The module that runs the stack, as it is loaded below. */
interface DevAppModule {
  runDevCommand(
    this: void,
    options: {
      appDir: string;
      app?: string | undefined;
      gateway?: string | undefined;
      worker?: string | undefined;
      ports: Record<(typeof PORTS)[keyof typeof PORTS]['name'], number>;
      env: Readonly<Record<string, string | undefined>>;
      log: (line: string) => void;
    },
    err: (line: string) => void,
  ): Promise<number>;
}

/** The sources beside this file in the repository (run by tsx), else the package's prebuilt stack. */
function devAppModule(): URL {
  const sources = new URL('../dev-app/main.ts', import.meta.url);
  if (import.meta.url.endsWith('.ts') && existsSync(fileURLToPath(sources))) return sources;
  // dist/lib/local/cli/dev.js → dist/dev/dev-app.mjs
  return new URL('../../../dev/dev-app.mjs', import.meta.url);
}

function parsePort(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const port = Number(text);
  if (!/^[0-9]+$/.test(text.trim()) || port < 1 || port > 65_535)
    throw new CliUsageError(`--${flag} must be a port number from 1 to 65535 (got "${text}").`);
  return port;
}

export const devCommand = defineCommand({
  name: 'dev',
  summary: "run your CDK app's gateway locally: Temporal, SQS, the gateway and your worker",
  usage: '[--worker ENTRY] [--app CMD|DIR] [--gateway PATH] [--port PORT] [--temporal-port PORT] …',
  options,
  details: [
    "Run it in your CDK app's directory. It synthesizes the app (or reads the cloud assembly --app names), " +
      'finds its TemporalEventGateway and runs exactly that routing locally: the Temporal dev server (UI ' +
      'included), ElasticMQ with the gateway queues, the gateway and its queue consumers. State stays in ' +
      '.event-gateway/ between runs (workflows, messages, generated secrets); delete it to start afresh.',
    "Secrets: a webhook source NAME's signing secret is GATEWAY_SOURCE_<NAME>_SECRET (e.g. " +
      "GATEWAY_SOURCE_STRIPE_SECRET), the caller API keys GATEWAY_API_KEYS, a signing gateway's secret " +
      "GATEWAY_WEBHOOK_SECRET — from the environment, else the app's .env, else generated once, printed once " +
      'and kept in .event-gateway/secrets.env, where `event-gateway send` run in the app finds it.',
    'Payloads are encrypted as with payloadEncryption in AWS, under a local KMS (local-kms), and large ones go to a ' +
      'local S3 (gofakes3) as with largePayloads; their keys and objects stay in .event-gateway/kms and /s3.',
    'The first run builds the Temporal CLI, local-kms and gofakes3 from their Go modules (Go >= 1.25) and fetches ElasticMQ from Maven ' +
      'Central (Java >= 11, Maven), into ~/.cache/temporal-event-gateway. Exit codes: 0 stopped by Ctrl-C, ' +
      '1 the stack could not start (the message says why), 2 bad arguments.',
  ],
  examples: [
    'event-gateway dev --worker worker/main.ts',
    'event-gateway dev --app cdk.out --gateway Orders/Gateway --port 3001',
    'GATEWAY_SOURCE_STRIPE_SECRET=whsec_… event-gateway dev --worker worker/main.ts',
  ],
  run: runDev,
});

async function runDev(values: OptionValues<typeof options>, io: CliIo): Promise<number> {
  const ports = Object.fromEntries(
    Object.entries(PORTS).map(([flag, port]) => [
      port.name,
      parsePort(flag, (values as Record<string, string | undefined>)[flag], port.default),
    ]),
  ) as Record<(typeof PORTS)[keyof typeof PORTS]['name'], number>;
  const { runDevCommand } = (await import(devAppModule().href)) as DevAppModule;
  return runDevCommand(
    {
      appDir: process.cwd(),
      app: values.app,
      gateway: values.gateway,
      worker: values.worker,
      ports,
      env: io.env,
      log: (line) => io.out(line),
    },
    (line) => io.err(line),
  );
}
