/**
 * The team's CDK app as `event-gateway dev` sees it: synthesized into a project-local cloud assembly
 * (the app command from cdk.json, run the way the CDK CLI runs it), or an assembly that already
 * exists (`--app cdk.out`), and every TemporalEventGateway found in it — by its ingest and queue
 * functions, whose code directory holds the routing file the synth validated.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PAYLOAD_ENV } from '../../contract/env-names';
import { GATEWAY_ENV, TEMPORAL_ENV } from '../../functions/core/env-names';
import { GATEWAY_CONFIG_FILE_NAME } from '../../infra/lambda-handlers';
import { DevSetupError } from './dev-errors';

/** What the app's gateway declares for its payloads, as its functions' PAYLOAD_ENV says. */
export interface AppPayloads {
  /** `payloadEncryption`: the functions carry a KMS key. */
  readonly encryption: boolean;
  /** `largePayloads`: the functions carry a bucket, and the threshold (bytes) when they name one. */
  readonly largePayloads?: { readonly thresholdBytes?: number };
  /** `payloadCodec`: the team's codec module as the synth bundled it (an absolute path in the assembly). */
  readonly codecModule?: string;
}

/** One gateway of the app, with what its functions would have read in AWS. */
export interface AppGateway {
  /** Construct path, e.g. `OrderFulfilment/Gateway`. */
  readonly path: string;
  /** The routing file's text exactly as the synth wrote it (secrets referred to, never included). */
  readonly configJson: string;
  /** `GATEWAY_AUTH` of the ingest function; `none` for a queue-ingest gateway. */
  readonly auth: string;
  /** The ingest function's Temporal deadline, when the app set one. */
  readonly temporalDeadlineMs: string | undefined;
  /** The Temporal namespace and task queue the app deploys against (shown, not used locally). */
  readonly temporal: { readonly namespace?: string; readonly taskQueue?: string };
  readonly payloads: AppPayloads;
  /** The codec server's settings the app gives its functions (GATEWAY_CODEC_*), by variable name. */
  readonly codecEnv: Readonly<Record<string, string>>;
  /** `codecServer.apiKeySecret`: the codec server has API keys of its own (locally GATEWAY_CODEC_API_KEYS). */
  readonly codecApiKeys: boolean;
}

interface TemplateResource {
  Type?: string;
  Properties?: { Environment?: { Variables?: Record<string, unknown> } };
  Metadata?: Record<string, unknown>;
}

interface Manifest {
  artifacts?: Record<
    string,
    { type?: string; properties?: { templateFile?: string; directoryName?: string } }
  >;
}

/** Where the construct's functions sit below it (GatewayFunction ids of TemporalEventGateway). */
const GATEWAY_FUNCTION_PATH = /^(.+?)\/(HttpIngest|StandardConsumer|FifoConsumer)\//;

const isAssemblyDir = (dir: string) => existsSync(join(dir, 'manifest.json'));

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** The cdk.json `app` command, or an error saying where the dev command must run. */
export function appCommand(appDir: string): string {
  const cdkJson = join(appDir, 'cdk.json');
  if (!existsSync(cdkJson)) {
    throw new DevSetupError(
      `No cdk.json in ${appDir}: run event-gateway dev in your CDK app's directory, or pass --app ` +
        '"<command that runs your app>" or --app <cloud assembly directory, e.g. cdk.out>.',
    );
  }
  const app = readJson<{ app?: unknown }>(cdkJson).app;
  if (typeof app !== 'string' || app.trim() === '') {
    throw new DevSetupError(`${cdkJson} has no "app" command; pass --app.`);
  }
  return app;
}

/**
 * The context the CDK CLI passes an app: cdk.json's and cdk.context.json's, plus the path and asset
 * metadata the discovery reads (the CLI turns both on by default).
 */
function synthContext(appDir: string): Record<string, unknown> {
  const fromCdkJson = existsSync(join(appDir, 'cdk.json'))
    ? (readJson<{ context?: Record<string, unknown> }>(join(appDir, 'cdk.json')).context ?? {})
    : {};
  const cached = existsSync(join(appDir, 'cdk.context.json'))
    ? readJson<Record<string, unknown>>(join(appDir, 'cdk.context.json'))
    : {};
  return {
    ...fromCdkJson,
    ...cached,
    'aws:cdk:enable-path-metadata': true,
    'aws:cdk:enable-asset-metadata': true,
    'aws:cdk:version-reporting': false,
  };
}

export interface SynthOptions {
  readonly appDir: string;
  /** `--app`: a command, or a cloud assembly directory to read as it is. */
  readonly app?: string | undefined;
  /** Where a synth writes its assembly (project-local, replaced on each run). */
  readonly outDir: string;
  readonly log: (line: string) => void;
}

/** The cloud assembly directory: the one given, or a fresh synth of the app. */
export async function cloudAssembly(options: SynthOptions): Promise<string> {
  if (options.app !== undefined) {
    const given = resolve(options.appDir, options.app);
    if (existsSync(given) && statSync(given).isDirectory()) {
      if (!isAssemblyDir(given))
        throw new DevSetupError(
          `--app ${options.app} is a directory without a manifest.json (not a cloud assembly).`,
        );
      return given;
    }
  }
  const command = options.app ?? appCommand(options.appDir);
  await rm(options.outDir, { recursive: true, force: true });
  options.log(`[dev] synthesizing your app (${command})…`);
  const started = Date.now();
  const { code, output } = await runApp(command, options.appDir, {
    ...process.env,
    CDK_OUTDIR: options.outDir,
    CDK_CONTEXT_JSON: JSON.stringify(synthContext(options.appDir)),
  });
  if (code !== 0 || !isAssemblyDir(options.outDir)) {
    const tail = output.trim().split('\n').slice(-40).join('\n');
    throw new DevSetupError(
      `Your app failed to synthesize (\`${command}\` exited with code ${code}). Its output:\n${tail}`,
    );
  }
  options.log(`[dev] synthesized in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return options.outDir;
}

function runApp(
  command: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolvePromise) => {
    // A shell, as the CDK CLI runs cdk.json's `app` (it may be `npx tsc && npx tsx bin/app.ts`).
    const child = spawn(command, { cwd, env, shell: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (error) => resolvePromise({ code: 127, output: `${output}${error.message}` }));
    child.on('exit', (code) => resolvePromise({ code, output }));
  });
}

/**
 * Every stack template of the assembly, nested stage assemblies included, with the directory its
 * asset paths are relative to.
 */
function templatesOf(assemblyDir: string): Array<{ file: string; dir: string }> {
  const manifest = readJson<Manifest>(join(assemblyDir, 'manifest.json'));
  const templates: Array<{ file: string; dir: string }> = [];
  for (const artifact of Object.values(manifest.artifacts ?? {})) {
    if (artifact.type === 'aws:cloudformation:stack' && artifact.properties?.templateFile)
      templates.push({ file: join(assemblyDir, artifact.properties.templateFile), dir: assemblyDir });
    if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName)
      templates.push(...templatesOf(join(assemblyDir, artifact.properties.directoryName)));
  }
  return templates;
}

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/**
 * The codec server's settings the construct's `codecServer` writes (the UI origins, the JWKS and its
 * claims): plain values, used locally as they are. Its API keys' secret is not among them.
 */
const CODEC_ENV_NAMES = [
  GATEWAY_ENV.codecAllowedOrigins,
  GATEWAY_ENV.codecJwksUrl,
  GATEWAY_ENV.codecJwtAudience,
  GATEWAY_ENV.codecJwtIssuer,
];

/**
 * The payload props, from the functions' environment: a key or a bucket is a token (`Fn::GetAtt`,
 * `Ref`) in the template, so its presence is what counts; the threshold is a plain number.
 */
function payloadsOf(variables: Record<string, unknown>, codeDir: string): AppPayloads {
  const threshold = Number(text(variables[PAYLOAD_ENV.largePayloadThresholdBytes]));
  // Named relative to the function's code, where the synth put the bundle beside the handler.
  const codecModule = text(variables[PAYLOAD_ENV.codecModule]);
  return {
    ...(codecModule ? { codecModule: resolve(codeDir, codecModule) } : {}),
    encryption: variables[PAYLOAD_ENV.kmsKeyId] !== undefined,
    ...(variables[PAYLOAD_ENV.largePayloadBucket] !== undefined
      ? { largePayloads: Number.isInteger(threshold) && threshold > 0 ? { thresholdBytes: threshold } : {} }
      : {}),
  };
}

const codecEnvOf = (variables: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(
    CODEC_ENV_NAMES.flatMap((name) => {
      const value = text(variables[name]);
      return value === undefined ? [] : [[name, value]];
    }),
  );

/** Every TemporalEventGateway of the assembly, by construct path. */
export function findGateways(assemblyDir: string): AppGateway[] {
  const found = new Map<string, AppGateway>();
  for (const { file, dir } of templatesOf(assemblyDir)) {
    const template = readJson<{ Resources?: Record<string, TemplateResource> }>(file);
    for (const resource of Object.values(template.Resources ?? {})) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const variables = resource.Properties?.Environment?.Variables ?? {};
      const cdkPath = text(resource.Metadata?.['aws:cdk:path']);
      const assetPath = text(resource.Metadata?.['aws:asset:path']);
      const gatewayPath = cdkPath && GATEWAY_FUNCTION_PATH.exec(cdkPath)?.[1];
      if (!gatewayPath || !assetPath || variables[GATEWAY_ENV.configFile] === undefined) continue;
      const codeDir = resolve(dir, assetPath);
      const configFile = join(codeDir, GATEWAY_CONFIG_FILE_NAME);
      if (!existsSync(configFile)) continue;
      const auth = text(variables[GATEWAY_ENV.auth]);
      const known = found.get(gatewayPath);
      // The ingest function (with GATEWAY_AUTH) says more than a queue consumer.
      if (known && (known.auth !== 'none' || auth === undefined)) continue;
      found.set(gatewayPath, {
        path: gatewayPath,
        configJson: readFileSync(configFile, 'utf8'),
        auth: auth ?? 'none',
        temporalDeadlineMs: text(variables[GATEWAY_ENV.temporalDeadlineMs]),
        temporal: {
          ...(text(variables[TEMPORAL_ENV.namespace])
            ? { namespace: text(variables[TEMPORAL_ENV.namespace]) }
            : {}),
          ...(text(variables[TEMPORAL_ENV.taskQueue])
            ? { taskQueue: text(variables[TEMPORAL_ENV.taskQueue]) }
            : {}),
        },
        payloads: payloadsOf(variables, codeDir),
        codecEnv: codecEnvOf(variables),
        codecApiKeys: variables[GATEWAY_ENV.codecApiKeysSecretArn] !== undefined,
      });
    }
  }
  return [...found.values()].sort((a, b) => a.path.localeCompare(b.path));
}

/** The gateway `--gateway` names, the only one, or an error listing what there is. */
export function pickGateway(gateways: readonly AppGateway[], wanted: string | undefined): AppGateway {
  if (gateways.length === 0) {
    throw new DevSetupError(
      'Your app has no TemporalEventGateway: add one (see the README, "Use it in your own app") and run ' +
        'event-gateway dev again. (It is found by its functions in the synthesized templates, so path and ' +
        'asset metadata must not be turned off.)',
    );
  }
  const list = gateways.map((gateway) => `  ${gateway.path}`).join('\n');
  if (wanted !== undefined) {
    const match = gateways.find((gateway) => gateway.path === wanted);
    if (!match) throw new DevSetupError(`No gateway at ${wanted}. Your app's gateways:\n${list}`);
    return match;
  }
  if (gateways.length > 1) {
    throw new DevSetupError(
      `Your app has ${gateways.length} gateways; pick one with --gateway <path>:\n${list}`,
    );
  }
  return gateways[0]!;
}
