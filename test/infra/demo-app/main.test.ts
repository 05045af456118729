import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../support/synth';

/** Runs infra/demo-app/main.ts the way `cdk synth` does (cdk.json: `npx tsx infra/demo-app/main.ts`), without the CLI. */
function runApp(env: Record<string, string>) {
  return spawnSync(join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), ['infra/demo-app/main.ts'], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    encoding: 'utf8',
  });
}

describe('infra/demo-app/main.ts', () => {
  it('stops with every settings problem, named by key, and no stack trace', () => {
    const result = runApp({
      EVENT_GATEWAY_TEMPORAL_AUTH: 'apikey',
      EVENT_GATEWAY_FIFO: 'yes',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Invalid event gateway deployment settings (2 problems)');
    expect(result.stderr).toContain(
      'temporalAuth (EVENT_GATEWAY_TEMPORAL_AUTH): must be one of none, api-key, mtls (got "apikey")',
    );
    expect(result.stderr).toContain('fifo (EVENT_GATEWAY_FIFO): must be true or false (got "yes")');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('stops with every props problem of a construct, named by prop, and no stack trace', () => {
    const result = runApp({
      EVENT_GATEWAY_INGEST_MODE: 'queue',
      EVENT_GATEWAY_API_AUTHORIZER: 'none',
      EVENT_GATEWAY_QUEUE_BATCH_SIZE: '11',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Invalid props for event-gateway/Gateway (2 problems)');
    expect(result.stderr).toContain('apiAuthorization: must be iam or jwt with ingestMode queue');
    expect(result.stderr).toContain('queueBatchSize: must be a whole number from 1 to 10');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
