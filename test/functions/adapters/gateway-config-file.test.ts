import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withGatewayConfigFile } from '../../../functions/adapters/gateway-config-file';
import { GATEWAY_ENV } from '../../../functions/core/env-names';
import { GatewayConfigError } from '../../../functions/core/gateway-config';

describe('withGatewayConfigFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-config-file-'));
  writeFileSync(join(dir, 'gateway-config.json'), '{"targets":[]}');

  it('reads the file relative to the function code (LAMBDA_TASK_ROOT) into GATEWAY_CONFIG, over an inline one', () => {
    const env = withGatewayConfigFile({
      [GATEWAY_ENV.configFile]: 'gateway-config.json',
      [GATEWAY_ENV.config]: '{"inline":true}',
      LAMBDA_TASK_ROOT: dir,
    });
    expect(env[GATEWAY_ENV.config]).toBe('{"targets":[]}');
  });

  it('leaves the environment alone without a file', () => {
    const env = { [GATEWAY_ENV.config]: '{"inline":true}' };
    expect(withGatewayConfigFile(env)).toBe(env);
  });

  it('reports an unreadable file as a configuration problem naming the variable', () => {
    expect(() => withGatewayConfigFile({ [GATEWAY_ENV.configFile]: join(dir, 'missing.json') })).toThrow(
      GatewayConfigError,
    );
    expect(() => withGatewayConfigFile({ [GATEWAY_ENV.configFile]: join(dir, 'missing.json') })).toThrow(
      /GATEWAY_CONFIG_FILE: cannot read/,
    );
  });
});
