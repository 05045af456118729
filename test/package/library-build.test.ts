/**
 * The library build (scripts/build.ts `lib`): the package's entry points as ESM that Node loads
 * without a bundler or tsx, with declarations beside them.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLibrary } from '../../scripts/build';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
// Inside the repo so the built modules resolve their packages from node_modules.
const outDir = join(repoRoot, 'dist', `.test-lib-${randomUUID()}`);
let libDir: string;

beforeAll(async () => {
  libDir = await buildLibrary({ outDir, log: () => {} });
}, 240_000);

afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

/** Exported names of a built module, as plain Node (no tsx) sees them. */
function exportedNames(file: string): string[] {
  const script = `import(${JSON.stringify(file)}).then((m) => console.log(JSON.stringify(Object.keys(m))))`;
  return JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }),
  ) as string[];
}

describe('the library build', () => {
  it('writes JS and a declaration for every module, with no relative import Node could not resolve', async () => {
    const files = (await filesUnder(libDir)).map((file) => relative(libDir, file));
    for (const entry of ['infra/index', 'worker/index', 'worker/workflow', 'contract/index']) {
      expect(files).toContain(`${entry}.js`);
      expect(files).toContain(`${entry}.d.ts`);
    }
    const bare: string[] = [];
    for (const file of files.filter((f) => f.endsWith('.js') || f.endsWith('.d.ts'))) {
      // TSDoc examples show a team's own imports; only code counts.
      const text = (await readFile(join(libDir, file), 'utf8')).replace(/\/\*[\s\S]*?\*\//g, '');
      for (const [, specifier] of text.matchAll(/(?:from|import\()\s*["'](\.[^"']*)["']/g)) {
        if (!specifier?.endsWith('.js')) bare.push(`${file}: ${specifier}`);
      }
    }
    expect(bare).toEqual([]);
  });

  it('loads each entry point in plain Node', () => {
    expect(exportedNames(join(libDir, 'worker', 'index.js'))).toEqual(
      expect.arrayContaining(['runWorker', 'createWorker', 'prebundleWorkflows', 'locateWorkflows']),
    );
    expect(exportedNames(join(libDir, 'worker', 'workflow.js'))).toEqual(
      expect.arrayContaining(['AppliedEventIds']),
    );
    expect(exportedNames(join(libDir, 'infra', 'index.js'))).toEqual(
      expect.arrayContaining(['TemporalEventGateway', 'TemporalWorkerService', 'TemporalConnection']),
    );
  });

  it('keeps the test files, the local stack and the Lambda handlers out of the library', async () => {
    const files = (await filesUnder(libDir)).map((file) => relative(libDir, file));
    expect(files.filter((file) => /^(test|local|bench|scripts)\//.test(file))).toEqual([]);
    expect(files.filter((file) => file.startsWith('functions/handlers/'))).toEqual([]);
  });
});
