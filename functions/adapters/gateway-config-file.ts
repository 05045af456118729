/**
 * The gateway configuration a function runs with: from a file in the function's code
 * (GATEWAY_CONFIG_FILE), which is how the CDK construct delivers it, else inline (GATEWAY_CONFIG),
 * else the local default. A file suits Lambda: a code asset has no 4 KB limit, unlike Lambda's environment. The
 * synth writes the file already validated and records its digest (GATEWAY_CONFIG_SHA256); a text
 * that matches the digest is compiled without validating it again, with the argument checks the
 * synth generated beside it (or the build, for the default configuration): no zod at init.
 * Anything else (a hand-edited file, a configuration given inline, the local default) is validated
 * in full, by zod loaded on demand, and runs the generated checks there are for its argument schemas.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Check } from '../core/check';
import { DEFAULT_GATEWAY_CONFIG } from '../core/default-config';
import { GATEWAY_ENV, TEMPORAL_ENV } from '../core/env-names';
import {
  compileGatewayConfig,
  GatewayConfigError,
  parseConfigJson,
  type ArgumentCheckFactory,
  type ValidatedGatewayConfig,
} from '../core/gateway-config-compiler';
import type { GatewayConfig } from '../core/gateway-config-model';
import type { PrebuiltChecks } from '../core/gateway-config';
import type { GatewayLogger } from './logger';
import type { Env } from './secrets';

/** The synth's argument checks, beside the configuration file in the function's code. */
export const GATEWAY_CHECKS_FILE_NAME = 'gateway-checks.mjs';
/** The build's argument checks for the default configuration, beside each prebuilt handler. */
export const DEFAULT_GATEWAY_CHECKS_FILE_NAME = 'default-gateway-checks.mjs';

/**
 * The name of an argument schema's generated check: its digest. A check is used only for the very
 * schema it was generated from, so a configuration changed after the synth never meets a stale one.
 */
export function argumentCheckName(schema: Readonly<Record<string, unknown>>): string {
  return `s${createHash('sha256').update(JSON.stringify(schema), 'utf8').digest('hex').slice(0, 40)}`;
}

/**
 * The configured targets: the file's (GATEWAY_CONFIG_FILE, over an inline one), else GATEWAY_CONFIG,
 * else the local default on the task queue the worker uses. Problems throw a `GatewayConfigError`.
 */
export async function loadGatewayConfig(env: Env, logger?: GatewayLogger): Promise<GatewayConfig> {
  const text = readGatewayConfigFile(env) ?? env[GATEWAY_ENV.config];
  if (text) return gatewayConfigFromText(text, env, (message) => logger?.warn(message));
  const taskQueue = env[TEMPORAL_ENV.taskQueue];
  const [{ parseGatewayConfig }, prebuilt] = await Promise.all([
    import('../core/gateway-config'),
    prebuiltChecks(env),
  ]);
  return parseGatewayConfig(
    {
      ...DEFAULT_GATEWAY_CONFIG,
      targets: DEFAULT_GATEWAY_CONFIG.targets.map((target) =>
        taskQueue ? { ...target, taskQueue } : target,
      ),
    },
    prebuilt,
  );
}

const configFilePath = (env: Env, file: string) =>
  isAbsolute(file) ? file : resolve(env.LAMBDA_TASK_ROOT ?? process.cwd(), file);

/**
 * The text of the file GATEWAY_CONFIG_FILE names (relative to the function's code), or undefined
 * when it names none; an unreadable file is a configuration problem reported like any other.
 */
export function readGatewayConfigFile(env: Env): string | undefined {
  const file = env[GATEWAY_ENV.configFile];
  if (!file) return undefined;
  const path = configFilePath(env, file);
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new GatewayConfigError(
      [
        `${GATEWAY_ENV.configFile}: cannot read ${path} (${error instanceof Error ? error.message : String(error)})`,
      ],
      { cause: error },
    );
  }
}

/** The digest the synth records for a configuration text it validated (GATEWAY_CONFIG_SHA256). */
export function gatewayConfigDigest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Where generated argument checks may be: beside the configuration file, and beside this bundle. */
function checkModulePaths(env: Env): string[] {
  const file = env[GATEWAY_ENV.configFile];
  const paths = file ? [join(dirname(configFilePath(env, file)), GATEWAY_CHECKS_FILE_NAME)] : [];
  if (env.LAMBDA_TASK_ROOT) paths.push(join(env.LAMBDA_TASK_ROOT, DEFAULT_GATEWAY_CHECKS_FILE_NAME));
  paths.push(fileURLToPath(new URL(`./${DEFAULT_GATEWAY_CHECKS_FILE_NAME}`, import.meta.url)));
  return [...new Set(paths)];
}

/** The generated argument checks found, by name (modules of plain functions, no zod). */
async function loadArgumentChecks(env: Env): Promise<ReadonlyMap<string, Check<unknown>>> {
  const checks = new Map<string, Check<unknown>>();
  for (const path of checkModulePaths(env)) {
    if (!existsSync(path)) continue;
    const module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    for (const [name, check] of Object.entries(module))
      if (typeof check === 'function' && !checks.has(name)) checks.set(name, check as Check<unknown>);
  }
  return checks;
}

/**
 * The generated argument checks found, looked up by schema. A check is named by its schema's digest,
 * so any configuration may use them, sealed or not: a configuration validated in full (local stacks,
 * an inline or edited one) runs the very checks Lambda runs for each schema that has one, and builds
 * the others with zod — not zod for every request's arguments.
 */
async function prebuiltChecks(env: Env): Promise<PrebuiltChecks> {
  const checks = await loadArgumentChecks(env);
  return (schema) => checks.get(argumentCheckName(schema));
}

/**
 * A sealed configuration compiled with the generated checks; undefined when a schema has none (a
 * checks file missing or older than the configuration), and then the caller compiles it again with
 * zod for the schemas without one.
 */
function compileSealed(config: ValidatedGatewayConfig, checks: PrebuiltChecks): GatewayConfig | undefined {
  let missing = false;
  const generated: ArgumentCheckFactory = (schema) => {
    const check = checks(schema);
    if (!check) missing = true;
    return { check: () => check ?? (() => ({ ok: false, issue: { path: '', message: 'has no check' } })) };
  };
  const compiled = compileGatewayConfig(config, generated);
  return missing ? undefined : compiled;
}

/**
 * The configuration from its JSON text: compiled with the generated checks when the environment's
 * digest says the synth validated exactly this text, validated in full otherwise — and then `warn`
 * hears of a digest that does not match (the file was changed after the synth), or of argument
 * checks missing (then built by zod on first use).
 */
export async function gatewayConfigFromText(
  text: string,
  env: Env,
  warn: (message: string) => void = () => {},
): Promise<GatewayConfig> {
  const digest = env[GATEWAY_ENV.configSha256];
  if (digest && digest === gatewayConfigDigest(text)) {
    const config = parseConfigJson(text) as ValidatedGatewayConfig;
    const checks = await prebuiltChecks(env);
    const sealed = compileSealed(config, checks);
    if (sealed) return sealed;
    warn(
      `No generated check for some argument schemas (${GATEWAY_CHECKS_FILE_NAME} missing or older than the configuration): building them with zod.`,
    );
    const { compileValidatedGatewayConfig } = await import('../core/gateway-config');
    return compileValidatedGatewayConfig(config, checks);
  }
  if (digest) {
    warn(
      `The gateway configuration does not match ${GATEWAY_ENV.configSha256} (changed after the synth?): validating it in full.`,
    );
  }
  const [{ parseGatewayConfigJson }, prebuilt] = await Promise.all([
    import('../core/gateway-config'),
    prebuiltChecks(env),
  ]);
  return parseGatewayConfigJson(text, prebuilt);
}
