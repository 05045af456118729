/**
 * The gateway child as users run the gateway: bundled. The installed `event-gateway dev` loads the
 * prebuilt `dist/dev/dev-app.mjs` and the Lambda its prebuilt handler, both minified esbuild bundles;
 * under tsx the same sources carry esbuild's `keepNames` (a `__name(...)` call per named closure,
 * 0.3–0.8 % of the gateway's CPU per signal) and the loader's hooks, which no user runs. So a bench
 * that measures the gateway's CPU builds `bench/gateway-child.ts` of the tree it measures (this
 * one, or a baseline copy) with the options of `buildDevApp` (scripts/build.ts), once per process.
 */
import { existsSync } from 'node:fs';
import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import { DEFAULT_GATEWAY_CHECKS_FILE_NAME } from '../functions/adapters/gateway-config-file';
import { handlerBuildOptions } from '../infra/lambda-handlers';
import type { GatewayChild } from './gateway-sides';
import { GATEWAY_READY_PREFIX, startAndWaitFor } from './processes';

/** How to start a gateway child: the command and arguments of `spawn`. */
export interface GatewayChildCommand {
  command: string;
  args: string[];
}

const built = new Map<string, Promise<GatewayChildCommand>>();

/**
 * Builds `<root>/bench/gateway-child.ts` into `<root>/dist/bench/gateway-child/` (inside `root`,
 * so the packages left external resolve from its `node_modules`) and says how to run it.
 */
export function bundledGatewayChild(root: string): Promise<GatewayChildCommand> {
  let command = built.get(root);
  if (!command) {
    command = buildGatewayChild(root);
    built.set(root, command);
  }
  return command;
}

async function buildGatewayChild(root: string): Promise<GatewayChildCommand> {
  const outDir = join(root, 'dist', 'bench', 'gateway-child');
  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    peerDependencies: Record<string, string>;
  };
  await build({
    ...handlerBuildOptions(join(root, 'bench', 'gateway-child.ts'), outDir),
    // As buildDevApp: one file, the package's runtime dependencies and the Temporal SDK external.
    splitting: false,
    target: 'node20',
    // A map beside the bundle (not read at run time) lets a profile name the source modules.
    sourcemap: true,
    external: [...Object.keys(pkg.dependencies), ...Object.keys(pkg.peerDependencies), '@temporalio/*'],
  });
  // As beside each prebuilt Lambda handler (scripts/build.ts): the default configuration's generated
  // argument checks, which gateway-config-file.ts looks for beside its bundle; without them the
  // local server builds those checks with zod and runs zod on every signal's argument.
  const checks = join(root, 'functions', 'adapters', DEFAULT_GATEWAY_CHECKS_FILE_NAME);
  if (existsSync(checks)) await copyFile(checks, join(outDir, DEFAULT_GATEWAY_CHECKS_FILE_NAME));
  return { command: process.execPath, args: [join(outDir, 'index.mjs')] };
}

/** Starts the bundled gateway child of `root` with `env` and resolves with its URL once it listens. */
export async function startBundledGatewayChild(
  root: string,
  env: Record<string, string | undefined>,
): Promise<GatewayChild> {
  const started = await startAndWaitFor(
    { ...(await bundledGatewayChild(root)), env, cwd: root },
    (line) =>
      line.startsWith(GATEWAY_READY_PREFIX) ? line.slice(GATEWAY_READY_PREFIX.length).trim() : undefined,
    60_000,
  );
  return { url: started.value, pid: started.child.process.pid, child: started.child };
}
