/**
 * The gateway's Lambda handlers and how they are bundled. The package build (scripts/build.ts) writes
 * each one to `dist/lambda/<name>/index.mjs`, so a team's `cdk synth` uses those prebuilt files and
 * needs neither our sources nor esbuild nor Docker; inside this repository the constructs bundle the
 * sources with the very same options (see constructs/handler-code.ts).
 */

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
 * ESM output still meets CommonJS dependencies (grpc-js, protobufjs) that call `require`; this
 * banner gives the bundle a real one.
 */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __gatewayCreateRequire } from 'node:module';" +
  'const require = __gatewayCreateRequire(import.meta.url);';

/** esbuild options of one handler bundle (plain data, so this module does not import esbuild). */
export function handlerBuildOptions(entryPath: string, outDir: string) {
  return {
    entryPoints: [entryPath],
    outfile: `${outDir}/${HANDLER_FILE}`,
    bundle: true,
    platform: 'node' as const,
    format: 'esm' as const,
    target: 'node24',
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    minify: true,
    // Stack traces point at the sources through the bundled source maps (NODE_OPTIONS below).
    sourcemap: true,
    // Source maps carry file names and lines, not the sources: smaller zips, faster cold starts.
    sourcesContent: false,
    // The pinned AWS SDK clients are bundled too: the code runs with the versions it was tested
    // with, not whatever the Node.js 24 runtime ships this month.
    logLevel: 'warning' as const,
  };
}
