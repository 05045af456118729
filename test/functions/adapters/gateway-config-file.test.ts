import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gatewayConfigFromText, loadGatewayConfig } from '../../../functions/adapters/gateway-config-file';
import { DEFAULT_GATEWAY_CONFIG } from '../../../functions/core/default-config';
import { routingToConfigJson } from '../../../infra/props/routing';
import { GATEWAY_ENV } from '../../../functions/core/env-names';
import { GatewayConfigError, type ValidatedGatewayConfig } from '../../../functions/core/gateway-config';

describe('loadGatewayConfig with GATEWAY_CONFIG_FILE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-config-file-'));
  const fileConfig = { targets: [{ ...DEFAULT_GATEWAY_CONFIG.targets[0], name: 'from-file' }] };
  writeFileSync(join(dir, 'gateway-config.json'), JSON.stringify(fileConfig));
  const inline = JSON.stringify({ targets: [{ ...DEFAULT_GATEWAY_CONFIG.targets[0], name: 'inline' }] });

  it('reads the file relative to the function code (LAMBDA_TASK_ROOT), over an inline GATEWAY_CONFIG', () => {
    const config = loadGatewayConfig({
      [GATEWAY_ENV.configFile]: 'gateway-config.json',
      [GATEWAY_ENV.config]: inline,
      LAMBDA_TASK_ROOT: dir,
    });
    expect(config.targets.map((t) => t.name)).toEqual(['from-file']);
  });

  it('takes the inline GATEWAY_CONFIG without a file', () => {
    expect(loadGatewayConfig({ [GATEWAY_ENV.config]: inline }).targets.map((t) => t.name)).toEqual([
      'inline',
    ]);
  });

  it('reports an unreadable file as a configuration problem naming the variable', () => {
    expect(() => loadGatewayConfig({ [GATEWAY_ENV.configFile]: join(dir, 'missing.json') })).toThrow(
      GatewayConfigError,
    );
    expect(() => loadGatewayConfig({ [GATEWAY_ENV.configFile]: join(dir, 'missing.json') })).toThrow(
      /GATEWAY_CONFIG_FILE: cannot read/,
    );
  });
});

describe('gatewayConfigFromText', () => {
  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
  // Valid JSON of a validated shape that zod would refuse (an empty target name).
  const synthJson = routingToConfigJson(DEFAULT_GATEWAY_CONFIG);
  const synth = JSON.parse(synthJson) as ValidatedGatewayConfig;
  const invalid = JSON.stringify({ ...synth, targets: [{ ...synth.targets[0], name: '' }] });

  it('compiles the text the synth wrote, under its digest, into the configured targets', () => {
    const config = gatewayConfigFromText(synthJson, { [GATEWAY_ENV.configSha256]: sha256(synthJson) });
    expect(config.targets.map((t) => t.name)).toEqual(DEFAULT_GATEWAY_CONFIG.targets.map((t) => t.name));
    expect(config.targets[0]!.matches('staged-order-42')).toBe(true);
  });

  it('skips validation only for the very text the digest names', () => {
    expect(() =>
      gatewayConfigFromText(invalid, { [GATEWAY_ENV.configSha256]: sha256(invalid) }),
    ).not.toThrow();
  });

  it('says so when the digest does not match, and uses a valid text all the same', () => {
    const warnings: string[] = [];
    const edited = JSON.stringify({ ...synth, targets: [{ ...synth.targets[0], startIfMissing: false }] });
    const config = gatewayConfigFromText(edited, { [GATEWAY_ENV.configSha256]: sha256(synthJson) }, (m) =>
      warnings.push(m),
    );
    expect(config.targets[0]!.startIfMissing).toBe(false);
    expect(warnings).toEqual([expect.stringContaining('does not match GATEWAY_CONFIG_SHA256')]);
    gatewayConfigFromText(synthJson, { [GATEWAY_ENV.configSha256]: sha256(synthJson) }, (m) =>
      warnings.push(m),
    );
    gatewayConfigFromText(synthJson, {}, (m) => warnings.push(m));
    expect(warnings).toHaveLength(1);
  });

  it('validates in full a text without a digest, or one the digest does not match (a hand-edited file)', () => {
    expect(() => gatewayConfigFromText(invalid, {})).toThrow(GatewayConfigError);
    expect(() => gatewayConfigFromText(invalid, { [GATEWAY_ENV.configSha256]: sha256(synthJson) })).toThrow(
      /targets\.0\.name/,
    );
    expect(() => gatewayConfigFromText(invalid, { [GATEWAY_ENV.configSha256]: '' })).toThrow(
      GatewayConfigError,
    );
  });

  it('is how a function loads GATEWAY_CONFIG', () => {
    expect(() => loadGatewayConfig({ [GATEWAY_ENV.config]: invalid })).toThrow(GatewayConfigError);
    const env = { [GATEWAY_ENV.config]: invalid, [GATEWAY_ENV.configSha256]: sha256(invalid) };
    expect(loadGatewayConfig(env).targets[0]!.name).toBe('');
  });
});
