/**
 * A team's own payload codec module — the one definition both sides load: the gateway's functions
 * import it at cold start (bundled beside their handler by the construct's `payloadCodec.entry`,
 * named by `EVENT_GATEWAY_PAYLOAD_CODEC_MODULE`), and `runWorker({ payloadCodecs })` takes its
 * default export (or the same variable names the module file). docs/payload-encryption.md.
 *
 * The contract: the module's **default export** is a `PayloadCodec`, an array of them (run in that
 * order on encode), a class of one with a constructor that takes no argument, or a factory function
 * returning any of these (or a promise of them). A factory runs once per process, at cold start:
 * it must not call the network (KMS, S3) there — a codec fetches its keys on first use, as the
 * built-in one does.
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PayloadCodec } from '@temporalio/common';
import { EventGatewayError } from '../contract/errors';

/** One codec or several, in encode order. */
export type PayloadCodecs = PayloadCodec | readonly PayloadCodec[];

/** Builds the codecs once per process (cold start); no network call here. */
export type PayloadCodecFactory = () => PayloadCodecs | Promise<PayloadCodecs>;

/** What a team's codec module exports as its default, and what `runWorker({ payloadCodecs })` takes. */
export type PayloadCodecModuleExport = PayloadCodecs | PayloadCodecFactory | (new () => PayloadCodec);

/** A team's codec module that cannot be loaded or does not export codecs. */
export class PayloadCodecModuleError extends EventGatewayError {
  override readonly name = 'PayloadCodecModuleError';
}

const isCodec = (value: unknown): value is PayloadCodec =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as PayloadCodec).encode === 'function' &&
  typeof (value as PayloadCodec).decode === 'function';

/** A class whose instances are codecs: called with `new` (calling a class throws). */
const isCodecClass = (value: unknown): value is new () => PayloadCodec =>
  typeof value === 'function' &&
  typeof (value.prototype as Partial<PayloadCodec> | undefined)?.encode === 'function';

function codecList(value: unknown, source: string): PayloadCodec[] {
  const list: unknown[] = Array.isArray(value) ? value : [value];
  const problems = list.flatMap((codec, index) =>
    isCodec(codec) ? [] : [`${Array.isArray(value) ? `[${index}]` : 'it'} has no encode and decode methods`],
  );
  if (problems.length > 0) {
    throw new PayloadCodecModuleError(
      `${source} is not a PayloadCodec, an array of them, a codec class or a factory of them: ${problems.join('; ')}`,
      { problems },
    );
  }
  return list as PayloadCodec[];
}

/**
 * The codecs of a module's default export (see the module comment for the forms it takes), in
 * encode order. `source` names it in errors. Throws {@link PayloadCodecModuleError}.
 */
export async function payloadCodecsOf(exported: unknown, source: string): Promise<PayloadCodec[]> {
  if (isCodecClass(exported)) return [new exported()];
  if (typeof exported !== 'function') return codecList(exported, source);
  let made: unknown;
  try {
    made = await (exported as PayloadCodecFactory)();
  } catch (error) {
    throw new PayloadCodecModuleError(`the codec factory of ${source} failed: ${String(error)}`, {
      cause: error,
    });
  }
  return codecList(made, `what the factory of ${source} returned`);
}

/**
 * Imports the codec module at `path` (relative paths against `baseDir`, e.g. the Lambda task root)
 * and returns the codecs of its default export. A module without one is refused with the names it
 * does export, so a named export is caught at cold start, not at the first payload.
 */
export async function importPayloadCodecModule(path: string, baseDir: string): Promise<PayloadCodec[]> {
  const file = isAbsolute(path) ? path : resolve(baseDir, path);
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new PayloadCodecModuleError(
      `the payload codec module ${file} could not be loaded: ${String(error)}`,
      {
        cause: error,
      },
    );
  }
  if (module.default === undefined) {
    const names = Object.keys(module).join(', ') || 'nothing';
    throw new PayloadCodecModuleError(
      `the payload codec module ${file} has no default export (it exports ${names}): export default the codec, ` +
        'an array of codecs, a codec class or a factory of them',
    );
  }
  return payloadCodecsOf(module.default, file);
}
