/**
 * The gateway's Lambda handlers and how they are bundled. The package build (scripts/build.ts) writes
 * each one to `dist/lambda/<name>/index.mjs`, so a team's `cdk synth` uses those prebuilt files and
 * needs neither our sources nor esbuild nor Docker; inside this repository the constructs bundle the
 * sources with the very same options (see constructs/handler-code.ts).
 */

import { dirname } from 'node:path';

/** Handler name → entry file, relative to the package root. */
export const GATEWAY_HANDLERS = {
  http: 'functions/handlers/http.ts',
  sqs: 'functions/handlers/sqs.ts',
  'backlog-metric': 'functions/handlers/backlog-metric.ts',
} as const;

export type GatewayHandlerName = keyof typeof GATEWAY_HANDLERS;

/** Lambda's `handler` setting for every bundle: `index.mjs`, export `handler`. */
export const HANDLER = 'index.handler';
export const HANDLER_FILE = 'index.mjs';

/** The routing configuration's file beside the http and sqs handlers (their GATEWAY_CONFIG_FILE). */
export const GATEWAY_CONFIG_FILE_NAME = 'gateway-config.json';

/**
 * ESM output still meets CommonJS dependencies that call `require` (`@temporalio/envconfig`, the
 * CloudEvents SDK, the AWS SDK's multi-region signer); this banner gives the bundle a real one.
 */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __gatewayCreateRequire } from 'node:module';" +
  'const require = __gatewayCreateRequire(import.meta.url);';

/** The slice of esbuild's plugin API the locale plugin uses (so this module does not import esbuild). */
interface PluginBuild {
  onResolve(
    options: { filter: RegExp },
    callback: (args: { path: string; importer: string }) => { path: string; namespace: string } | undefined,
  ): void;
  onLoad(
    options: { filter: RegExp; namespace: string },
    callback: (args: { path: string }) => { contents: string; resolveDir: string; loader: 'js' },
  ): void;
}

/**
 * zod's classic API re-exports every one of its ~50 error-message locales (`z.locales`, 258 KiB
 * minified), and `@hono/zod-openapi` passes the whole `z` namespace to zod-to-openapi, so nothing
 * can be tree-shaken. The gateway's messages are English (zod's default, `z.config(en())` at
 * import): this keeps `z.locales.en` and leaves the others out of the bundle.
 */
export const englishOnlyZodLocales = {
  name: 'english-only-zod-locales',
  setup(build: PluginBuild) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, ({ path, importer }) =>
      /[\\/]zod[\\/]v4[\\/](classic[\\/]external|core[\\/]index)\.js$/.test(importer)
        ? { path: `${dirname(importer)}/${path}`, namespace: 'zod-english-locales' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'zod-english-locales' }, ({ path }) => ({
      contents: "export { default as en } from './en.js';",
      resolveDir: dirname(path),
      loader: 'js',
    }));
  },
};

/**
 * How every module that runs in the gateway's functions is bundled (the handlers, a team's codec
 * module): one self-contained minified ESM file for Node.js 24, with a real `require`.
 */
export const LAMBDA_MODULE_OPTIONS = {
  bundle: true,
  platform: 'node' as const,
  format: 'esm' as const,
  target: 'node24',
  mainFields: ['module', 'main'],
  banner: { js: ESM_REQUIRE_BANNER },
  minify: true,
  // Stack traces point at the sources through the bundled source maps (NODE_OPTIONS in GatewayFunction).
  sourcemap: true,
  // Source maps carry file names and lines, not the sources: smaller zips, faster cold starts.
  sourcesContent: false,
};

/**
 * esbuild options of one handler bundle (plain data, so this module does not import esbuild).
 *
 * Code splitting: what a handler imports with `import()` — the SQS client (written to only when
 * something failed), Secrets Manager (only with secret ARNs) — lands in chunks beside `index.mjs`
 * that Node reads when the first call needs them, so the init phase does not parse them.
 */
export function handlerBuildOptions(entryPath: string, outDir: string) {
  return {
    entryPoints: { index: entryPath },
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    splitting: true,
    // Flat beside index.mjs: an asset directory is copied file by file (constructs/handler-code.ts).
    chunkNames: '[name]-[hash]',
    // Plugins need esbuild's asynchronous API (`build`, not `buildSync`).
    plugins: [englishOnlyZodLocales],
    ...LAMBDA_MODULE_OPTIONS,
    // The pinned AWS SDK clients are bundled too: the code runs with the versions it was tested
    // with, not whatever the Node.js 24 runtime ships this month.
    logLevel: 'warning' as const,
  };
}

/** The part of an esbuild metafile that says which output imports which. */
export interface BundleOutputs {
  readonly outputs: Readonly<
    Record<string, { readonly imports: ReadonlyArray<{ path: string; kind: string; external?: boolean }> }>
  >;
}

/**
 * The output files Lambda's init phase reads: the entry and every chunk it imports statically;
 * chunks behind `import()` are read on first use.
 */
export function filesReadAtInit(metafile: BundleOutputs, entryFile: string): string[] {
  const read = new Set([entryFile]);
  for (const file of read)
    for (const imported of metafile.outputs[file]?.imports ?? [])
      if (imported.kind === 'import-statement' && !imported.external) read.add(imported.path);
  return [...read];
}
