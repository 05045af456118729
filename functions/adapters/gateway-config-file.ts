/**
 * The gateway configuration from a file in the function's code (GATEWAY_CONFIG_FILE), which is how
 * the CDK construct delivers it: a code asset has no 4 KB limit, unlike Lambda's environment.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { GATEWAY_ENV } from '../core/env-names';
import { GatewayConfigError } from '../core/gateway-config';
import type { Env } from './secrets';

/**
 * The environment with the file's JSON as GATEWAY_CONFIG, when GATEWAY_CONFIG_FILE names one; an
 * unreadable file is a configuration problem reported like any other.
 */
export function withGatewayConfigFile(env: Env): Env {
  const file = env[GATEWAY_ENV.configFile];
  if (!file) return env;
  const path = isAbsolute(file) ? file : resolve(env.LAMBDA_TASK_ROOT ?? process.cwd(), file);
  try {
    return { ...env, [GATEWAY_ENV.config]: readFileSync(path, 'utf8') };
  } catch (error) {
    throw new GatewayConfigError(
      [
        `${GATEWAY_ENV.configFile}: cannot read ${path} (${error instanceof Error ? error.message : String(error)})`,
      ],
      { cause: error },
    );
  }
}
