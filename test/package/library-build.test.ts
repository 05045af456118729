/**
 * The library build (scripts/build.ts `lib`): the package's entry points as ESM that Node loads
 * without a bundler or tsx, with declarations beside them — and package.json's `dependencies` are
 * exactly what those modules import (the Lambda handlers are prebuilt bundles: what only they use is
 * a devDependency).
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLibrary } from '../../scripts/build';
import { importGraph } from './import-graph';

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

  it('keeps the test files, the local stack (all but the CLI) and the Lambda handlers out of the library', async () => {
    const files = (await filesUnder(libDir)).map((file) => relative(libDir, file));
    expect(files.filter((file) => /^(test|bench|scripts)\//.test(file))).toEqual([]);
    // The CLI and the two constants it takes from the local SQS module; not the dev stack.
    const local = files.filter((file) => file.startsWith('local/') && !file.startsWith('local/cli/'));
    expect(
      local.filter(
        (file) => !/^local\/(elasticmq|sqs-queues|java-process|java-tools|cache-dir)\./.test(file),
      ),
    ).toEqual([]);
    expect(files.filter((file) => file.startsWith('functions/handlers/'))).toEqual([]);
  });

  it('builds the CLI the bin runs when installed, and it answers --version in plain Node', () => {
    const bin = readFileSync(join(repoRoot, 'bin', 'event-gateway.js'), 'utf8');
    expect(bin).toContain(`import('../${DIST_CLI}')`);
    const script = `const { runCli } = await import(${JSON.stringify(join(libDir, 'local', 'cli', 'main.js'))});
      const out = []; const code = await runCli(['--version'], { out: (l) => out.push(l), err: (l) => out.push(l), env: {} });
      console.log(JSON.stringify({ code, out }))`;
    const result = JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }),
    ) as unknown;
    expect(result).toEqual({ code: 0, out: [pkg.version] });
  });
});

interface PackageJson {
  version: string;
  bin: Record<string, string>;
  exports: Record<string, string | { types: string; default: string }>;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as PackageJson;
/** The compiled CLI bin/event-gateway.js imports outside this repository. */
const DIST_CLI = 'dist/lib/local/cli/main.js';

/** The child process TemporalWorkerImage.fromEntry runs at synth (nothing imports it). */
const DIST_WORKER_IMAGE_STAGING = 'dist/lib/infra/constructs/worker-image-staging-main.js';

/** The package's entry files in the test build: the exports map's targets, the CLI, the staging process. */
function entryFiles(kind: 'default' | 'types'): string[] {
  const targets = Object.values(pkg.exports)
    .filter((target) => typeof target === 'object')
    .map((target) => target[kind]);
  if (kind === 'default') targets.push(`./${DIST_CLI}`, `./${DIST_WORKER_IMAGE_STAGING}`);
  else targets.push(`./${DIST_CLI.replace(/\.js$/, '.d.ts')}`);
  return targets.map((target) => join(libDir, target.replace(/^\.\/dist\/lib\//, '')));
}

describe("the package's dependencies", () => {
  const declared = () => new Set([...Object.keys(pkg.dependencies), ...Object.keys(pkg.peerDependencies)]);
  const undeclared = (packages: ReadonlyMap<string, readonly string[]>) =>
    [...packages]
      .filter(([name]) => !declared().has(name))
      .map(([name, files]) => `${name} (imported by ${relative(libDir, files[0] ?? '')})`);

  it('declares every package the built modules import, as a dependency or peer dependency', () => {
    const { files, packages } = importGraph(entryFiles('default'));
    expect(files.size).toBeGreaterThan(20);
    for (const entry of entryFiles('default')) expect(readFileSync(entry, 'utf8').length).toBeGreaterThan(0);
    expect(undeclared(packages)).toEqual([]);
  });

  it("declares every package the entry points' declarations import (a consumer's type check reads them)", () => {
    expect(undeclared(importGraph(entryFiles('types')).packages)).toEqual([]);
  });

  it('declares no runtime dependency that nothing in the built modules imports', () => {
    const { packages } = importGraph(entryFiles('default'));
    const unused = Object.keys(pkg.dependencies).filter((name) => !packages.has(name));
    expect(unused).toEqual([]);
  });

  it('takes aws-cdk-lib and constructs from the app as peers, one copy of each, and builds against them', () => {
    expect(Object.keys(pkg.peerDependencies).sort()).toEqual(['aws-cdk-lib', 'constructs']);
    for (const name of Object.keys(pkg.peerDependencies)) {
      expect(pkg.dependencies[name]).toBeUndefined();
      expect(pkg.devDependencies[name]).toBe(pkg.peerDependencies[name]);
    }
  });
});
