/**
 * The worker image carries the team's codec module: `TemporalWorkerImage.stage` bundles the worker
 * entry with everything it imports, so an entry passing its codec module's default export to
 * `runWorker({ payloadCodecs })` ships that module in main.js — one definition, the same file the
 * gateway's `payloadCodec.entry` bundles into the functions.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { TemporalWorkerImage } from '../../../infra/index';
import { TEAM_GZIP_ENCODING } from '../../fixtures/team-codec/gzip-codec';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'teg-worker-codec-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('a worker image with a team codec module', () => {
  it("bundles the module the entry passes to runWorker's payloadCodecs into main.js", () => {
    const { directory } = TemporalWorkerImage.stage({
      entry: join(repoRoot, 'test', 'fixtures', 'team-codec', 'worker-main.ts'),
      workflowsPath: join(repoRoot, 'worker', 'workflows', 'index.ts'),
      outDir: join(work, 'context'),
    });
    const main = readFileSync(join(directory, 'main.js'), 'utf8');
    expect(main).toContain(TEAM_GZIP_ENCODING);
    expect(main).toContain('gzipSync');
  });
});
