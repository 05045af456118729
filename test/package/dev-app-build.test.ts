/**
 * The `event-gateway dev` stack's prebuilt module (scripts/build.ts `dev`) carries the default
 * configuration's generated argument checks beside it, as each Lambda handler does: the local
 * server looks for them beside its bundle (adapters/gateway-config-file.ts) and validates with the
 * very checks a deployed function runs instead of building them with zod.
 */
import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_GATEWAY_CHECKS_FILE_NAME } from '../../functions/adapters/gateway-config-file';
import { buildDevApp } from '../../scripts/build';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const outDir = join(repoRoot, 'dist', `.test-dev-${randomUUID()}`);

afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

describe('the dev stack build', () => {
  it('puts the default configuration’s generated argument checks beside the dev app', async () => {
    const devDir = await buildDevApp({ outDir, log: () => {} });
    const shipped = await readFile(join(devDir, DEFAULT_GATEWAY_CHECKS_FILE_NAME), 'utf8');
    const generated = await readFile(
      join(repoRoot, 'functions', 'adapters', DEFAULT_GATEWAY_CHECKS_FILE_NAME),
      'utf8',
    );
    expect(shipped).toBe(generated);
    expect(shipped).toMatch(/export const /);
  }, 120_000);
});
