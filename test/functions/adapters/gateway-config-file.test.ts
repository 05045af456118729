import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SIGNALS, UPDATES } from '../../../contract';
import {
  argumentCheckName,
  GATEWAY_CHECKS_FILE_NAME,
  gatewayConfigFromText,
  loadGatewayConfig,
} from '../../../functions/adapters/gateway-config-file';
import { silentLogger } from '../../../functions/adapters/logger';
import { DEFAULT_GATEWAY_CONFIG } from '../../../functions/core/default-config';
import { routingChecksModule, routingToConfigJson } from '../../../infra/props/routing';
import { GATEWAY_ENV } from '../../../functions/core/env-names';
import { GatewayConfigError, type ValidatedGatewayConfig } from '../../../functions/core/gateway-config';

describe('loadGatewayConfig with GATEWAY_CONFIG_FILE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-config-file-'));
  const fileConfig = { targets: [{ ...DEFAULT_GATEWAY_CONFIG.targets[0], name: 'from-file' }] };
  writeFileSync(join(dir, 'gateway-config.json'), JSON.stringify(fileConfig));
  const inline = JSON.stringify({ targets: [{ ...DEFAULT_GATEWAY_CONFIG.targets[0], name: 'inline' }] });

  it('reads the file relative to the function code (LAMBDA_TASK_ROOT), over an inline GATEWAY_CONFIG', async () => {
    const config = await loadGatewayConfig({
      [GATEWAY_ENV.configFile]: 'gateway-config.json',
      [GATEWAY_ENV.config]: inline,
      LAMBDA_TASK_ROOT: dir,
    });
    expect(config.targets.map((t) => t.name)).toEqual(['from-file']);
  });

  it('takes the inline GATEWAY_CONFIG without a file', async () => {
    expect((await loadGatewayConfig({ [GATEWAY_ENV.config]: inline })).targets.map((t) => t.name)).toEqual([
      'inline',
    ]);
  });

  it('reports an unreadable file as a configuration problem naming the variable', async () => {
    await expect(loadGatewayConfig({ [GATEWAY_ENV.configFile]: join(dir, 'missing.json') })).rejects.toThrow(
      GatewayConfigError,
    );
    await expect(loadGatewayConfig({ [GATEWAY_ENV.configFile]: join(dir, 'missing.json') })).rejects.toThrow(
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

  it('compiles the text the synth wrote, under its digest, into the configured targets', async () => {
    const config = await gatewayConfigFromText(synthJson, { [GATEWAY_ENV.configSha256]: sha256(synthJson) });
    expect(config.targets.map((t) => t.name)).toEqual(DEFAULT_GATEWAY_CONFIG.targets.map((t) => t.name));
    expect(config.targets[0]!.matches('staged-order-42')).toBe(true);
  });

  it('skips validation only for the very text the digest names', async () => {
    await expect(
      gatewayConfigFromText(invalid, { [GATEWAY_ENV.configSha256]: sha256(invalid) }),
    ).resolves.not.toThrow();
  });

  it('says so when the digest does not match, and uses a valid text all the same', async () => {
    const warnings: string[] = [];
    const edited = JSON.stringify({ ...synth, targets: [{ ...synth.targets[0], startIfMissing: false }] });
    const config = await gatewayConfigFromText(
      edited,
      { [GATEWAY_ENV.configSha256]: sha256(synthJson) },
      (m) => warnings.push(m),
    );
    expect(config.targets[0]!.startIfMissing).toBe(false);
    expect(warnings).toEqual([expect.stringContaining('does not match GATEWAY_CONFIG_SHA256')]);
    await gatewayConfigFromText(synthJson, { [GATEWAY_ENV.configSha256]: sha256(synthJson) }, (m) =>
      warnings.push(m),
    );
    await gatewayConfigFromText(synthJson, {}, (m) => warnings.push(m));
    expect(warnings).toHaveLength(1);
  });

  it('validates in full a text without a digest, or one the digest does not match (a hand-edited file)', async () => {
    await expect(gatewayConfigFromText(invalid, {})).rejects.toThrow(GatewayConfigError);
    await expect(
      gatewayConfigFromText(invalid, { [GATEWAY_ENV.configSha256]: sha256(synthJson) }),
    ).rejects.toThrow(/targets\.0\.name/);
    await expect(gatewayConfigFromText(invalid, { [GATEWAY_ENV.configSha256]: '' })).rejects.toThrow(
      GatewayConfigError,
    );
  });

  it('runs the argument checks the synth generated beside the file, without building any', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-checks-'));
    const schema = { type: 'object', properties: { amount: { type: 'number' } }, required: ['amount'] };
    const json = routingToConfigJson({
      targets: [{ ...DEFAULT_GATEWAY_CONFIG.targets[0], signals: { paid: { schema } } }],
    });
    writeFileSync(join(dir, 'gateway-config.json'), json);
    writeFileSync(join(dir, GATEWAY_CHECKS_FILE_NAME), routingChecksModule(json));
    const warnings: string[] = [];
    const env = {
      [GATEWAY_ENV.configFile]: 'gateway-config.json',
      [GATEWAY_ENV.configSha256]: sha256(json),
      LAMBDA_TASK_ROOT: dir,
    };
    const logger = { ...silentLogger, warn: (m: string) => warnings.push(m) };
    const config = await loadGatewayConfig(env, logger);
    const paid = config.targets[0]!.signals.get('paid')!.schema();
    expect(paid({ amount: 3 })).toEqual({ ok: true, value: { amount: 3 } });
    expect(paid({ amount: 'three' })).toEqual({
      ok: false,
      issue: { path: 'amount', message: 'must be number' },
    });
    expect(warnings).toEqual([]);
    // Without the file, the same configuration still loads: its checks are built by zod, and it says so.
    const bare = mkdtempSync(join(tmpdir(), 'gateway-checks-'));
    writeFileSync(join(bare, 'gateway-config.json'), json);
    await loadGatewayConfig({ ...env, LAMBDA_TASK_ROOT: bare }, logger);
    expect(warnings).toEqual([expect.stringContaining('No generated check')]);
  });

  it('runs the prebuilt checks in a configuration validated in full, and zod for schemas without one', async () => {
    const checksModule = new URL('../../../functions/adapters/default-gateway-checks.mjs', import.meta.url);
    const prebuilt = (await import(checksModule.href)) as Record<string, unknown>;
    const [staged] = DEFAULT_GATEWAY_CONFIG.targets;
    const schema = { type: 'object', properties: { amount: { type: 'number' } }, required: ['amount'] };
    const text = JSON.stringify({
      targets: [{ ...staged, signals: { ...staged.signals, paid: { schema } } }],
    });
    const inline = (await gatewayConfigFromText(text, {})).targets[0]!;
    const advance = staged.signals[SIGNALS.advanceStage].schema;
    expect(inline.signals.get(SIGNALS.advanceStage)!.schema()).toBe(prebuilt[argumentCheckName(advance)]);
    expect(argumentCheckName(schema) in prebuilt).toBe(false);
    const paid = inline.signals.get('paid')!.schema();
    // zod's words, not the generated checks' ("must be number").
    expect(paid({ amount: 'three' })).toEqual({
      ok: false,
      issue: { path: 'amount', message: 'Invalid input: expected number, received string' },
    });
    // The local default configuration (no text at all) runs them too.
    const local = (await loadGatewayConfig({})).targets[0]!;
    expect(local.updates.get(UPDATES.setStage)!.schema()).toBe(prebuilt[argumentCheckName(advance)]);
  });

  it('is how a function loads GATEWAY_CONFIG', async () => {
    await expect(loadGatewayConfig({ [GATEWAY_ENV.config]: invalid })).rejects.toThrow(GatewayConfigError);
    const env = { [GATEWAY_ENV.config]: invalid, [GATEWAY_ENV.configSha256]: sha256(invalid) };
    expect((await loadGatewayConfig(env)).targets[0]!.name).toBe('');
  });
});
