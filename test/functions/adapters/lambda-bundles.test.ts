/**
 * The Lambda bundles as the build ships them (infra/lambda-handlers.ts options) reach Temporal
 * through the lean client only: no module of `@temporalio/client`, and no protobufjs reflection of
 * the Temporal API (`@temporalio/proto`'s descriptor) — the import cost the lean client removes. Each
 * bundle is then loaded in a fresh Node process, as Lambda's init phase loads it.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GATEWAY_HANDLERS,
  filesReadAtInit,
  HANDLER_FILE,
  handlerBuildOptions,
  type GatewayHandlerName,
} from '../../../infra/lambda-handlers';

const repoRoot = new URL('../../../', import.meta.url).pathname;
let outDir: string;
const metafiles = new Map<GatewayHandlerName, Metafile>();

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'lambda-bundles-'));
  for (const name of Object.keys(GATEWAY_HANDLERS) as GatewayHandlerName[]) {
    const result = await build({
      ...handlerBuildOptions(join(repoRoot, GATEWAY_HANDLERS[name]), join(outDir, name)),
      metafile: true,
      logLevel: 'error',
    });
    metafiles.set(name, result.metafile);
  }
}, 120_000);

afterAll(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

const handlers = Object.keys(GATEWAY_HANDLERS) as GatewayHandlerName[];

describe('the prebuilt Lambda bundles', () => {
  it.each(handlers)(
    '%s holds the lean client and none of @temporalio/client or the Temporal API reflection',
    (name) => {
      const inputs = Object.keys(metafiles.get(name)?.inputs ?? {});
      expect(
        inputs.some((path) => path.includes('functions/adapters/temporal-wire/codecs.generated.js')),
      ).toBe(true);
      expect(
        inputs.filter((path) => /node_modules\/@temporalio\/(client|proto|worker|core-bridge)\//.test(path)),
      ).toEqual([]);
      expect(inputs.filter((path) => /json-module/.test(path))).toEqual([]);
    },
  );

  it.each(['http', 'sqs'] as const)(
    '%s reads at init neither the on-demand libraries nor what the build leaves out',
    (name) => {
      const metafile = metafiles.get(name);
      if (!metafile) throw new Error(`no metafile for ${name}`);
      const outputs = metafile.outputs;
      const entry = Object.keys(outputs).find((file) => file.endsWith(`/${HANDLER_FILE}`));
      if (!entry) throw new Error(`no ${HANDLER_FILE} among ${Object.keys(outputs).join(', ')}`);
      // index.mjs and every chunk it imports statically: what Lambda's init phase parses.
      const atInit = filesReadAtInit(metafile, entry).flatMap((file) =>
        Object.keys(outputs[file]?.inputs ?? {}),
      );
      const everywhere = Object.keys(metafile.inputs);
      const packageOf = (path: string) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path)?.[1];
      const initPackages = new Set(atInit.map(packageOf).filter(Boolean));
      // Loaded by `import()` on first use, so in chunks of their own; the KMS client and the codec at
      // cold start only when EVENT_GATEWAY_PAYLOAD_KMS_KEY_ID is set, the S3 client on the first large
      // payload only.
      const lazyPackages = [
        '@aws-sdk/client-sqs',
        '@aws-sdk/client-kms',
        '@aws-sdk/client-s3',
        '@aws-lambda-powertools/parameters',
        'cloudevents',
        'jose',
        // envconfig's TOML reader (and the parts of @temporalio/common it uses): only when
        // TEMPORAL_CONFIG_FILE names a profile file (temporal-connection.ts).
        '@temporalio/envconfig',
        'smol-toml',
        '@temporalio/common',
        // Powertools metrics: on the first metric (webhook-metrics.ts), which a signal never writes.
        '@aws-lambda-powertools/metrics',
      ];
      for (const lazy of lazyPackages) expect(initPackages.has(lazy), `${lazy} read at init`).toBe(false);
      // Inputs are checked by generated functions (core/checks.generated.js, the synth's argument checks):
      // zod is loaded only to validate an unsealed configuration or a callback token's own schema.
      expect(initPackages.has('zod'), 'zod read at init').toBe(false);
      expect(atInit.some((path) => path.endsWith('functions/core/checks.generated.js'))).toBe(true);
      // The OpenAPI runtime stays at build: the routes run generated checks, and the document is a
      // file of its own, imported at the first GET /openapi.json.
      for (const buildOnly of ['@hono/zod-openapi', '@asteasolutions/zod-to-openapi'])
        expect(initPackages.has(buildOnly), `${buildOnly} read at init`).toBe(false);
      expect(atInit.filter((path) => /(^|\/)docs\/openapi[\w-]*\.json$/.test(path))).toEqual([]);
      if (name === 'http')
        expect(everywhere.filter((path) => /(^|\/)docs\/openapi[\w-]*\.json$/.test(path)).sort()).toEqual([
          'docs/openapi-event-log.json',
          'docs/openapi.json',
        ]);
      expect([...initPackages].filter((pkg) => pkg?.startsWith('@aws-sdk/'))).toEqual([]);
      for (const client of ['client-sqs', 'client-kms', 'client-s3'])
        expect(everywhere.some((path) => path.includes(`node_modules/@aws-sdk/${client}/`))).toBe(true);
      const atInitSources = new Set(atInit);
      expect(
        [...atInitSources].filter((path) =>
          /payloads\/(kms-encryption-codec|kms-data-keys|s3-payload-store)\.ts$/.test(path),
        ),
      ).toEqual([]);
      // Never bundled: a gRPC library (the lean client frames its calls over node:http2 itself, and
      // grpc-js's proto-loader would bring protobufjs's reflection), and zod's non-English locales.
      expect(everywhere.filter((path) => path.includes('node_modules/@grpc/'))).toEqual([]);
      expect(atInitSources.has('functions/adapters/temporal-wire/grpc-channel.ts')).toBe(true);
      const initBuiltins = new Set(
        filesReadAtInit(metafile, entry).flatMap((file) =>
          (outputs[file]?.imports ?? []).filter((imported) => imported.external).map(({ path }) => path),
        ),
      );
      expect(initBuiltins.has('node:http2')).toBe(true);
      expect(
        everywhere.filter((path) => /node_modules\/protobufjs(-v7)?\/src\/(parse|root|type)\.js$/.test(path)),
      ).toEqual([]);
      expect(everywhere.filter((path) => /node_modules\/zod\/v4\/locales\/(?!en\.js)/.test(path))).toEqual(
        [],
      );
      expect(everywhere.some((path) => path.endsWith('node_modules/zod/v4/locales/en.js'))).toBe(true);
    },
  );

  it('the queue function leaves out the HTTP side: no sender verification, no callback keys', () => {
    const inputs = Object.keys(metafiles.get('sqs')?.inputs ?? {});
    expect(inputs.some((path) => path.endsWith('functions/runtime/delivery-runtime.ts'))).toBe(true);
    expect(
      inputs.filter((path) =>
        /functions\/(runtime\/gateway-runtime|adapters\/(http-auth|webhook-verification|webhook-secrets|callback-tokens))\.ts$|node_modules\/(standardwebhooks|hono)\//.test(
          path,
        ),
      ),
    ).toEqual([]);
  });

  it.each(handlers)('%s loads in a fresh Node process and exports its handler', async (name) => {
    const url = pathToFileURL(join(outDir, name, HANDLER_FILE)).href;
    const script = `const m = await import(${JSON.stringify(url)}); console.log(typeof m.handler); process.exit(0);`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      env: {
        PATH: process.env.PATH ?? '',
        AWS_REGION: 'us-east-1',
        TEMPORAL_ADDRESS: '127.0.0.1:1',
        TEMPORAL_TASK_QUEUE: 'event-gateway',
        BACKLOG_METRIC_NAMESPACE: 'EventGateway',
        BACKLOG_METRIC_NAME: 'Backlog',
      },
      timeout: 60_000,
    });
    expect(stdout.trim()).toBe('function');
  });
});
