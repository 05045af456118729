/**
 * worker/Dockerfile without a Docker engine: its build stage run in a directory holding exactly what
 * its COPY instructions bring in (node_modules linked instead of `npm ci`), then every file the later
 * stages copy from it checked, and the trimmed package.json the deps stage installs checked against
 * what the built main.js imports. A file the build needs but the Dockerfile forgets to copy, or a
 * package the worker loads but the image would not install, fails here instead of in a deploy.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageNameOf } from '../../infra/constructs/worker-image-staging';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const dockerfile = readFileSync(join(repoRoot, 'worker/Dockerfile'), 'utf8');
const work = mkdtempSync(join(tmpdir(), 'worker-dockerfile-'));

interface Copy {
  from?: string;
  sources: string[];
  dest: string;
}
interface Stage {
  name: string;
  copies: Copy[];
  runs: string[];
}

/** The stages with their COPY and RUN instructions (continuation lines joined). */
function stages(text: string): Stage[] {
  const lines = text.replace(/\\\n/g, ' ').split('\n');
  const result: Stage[] = [];
  for (const line of lines.map((l) => l.trim())) {
    const from = /^FROM\s+\S+\s+AS\s+(\S+)/i.exec(line);
    if (from?.[1]) result.push({ name: from[1], copies: [], runs: [] });
    const current = result.at(-1);
    if (!current) continue;
    if (/^COPY\s/i.test(line)) {
      const words = line.split(/\s+/).slice(1);
      const fromFlag = words.find((word) => word.startsWith('--from='));
      const paths = words.filter((word) => !word.startsWith('--'));
      current.copies.push({
        ...(fromFlag ? { from: fromFlag.slice('--from='.length) } : {}),
        sources: paths.slice(0, -1),
        dest: paths.at(-1) ?? '',
      });
    }
    if (/^RUN\s/i.test(line)) current.runs.push(line.replace(/^RUN\s+(--mount=\S+\s+)*/i, ''));
  }
  return result;
}

const all = stages(dockerfile);
const stage = (name: string): Stage => {
  const found = all.find((s) => s.name === name);
  if (!found) throw new Error(`worker/Dockerfile has no stage ${name}`);
  return found;
};
const buildDir = join(work, 'build');

beforeAll(() => {
  mkdirSync(buildDir, { recursive: true });
  for (const copy of stage('build').copies) {
    for (const source of copy.sources) {
      const target = copy.dest.endsWith('/')
        ? join(buildDir, copy.dest, source.split('/').pop() ?? '')
        : join(buildDir, copy.dest);
      mkdirSync(dirname(target), { recursive: true });
      cpSync(join(repoRoot, source), target, { recursive: true });
    }
  }
  // `npm ci` in the image; the repository's own install here.
  symlinkSync(join(repoRoot, 'node_modules'), join(buildDir, 'node_modules'), 'dir');
  for (const run of stage('build').runs.filter((command) => !/^npm ci\b/.test(command))) {
    execFileSync('sh', ['-c', run], { cwd: buildDir, stdio: ['ignore', 'pipe', 'pipe'], timeout: 240_000 });
  }
}, 300_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('worker/Dockerfile', () => {
  it('has the build, deps and runtime stages, and the build stage installs with npm ci', () => {
    expect(all.map((s) => s.name)).toEqual(['build', 'deps', 'runtime']);
    expect(stage('build').runs[0]).toMatch(/^npm ci\b/);
  });

  it('gives the later stages every file they copy from the build stage', () => {
    const fromBuild = [...stage('deps').copies, ...stage('runtime').copies].filter((c) => c.from === 'build');
    expect(fromBuild.length).toBeGreaterThan(0);
    for (const copy of fromBuild)
      for (const source of copy.sources)
        expect(existsSync(join(buildDir, source.replace(/^\/app\//, ''))), source).toBe(true);
  });

  it('installs exactly the packages the built main.js imports, at the lock file’s versions', () => {
    const main = readFileSync(join(buildDir, 'dist/worker/main.js'), 'utf8');
    const imported = new Set(
      [...main.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"'./][^"']*)["']/g)]
        .map((match) => packageNameOf(match[1] ?? ''))
        .filter((name): name is string => name !== undefined),
    );
    const trimmed = JSON.parse(readFileSync(join(buildDir, 'dist/worker/package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      type?: string;
    };
    expect(Object.keys(trimmed.dependencies).sort()).toEqual([...imported].sort());
    // The callback minter's JWS library is one of them: the image used to install @temporalio/* only.
    expect(trimmed.dependencies).toHaveProperty('jose');
    expect(trimmed.dependencies).toHaveProperty('@temporalio/worker');
    expect(trimmed.type).toBe('module');
    const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string }>;
    };
    for (const [name, version] of Object.entries(trimmed.dependencies))
      expect(lock.packages[`node_modules/${name}`]?.version, name).toBe(version);
    // The deps stage installs from the build's trimmed files, not the repository's package.json.
    const depsSources = stage('deps').copies.flatMap((c) => c.sources);
    expect(depsSources).toContain('/app/dist/worker/package.json');
    expect(depsSources).toContain('/app/dist/worker/package-lock.json');
    expect(depsSources).not.toContain('package.json');
  });
});
