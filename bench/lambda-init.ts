/**
 * Lambda cold-start weight: bundle bytes and module-init time of the gateway's two functions
 * against two anchors bundled the same way — the AWS-native alternative (a Step Functions
 * `SendTaskSuccess` Lambda) and the floor of anything that talks to Temporal (a bare
 * `@temporalio/client` Lambda).
 *
 * Every variant, the anchors included, is bundled with the shipped handlers' own options
 * (`handlerBuildOptions` in infra/lambda-handlers.ts): esbuild, platform node, ESM, minified, linked
 * source map without sources, the `require` banner, code splitting, and everything bundled
 * including the AWS SDK (the runtime's own SDK copy is not pinned). Only the target differs: the
 * Node that runs the bench here, node24 in Lambda. A bundle's size is what its init phase reads:
 * `index.mjs` and the chunks it imports statically; chunks behind `import()` are counted apart.
 *
 * Init time is measured the way Lambda's "Init Duration" sees it, from process start to the
 * handler module resolved: each sample is a fresh `node` that imports the bundle with the function's
 * environment (nothing that touches the network at init: no secret ARNs). The variants take turns
 * within each round so the machine's noise falls on all of them alike.
 */
import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import { filesReadAtInit, HANDLER_FILE, handlerBuildOptions } from '../infra/lambda-handlers';
import {
  DEFAULT_GATEWAY_CHECKS_FILE_NAME,
  gatewayConfigDigest,
} from '../functions/adapters/gateway-config-file';
import { DEFAULT_GATEWAY_CONFIG } from '../functions/core/default-config';
import { DEMO_SOURCE_SECRET_ENV, GATEWAY_ENV, TEMPORAL_ENV } from '../functions/core/env-names';
import { routingToConfigJson } from '../infra/props/routing';
import { initCostsByModule, type InitCost } from './cpu-profile';
import { median, round } from './stats';

export const LAMBDA_VARIANTS = {
  ingest: 'functions/handlers/http.ts',
  queue: 'functions/handlers/sqs.ts',
  sfnAnchor: 'bench/lambdas/sfn-anchor.ts',
  bareClient: 'bench/lambdas/bare-client.ts',
  leanClient: 'bench/lambdas/lean-client.ts',
  // The layers of the bound (docs/benchmarks.md, "Lambda init"): each alone, bundled the same way.
  routingConfig: 'bench/lambdas/routing-config.ts',
  routingSealed: 'bench/lambdas/routing-sealed.ts',
  grpcJsTransport: 'bench/lambdas/grpc-js-transport.ts',
  http2GrpcTransport: 'bench/lambdas/http2-grpc-transport.ts',
  connectTransport: 'bench/lambdas/connect-transport.ts',
  http2Builtin: 'bench/lambdas/http2-builtin.ts',
  httpsBuiltin: 'bench/lambdas/https-builtin.ts',
} as const;

/** The variants reported as layers of the bound rather than as functions. */
export const LAYER_VARIANTS = [
  'routingConfig',
  'routingSealed',
  'grpcJsTransport',
  'http2GrpcTransport',
  'connectTransport',
  'http2Builtin',
  'httpsBuiltin',
] as const satisfies readonly LambdaVariant[];

export type LambdaVariant = keyof typeof LAMBDA_VARIANTS;

const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/000000000000/event-gateway-events';

/**
 * The staged demo's routing as the synth hands it to both functions: validated, defaults filled
 * in, with its digest, so they compile it without validating it again as they do when deployed
 * (the construct writes it to a file in the code; inline here, which differs by one small read).
 */
const ROUTING_JSON = routingToConfigJson(DEFAULT_GATEWAY_CONFIG);
const SEALED_ROUTING = {
  [GATEWAY_ENV.config]: ROUTING_JSON,
  [GATEWAY_ENV.configSha256]: gatewayConfigDigest(ROUTING_JSON),
};

/**
 * Each demo source's signing secret, as a value. In AWS every webhook source has one (the construct
 * makes a Secrets Manager secret per source, read at init); without them the ingest function would
 * build no verifier and log a "webhook source disabled" warning per source at init, which a deployed
 * function never does. Values here, not ARNs: the bench leaves Secrets Manager's round trip out.
 */
const SOURCE_SECRETS: Record<string, string> = Object.fromEntries(
  Object.entries(DEMO_SOURCE_SECRET_ENV).map(([source, variable]) => [
    variable,
    // Standard Webhooks secrets are `whsec_` + base64; the others take any string.
    source === 'standard-webhooks'
      ? `whsec_${Buffer.from(`bench-${source}-secret`).toString('base64')}`
      : `bench-${source}-secret`,
  ]),
);

/**
 * The key that seals queue messages, as a value: a deployed stack gives both functions one through
 * Secrets Manager (GATEWAY_ENVELOPE_KEY_SECRET_ARN); without it each function makes a key of its own
 * and warns at init, which a deployed function never does.
 */
const ENVELOPE_KEY = { [GATEWAY_ENV.envelopeKey]: 'bench-envelope-key-0123456789abcdef' };

/**
 * What each function gets from the stack (its secrets as values, see SOURCE_SECRETS and
 * ENVELOPE_KEY: secret ARNs would reach Secrets Manager at init). Every variant gets the GatewayFunction construct's common environment, including
 * `NODE_OPTIONS=--enable-source-maps`, so all four pay for reading their source map alike.
 */
export function lambdaEnv(variant: LambdaVariant, sourceMaps: boolean): Record<string, string> {
  const common: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    AWS_REGION: 'us-east-1',
    AWS_LAMBDA_FUNCTION_NAME: `bench-${variant}`,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
    POWERTOOLS_SERVICE_NAME: `bench-${variant}`,
    POWERTOOLS_METRICS_NAMESPACE: 'EventGateway',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    NODE_OPTIONS: sourceMaps ? '--enable-source-maps' : '',
    [TEMPORAL_ENV.address]: '127.0.0.1:7233',
    [TEMPORAL_ENV.namespace]: 'default',
    [TEMPORAL_ENV.taskQueue]: 'event-gateway',
  };
  switch (variant) {
    case 'ingest':
      return {
        ...common,
        ...SEALED_ROUTING,
        ...SOURCE_SECRETS,
        ...ENVELOPE_KEY,
        [GATEWAY_ENV.auth]: 'api-key',
        [GATEWAY_ENV.apiKeys]: 'bench-api-key-0123456789',
        [GATEWAY_ENV.queueUrl]: QUEUE_URL,
      };
    case 'queue':
      return {
        ...common,
        ...SEALED_ROUTING,
        ...ENVELOPE_KEY,
        [GATEWAY_ENV.queueUrl]: QUEUE_URL,
        [GATEWAY_ENV.dlqUrl]: `${QUEUE_URL}-dlq`,
        [GATEWAY_ENV.fifoDlqUrl]: `${QUEUE_URL}-dlq.fifo`,
      };
    case 'routingSealed':
      return { ...common, ...SEALED_ROUTING };
    default:
      return common;
  }
}

export interface BundledLambda {
  /** Whose environment it runs with. */
  variant: LambdaVariant;
  /** Its name in results: the variant, or an experiment's own name. */
  label: string;
  path: string;
  /** What the init phase reads: `index.mjs` and the chunks it imports statically. */
  bytes: number;
  /** Every file of the bundle, the chunks loaded on first use (`import()`) included. */
  allBytes: number;
}

/**
 * The shipped handlers' own options (infra/lambda-handlers.ts), for whichever Node runs the bench.
 * `@grpc/proto-loader` stays out: only the grpc-js layer variant meets it, and grpc-js requires it
 * only inside its channelz and ORCA services (never started), so the layer is measured as the
 * functions bundled grpc-js until issue 31, without protobufjs's reflection runtime.
 */
function bundleOptions(entry: string, outDir: string, minify: boolean): BuildOptions {
  return {
    ...handlerBuildOptions(entry, outDir),
    target: `node${process.versions.node.split('.')[0]}`,
    minify,
    metafile: true,
    external: ['@grpc/proto-loader'],
  };
}

/**
 * Bundles every variant into `outDir/<variant>/index.mjs`. `minify: false` is for profiling only:
 * the same code with one statement per line, so profile ticks map back to source modules.
 */
export async function bundleLambdas(
  repoRoot: string,
  outDir: string,
  options: { minify?: boolean } = {},
): Promise<BundledLambda[]> {
  return Promise.all(
    (Object.keys(LAMBDA_VARIANTS) as LambdaVariant[]).map((variant) =>
      bundleLambda(
        join(repoRoot, LAMBDA_VARIANTS[variant]),
        join(outDir, variant),
        variant,
        variant,
        options,
      ),
    ),
  );
}

/** Bundles one entry into `dir/index.mjs` the way the stack does. */
export async function bundleLambda(
  entry: string,
  dir: string,
  variant: LambdaVariant,
  label: string,
  options: { minify?: boolean } = {},
): Promise<BundledLambda> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, HANDLER_FILE);
  const { metafile } = await build({
    ...bundleOptions(entry, dir, options.minify ?? true),
    absWorkingDir: dir,
  });
  const outputs = Object.keys(metafile?.outputs ?? {});
  const entryFile = outputs.find((file) => file.endsWith(`/${HANDLER_FILE}`) || file === HANDLER_FILE) ?? '';
  const allBytes = outputs
    .filter((file) => file.endsWith('.mjs'))
    .reduce((sum, file) => sum + (metafile?.outputs[file]?.bytes ?? 0), 0);
  const bytes = metafile
    ? filesReadAtInit(metafile, entryFile).reduce(
        (sum, file) => sum + (metafile.outputs[file]?.bytes ?? 0),
        0,
      )
    : 0;
  // The build's argument checks of the default configuration, beside the handler as in the package:
  // the sealed routing loads them at init (adapters/gateway-config-file.ts), so they count as read.
  const checks = await readFile(
    new URL(`../functions/adapters/${DEFAULT_GATEWAY_CHECKS_FILE_NAME}`, import.meta.url),
  );
  await writeFile(join(dir, DEFAULT_GATEWAY_CHECKS_FILE_NAME), checks);
  const readsChecks = variant === 'ingest' || variant === 'queue' || variant === 'routingSealed';
  return { variant, label, path, bytes: bytes + (readsChecks ? checks.byteLength : 0), allBytes };
}

/** Printed by the runner: ms since process start before and after the import resolved. */
interface InitSample {
  beforeImportMs: number;
  afterImportMs: number;
  /** User + system CPU of the whole process (all threads) when the import resolved. */
  cpuMs: number;
}

const RUNNER = [
  'const before = performance.now();',
  'await import(process.env.BENCH_BUNDLE_URL);',
  'const after = performance.now();',
  'const { user, system } = process.cpuUsage();',
  'const cpuMs = (user + system) / 1000;',
  'process.stdout.write(JSON.stringify({ beforeImportMs: before, afterImportMs: after, cpuMs }));',
  // Powertools or the SDK may hold handles open; the sample is taken, so leave at once.
  'process.exit(0);',
].join('\n');

function runNode(args: readonly string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`node ${args.join(' ')} exited with ${code}: ${err.trim().slice(0, 2000)}`));
    });
  });
}

async function sampleInit(
  bundle: BundledLambda,
  sourceMaps: boolean,
  extraArgs: readonly string[] = [],
  extraEnv: Record<string, string> = {},
): Promise<InitSample> {
  const env = {
    ...lambdaEnv(bundle.variant, sourceMaps),
    ...extraEnv,
    BENCH_BUNDLE_URL: pathToFileURL(bundle.path).href,
  };
  const out = await runNode([...extraArgs, '--input-type=module', '-e', RUNNER], env);
  return JSON.parse(out) as InitSample;
}

export interface InitTimes {
  /** Median ms from process start to the handler module resolved. */
  initMs: number;
  /** Median ms of the import alone (without Node's own start-up). */
  importMs: number;
  /**
   * Median CPU ms the process had used by then: less sensitive than wall time to other work on a
   * shared machine (but it counts V8's background threads too).
   */
  cpuMs: number;
  samples: number[];
}

/**
 * `runs` fresh processes per variant, the variants taking turns within each round. `extraEnv` adds
 * to a bundle's function environment (the encryption section: one bundle, two labels, key set or not).
 */
export async function measureInit(
  bundles: readonly BundledLambda[],
  runs: number,
  sourceMaps: boolean,
  extraEnv: (bundle: BundledLambda) => Record<string, string> = () => ({}),
): Promise<Record<string, InitTimes>> {
  const samples = new Map<string, InitSample[]>(bundles.map((bundle) => [bundle.label, []]));
  for (let round = 0; round < runs; round += 1) {
    // A different order each round, so no variant always runs right after a particular one.
    const order = bundles.map((_, index) => bundles[(index + round) % bundles.length]!);
    for (const bundle of order)
      samples.get(bundle.label)!.push(await sampleInit(bundle, sourceMaps, [], extraEnv(bundle)));
  }
  const result: Record<string, InitTimes> = {};
  for (const [label, list] of samples) {
    result[label] = {
      initMs: round(median(list.map((sample) => sample.afterImportMs))),
      importMs: round(median(list.map((sample) => sample.afterImportMs - sample.beforeImportMs))),
      cpuMs: round(median(list.map((sample) => sample.cpuMs))),
      samples: list.map((sample) => round(sample.afterImportMs)),
    };
  }
  return result;
}

/**
 * Profiles one import of an unminified bundle with `--cpu-prof` and returns its init costs by
 * module. Timing comes from `measureInit`; this only says where the time goes.
 */
export async function profileInit(
  bundle: BundledLambda,
  profileDir: string,
  extraEnv: Record<string, string> = {},
): Promise<InitCost[]> {
  const dir = join(profileDir, bundle.label);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await sampleInit(
    bundle,
    false,
    ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '200'],
    extraEnv,
  );
  const [file] = (await readdir(dir)).filter((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error(`node --cpu-prof wrote no profile into ${dir}`);
  return initCostsByModule(join(dir, file), bundle.path);
}
