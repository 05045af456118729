/**
 * The gateway configuration a function runs with: from a file in the function's code
 * (GATEWAY_CONFIG_FILE), which is how the CDK construct delivers it, else inline (GATEWAY_CONFIG),
 * else the local default. A file suits Lambda: a code asset has no 4 KB limit, unlike Lambda's environment. The
 * synth writes the file already validated and records its digest (GATEWAY_CONFIG_SHA256); a text
 * that matches the digest is compiled without validating it again, anything else (a hand-edited
 * file, a configuration given inline) is validated in full.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { DEFAULT_GATEWAY_CONFIG } from '../core/default-config';
import { GATEWAY_ENV, TEMPORAL_ENV } from '../core/env-names';
import {
  compileValidatedGatewayConfigJson,
  GatewayConfigError,
  parseGatewayConfig,
  parseGatewayConfigJson,
} from '../core/gateway-config';
import type { GatewayConfig } from '../core/gateway-config-model';
import type { GatewayLogger } from './logger';
import type { Env } from './secrets';

/**
 * The configured targets: the file's (GATEWAY_CONFIG_FILE, over an inline one), else GATEWAY_CONFIG,
 * else the local default on the task queue the worker uses. Problems throw a `GatewayConfigError`.
 */
export function loadGatewayConfig(env: Env, logger?: GatewayLogger): GatewayConfig {
  const text = readGatewayConfigFile(env) ?? env[GATEWAY_ENV.config];
  if (text) return gatewayConfigFromText(text, env, (message) => logger?.warn(message));
  const taskQueue = env[TEMPORAL_ENV.taskQueue];
  return parseGatewayConfig({
    ...DEFAULT_GATEWAY_CONFIG,
    targets: DEFAULT_GATEWAY_CONFIG.targets.map((target) => (taskQueue ? { ...target, taskQueue } : target)),
  });
}

/**
 * The text of the file GATEWAY_CONFIG_FILE names (relative to the function's code), or undefined
 * when it names none; an unreadable file is a configuration problem reported like any other.
 */
export function readGatewayConfigFile(env: Env): string | undefined {
  const file = env[GATEWAY_ENV.configFile];
  if (!file) return undefined;
  const path = isAbsolute(file) ? file : resolve(env.LAMBDA_TASK_ROOT ?? process.cwd(), file);
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

/**
 * The configuration from its JSON text: compiled straight away when the environment's digest says
 * the synth validated exactly this text, validated in full otherwise — and then `warn` hears of a
 * digest that does not match (the file was changed after the synth).
 */
export function gatewayConfigFromText(
  text: string,
  env: Env,
  warn: (message: string) => void = () => {},
): GatewayConfig {
  const digest = env[GATEWAY_ENV.configSha256];
  if (!digest) return parseGatewayConfigJson(text);
  if (digest === gatewayConfigDigest(text)) return compileValidatedGatewayConfigJson(text);
  warn(
    `The gateway configuration does not match ${GATEWAY_ENV.configSha256} (changed after the synth?): validating it in full.`,
  );
  return parseGatewayConfigJson(text);
}
