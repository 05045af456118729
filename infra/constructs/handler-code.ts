/**
 * Where a gateway function's code comes from. Installed from npm (compiled JS), the handlers are the
 * prebuilt bundles in the package (`dist/lambda/<name>`): a team's `cdk synth` needs neither our
 * sources nor esbuild nor Docker. Inside this repository (TypeScript sources run by tsx), the sources
 * are bundled with the local esbuild and the very same options, once per process.
 *
 * A function may get extra files beside its handler — the routing configuration, which can be far
 * larger than Lambda's 4 KB environment, and its argument checks generated at synth — in an asset
 * directory of its own.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GATEWAY_CHECKS_FILE_NAME } from '../../functions/adapters/gateway-config-file';
import { GATEWAY_CONFIG_FILE_NAME, HANDLER_FILE, type GatewayHandlerName } from '../lambda-handlers';
import { routingChecksModule } from '../props/routing';
import { FROM_PACKAGE, runSynthScript, SynthScriptError, synthScratchDir } from './synth-scratch';
import { EventGatewayError } from '../../contract/errors';

/** A handler's code could not be found or bundled at synth. */
export class HandlerCodeError extends EventGatewayError {
  override readonly name = 'HandlerCodeError';
}

const bundled = new Map<GatewayHandlerName, string>();

let sourceBundles: string | undefined;

/**
 * Bundles the handlers from the repository's sources with the local esbuild (never Docker), all of
 * them at the first need, by the package build itself (`scripts/build.ts --only lambda`) in a child
 * process: the bundle options use an esbuild plugin, which only esbuild's asynchronous API runs, and
 * a construct is built synchronously.
 */
function bundleFromSources(name: GatewayHandlerName): string {
  const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
  if (!sourceBundles) {
    const require = createRequire(import.meta.url);
    try {
      require.resolve('esbuild');
      require.resolve('tsx');
    } catch (error) {
      throw new HandlerCodeError(
        'esbuild or tsx is not installed: inside this repository the Lambda handlers are bundled from the ' +
          'sources with the local esbuild (never Docker). Run `npm ci` (both are devDependencies).',
        { cause: error },
      );
    }
    const outDir = join(synthScratchDir(), 'bundles');
    try {
      runSynthScript(join(repoRoot, 'scripts/build.ts'), ['--only', 'lambda', '--outdir', outDir], repoRoot);
    } catch (error) {
      if (!(error instanceof SynthScriptError)) throw error;
      throw new HandlerCodeError(`bundling the Lambda handlers failed: ${error.message}`, { cause: error });
    }
    sourceBundles = join(outDir, 'lambda');
  }
  return join(sourceBundles, name);
}

/** The directory holding `index.mjs` (handler `index.handler`) of one gateway handler. */
export function handlerBundleDir(name: GatewayHandlerName): string {
  const cached = bundled.get(name);
  if (cached) return cached;
  let dir: string;
  if (FROM_PACKAGE) {
    dir = fileURLToPath(new URL(`../../../lambda/${name}`, import.meta.url));
    if (!existsSync(join(dir, HANDLER_FILE))) {
      throw new HandlerCodeError(
        `The prebuilt Lambda handler ${join(dir, HANDLER_FILE)} is missing from the temporal-event-gateway ` +
          'package; reinstall it (its build writes dist/lambda).',
      );
    }
  } else {
    dir = bundleFromSources(name);
  }
  bundled.set(name, dir);
  return dir;
}

/**
 * An asset directory with the handler's bundle and extra files (name → content). Content-addressed,
 * so the same bundle and files give the same asset hash on every synth.
 */
export function handlerAssetDir(
  name: GatewayHandlerName,
  extraFiles: Readonly<Record<string, string>> = {},
): string {
  const bundle = handlerBundleDir(name);
  const config = extraFiles[GATEWAY_CONFIG_FILE_NAME];
  // The routing's argument checks, generated now, beside the configuration they check.
  if (config !== undefined)
    extraFiles = { ...extraFiles, [GATEWAY_CHECKS_FILE_NAME]: routingChecksModule(config) };
  if (Object.keys(extraFiles).length === 0) return bundle;
  const hash = createHash('sha256').update(bundle);
  for (const [file, content] of Object.entries(extraFiles).sort(([a], [b]) => a.localeCompare(b)))
    hash.update(`\0${file}\0${content}`);
  const dir = join(synthScratchDir(), 'assets', `${name}-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(dir)) return dir;
  mkdirSync(dir, { recursive: true });
  for (const file of readdirSync(bundle)) copyFileSync(join(bundle, file), join(dir, file));
  for (const [file, content] of Object.entries(extraFiles)) {
    if (existsSync(join(bundle, file)))
      throw new HandlerCodeError(`${file} would replace a file of the ${name} bundle`);
    writeFileSync(join(dir, file), content);
  }
  return dir;
}
