/**
 * A team's own payload codec module (`payloadCodec.entry`) bundled at synth into one ESM file that
 * goes beside each gateway handler (`team-codec.mjs`), which the functions import at cold start
 * because `EVENT_GATEWAY_PAYLOAD_CODEC_MODULE` names it (functions/adapters/temporal-data-converter.ts).
 * Bundled with the team's esbuild, in process (`buildSync` needs no plugin), never with Docker;
 * everything the module imports goes in, so the function needs no package of the team's.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, resolve } from 'node:path';
import { PAYLOAD_ENV } from '../../contract/env-names';
import { EventGatewayError } from '../../contract/errors';
import { LAMBDA_MODULE_OPTIONS } from '../lambda-handlers';
import type { PayloadCodecProps } from '../props/payload-props';

/** The bundled module's file name beside `index.mjs`. */
export const TEAM_CODEC_FILE = 'team-codec.mjs';

/** The team's codec module could not be bundled. */
export class PayloadCodecBundleError extends EventGatewayError {
  override readonly name = 'PayloadCodecBundleError';
}

/** The slice of esbuild used here: it is the team's esbuild, resolved from their project. */
interface EsbuildSync {
  buildSync(options: Record<string, unknown>): { outputFiles?: Array<{ path: string; text: string }> };
}

/** The bundle's files (name → content) and the environment that makes the functions import it. */
export interface PayloadCodecBundle {
  readonly files: Readonly<Record<string, string>>;
  readonly environment: Readonly<Record<string, string>>;
}

/** esbuild from the entry's project, else the one installed beside this package (this repository). */
function loadEsbuild(entry: string): EsbuildSync {
  for (const from of [entry, import.meta.url]) {
    try {
      return createRequire(from)('esbuild') as EsbuildSync;
    } catch {
      // try the next place
    }
  }
  throw new PayloadCodecBundleError(
    `esbuild is not installed: payloadCodec.entry (${entry}) is bundled with it at synth (never with ` +
      'Docker). Run `npm i -D esbuild` in your project.',
  );
}

const bundles = new Map<string, PayloadCodecBundle>();

/**
 * Bundles `props.entry` (relative to the current directory, as `cdk synth` runs in the app's) for
 * Node.js 24 on Lambda, with a linked source map; once per entry and process.
 */
export function bundlePayloadCodec(props: PayloadCodecProps): PayloadCodecBundle {
  const entry = resolve(props.entry);
  const cached = bundles.get(entry);
  if (cached) return cached;
  if (!existsSync(entry)) throw new PayloadCodecBundleError(`payloadCodec.entry ${entry} does not exist`);
  let outputFiles: Array<{ path: string; text: string }>;
  try {
    ({ outputFiles = [] } = loadEsbuild(entry).buildSync({
      entryPoints: [entry],
      outfile: resolve(TEAM_CODEC_FILE),
      write: false,
      ...LAMBDA_MODULE_OPTIONS,
      logLevel: 'silent',
    }));
  } catch (error) {
    throw new PayloadCodecBundleError(
      `bundling payloadCodec.entry ${entry} failed: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  const bundle: PayloadCodecBundle = {
    files: Object.fromEntries(outputFiles.map((file) => [basename(file.path), file.text])),
    environment: { [PAYLOAD_ENV.codecModule]: TEAM_CODEC_FILE },
  };
  bundles.set(entry, bundle);
  return bundle;
}
