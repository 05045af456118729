/**
 * This repository's app settings: every key read and parsed at once, every problem reported
 * together, each naming its key and environment variable.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { checkTemporal, temporalShape } from './temporal';
import { ingestShape } from './ingest';
import { queueShape } from './queue';
import { checkNetwork, networkShape } from './network';
import { workerShape } from './worker';
import { observabilityShape } from './observability';
import { checkPayloads, payloadsShape } from './payloads';
import { CONFIG_KEYS, readRaw, text, type ConfigKey, type ConfigSource } from './source';
import { EventGatewayError, problemList } from '../../../contract/errors';

export { CONFIG_KEYS, type ConfigKey, type ConfigSource } from './source';

const SettingsSchema = z
  .object({
    prefix: text(
      /^[a-z][a-z0-9-]{0,29}$/,
      'must be 1-30 lowercase letters, digits or hyphens, starting with a letter',
    ),
    ...temporalShape,
    ...ingestShape,
    ...queueShape,
    ...networkShape,
    ...workerShape,
    ...observabilityShape,
    ...payloadsShape,
  })
  .superRefine((settings, ctx) => {
    checkTemporal(settings, ctx);
    checkNetwork(settings, ctx);
    checkPayloads(settings, ctx);
  });

/** The parsed settings; a key is undefined when it was not set (the construct default applies). */
export type AppSettings = z.output<typeof SettingsSchema> & {
  /** The JSON of `gatewayConfigFile`, parsed. */
  routing?: unknown;
};

export class AppSettingsError extends EventGatewayError {
  override readonly name = 'AppSettingsError';

  constructor(problems: readonly string[], options?: ErrorOptions) {
    super(
      problemList(
        `Invalid event gateway deployment settings (${problems.length} problem${problems.length === 1 ? '' : 's'})`,
        problems,
      ) + '\nSet keys with `cdk -c key=value` or the EVENT_GATEWAY_* environment variables (docs/deploy.md).',
      { cause: options?.cause, problems },
    );
  }
}

const named = (key: ConfigKey, message: string) => `${key} (${CONFIG_KEYS[key]}): ${message}`;

function readRouting(file: string, cwd: string, problems: string[]): unknown {
  let content: string;
  try {
    content = readFileSync(resolve(cwd, file), 'utf8');
  } catch (error) {
    problems.push(named('gatewayConfigFile', `cannot read ${file}: ${(error as Error).message}`));
    return undefined;
  }
  try {
    return JSON.parse(content);
  } catch (error) {
    problems.push(named('gatewayConfigFile', `${file} is not valid JSON: ${(error as Error).message}`));
    return undefined;
  }
}

/** Reads and parses every key; throws {@link AppSettingsError} listing every problem. */
export function loadAppSettings(source: ConfigSource): AppSettings {
  const raw = readRaw(source);
  const parsed = SettingsSchema.safeParse(raw);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => {
        const key = issue.path[0] as ConfigKey;
        const got = raw[key] === undefined ? '' : ` (got ${JSON.stringify(raw[key])})`;
        return named(key, `${issue.message}${issue.code === 'custom' ? '' : got}`);
      });
  const file = parsed.success ? parsed.data.gatewayConfigFile : undefined;
  const routing = file ? readRouting(file, source.cwd ?? process.cwd(), problems) : undefined;
  if (!parsed.success || problems.length > 0) throw new AppSettingsError(problems);
  return { ...parsed.data, ...(routing !== undefined ? { routing } : {}) };
}
