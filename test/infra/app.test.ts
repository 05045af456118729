import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/constructs/gateway-function';

/** Runs infra/app.ts the way `cdk synth` does (cdk.json: `npx tsx infra/app.ts`), without the CLI. */
function runApp(env: Record<string, string>) {
  return spawnSync(join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), ['infra/app.ts'], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    encoding: 'utf8',
  });
}

describe('infra/app.ts', () => {
  it('stops with every configuration problem, named by key, and no stack trace', () => {
    const result = runApp({
      EVENT_GATEWAY_TEMPORAL_AUTH: 'apikey',
      EVENT_GATEWAY_INGEST_MODE: 'queue',
      EVENT_GATEWAY_API_AUTHORIZER: 'none',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Invalid event gateway deployment configuration (2 problems)');
    expect(result.stderr).toContain(
      'temporalAuth (EVENT_GATEWAY_TEMPORAL_AUTH): must be one of none, api-key, mtls (got "apikey")',
    );
    expect(result.stderr).toContain('apiAuthorizer (EVENT_GATEWAY_API_AUTHORIZER): must be iam or jwt');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
