/**
 * `npm run test:latest [-- --newest] [--working-tree] [--keep]`: dependency drift, caught on purpose.
 * The tests of `npm test` install from lock files, so what npm publishes tomorrow cannot break them;
 * this script is where it may. In a temporary copy of the last commit (`--working-tree`: of the files
 * as they are, uncommitted work included) it installs, without a lock file,
 * - by default the newest published version of every dependency and dev dependency within the
 *   ranges package.json declares (what a team's fresh `npm install` gets), or
 * - with `--newest` the newest version overall (each range moved to the `latest` tag),
 * then runs the typecheck, the unit tests that need no server (the test files that start no
 * Temporal, SQS or child process: listed in the output) and examples/order-fulfilment's lock-free
 * `cdk synth` with cdk-nag against the packed library. It prints each upgraded package, then one
 * line per step that broke, naming the upgraded packages its output names (or saying it cannot tell).
 * A check that broke is run again with the locked versions (`npm ci`): if it fails there too, it is
 * reported as NOT DRIFT — broken already, whatever npm publishes. Exit code 1 when anything broke.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isProcessEntry } from '../local/process-entry';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
/** What makes a test file need a server or a child process; such files are left to `npm test`. */
const NEEDS_A_SERVER =
  /sharedTemporal|startSqsStack|startElasticMq|startTemporal|TestWorkflowEnvironment|child_process|startDevStack/;
const UNIT_TEST_DIRS = ['test/functions', 'test/infra', 'test/worker', 'test/package', 'test/contract'];

interface PackageJson {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  [key: string]: unknown;
}
type Lock = { packages: Record<string, { version?: string }> };

/** A package whose installed version differs from the repository's lock. */
export interface Upgrade {
  readonly name: string;
  readonly from: string;
  readonly to: string;
}

export interface StepResult {
  readonly step: string;
  readonly ok: boolean;
  readonly output: string;
}

/**
 * Where a failure names a package for certain: its path in node_modules, a module specifier
 * (`'name'`, `'name/sub'` after "module"/"package"), `name@version`, or a jsii type (`aws-cdk-lib.aws_x.`).
 * A bare word is not enough: our own code says "stripe" and "zod" in places that are no package.
 */
function mentions(output: string, name: string): boolean {
  const n = name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return [
    `node_modules/${n}/`,
    `(module|package) ['"\`]${n}(/[^'"\`]*)?['"\`]`,
    `(^|[\\s'"(])${n}@\\d`,
    `(^|\\s)${n}\\.[a-z_]+\\.`,
  ].some((pattern) => new RegExp(pattern, 'm').test(output));
}

/**
 * One line per broken step and culprit: the upgraded packages its output names, most specific
 * (longest name) first; a step whose output names none says so, with its first error line.
 */
export function describeBreakage(results: readonly StepResult[], upgrades: readonly Upgrade[]): string[] {
  const lines: string[] = [];
  for (const result of results.filter((r) => !r.ok)) {
    // vitest lists every test it ran; only its failure report is evidence.
    const marker = result.output.indexOf('Failed Tests');
    const evidence = marker === -1 ? result.output : result.output.slice(marker);
    const named = upgrades
      .filter((upgrade) => mentions(evidence, upgrade.name))
      .sort((a, b) => b.name.length - a.name.length);
    if (named.length === 0) {
      const firstError =
        result.output.split('\n').find((line) => /error|fail/i.test(line)) ?? result.output.split('\n')[0];
      lines.push(
        `BROKE ${result.step}: cannot tell which package (${upgrades.length} upgraded): ${firstError?.trim()}`,
      );
    }
    for (const upgrade of named) {
      lines.push(
        `BROKE ${result.step}: ${upgrade.name} ${upgrade.from} → ${upgrade.to} (named in its output)`,
      );
    }
  }
  return lines;
}

/** The packages whose top-level version in `after` differs from `before` (direct ones only). */
export function upgradesBetween(before: Lock, after: Lock, names: readonly string[]): Upgrade[] {
  return names
    .map((name) => ({
      name,
      from: before.packages[`node_modules/${name}`]?.version ?? '(none)',
      to: after.packages[`node_modules/${name}`]?.version ?? '(none)',
    }))
    .filter((upgrade) => upgrade.from !== upgrade.to);
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  return { ok: result.status === 0, output };
}

function step(
  name: string,
  command: string,
  args: string[],
  cwd: string,
  env?: NodeJS.ProcessEnv,
): StepResult {
  const started = Date.now();
  process.stdout.write(`[test:latest] ${name}… `);
  const { ok, output } = run(command, args, cwd, env);
  console.log(`${ok ? 'ok' : 'FAILED'} (${Math.round((Date.now() - started) / 1000)} s)`);
  if (!ok) console.log(output.split('\n').slice(-40).join('\n'));
  return { step: name, ok, output };
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
const writeJson = (path: string, value: unknown) =>
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);

/** The last commit's tree into `to`: what CI tests, without anyone's uncommitted work. */
function copyCommittedTree(to: string): void {
  mkdirSync(to, { recursive: true });
  const archive = spawnSync('git', ['archive', '--format=tar', 'HEAD'], {
    cwd: repoRoot,
    maxBuffer: 1 << 30,
  });
  if (archive.status !== 0) throw new Error(`git archive failed: ${String(archive.stderr)}`);
  const unpacked = spawnSync('tar', ['-x', '-C', to], { input: archive.stdout });
  if (unpacked.status !== 0) throw new Error(`tar failed: ${String(unpacked.stderr)}`);
}

/** With `--working-tree`: the files as they are now (tracked and new, nothing ignored), into `to`. */
function copyWorkingTree(to: string): void {
  const listed = run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], repoRoot);
  if (!listed.ok) throw new Error(`git ls-files failed:\n${listed.output}`);
  for (const file of listed.output.split('\0').filter(Boolean)) {
    mkdirSync(dirname(join(to, file)), { recursive: true });
    try {
      cpSync(join(repoRoot, file), join(to, file));
    } catch {
      // Deleted in the working tree but not yet in the index: not part of the tree under test.
    }
  }
}

/**
 * What the registry has for every direct dependency that is behind, through npm's own `outdated`:
 * `wanted` (newest in range) and `latest`, beside `current`.
 */
function outdatedPackages(cwd: string): Record<string, { current?: string; wanted: string; latest: string }> {
  const { output } = run('npm', ['outdated', '--json'], cwd); // exits 1 when anything is outdated
  const start = output.indexOf('{');
  return start === -1 ? {} : (JSON.parse(output.slice(start)) as ReturnType<typeof outdatedPackages>);
}

/** With `--newest`: every declared range (peer ranges too) moved to the newest version. */
function moveRangesToLatest(pkg: PackageJson, latest: Record<string, string>): void {
  for (const field of ['dependencies', 'devDependencies', 'peerDependencies'] as const) {
    for (const name of Object.keys(pkg[field] ?? {})) {
      const version = latest[name];
      if (version && !pkg[field]![name]!.startsWith('file:')) pkg[field]![name] = `^${version}`;
    }
  }
}

/** Test files that start no server or child process: the unit layer, fast and self-contained. */
function unitTestFiles(root: string): string[] {
  const files: string[] = [];
  for (const dir of UNIT_TEST_DIRS) {
    let entries: string[];
    try {
      entries = readdirSync(join(root, dir), { recursive: true }).map(String);
    } catch {
      continue;
    }
    for (const entry of entries.filter((e) => e.endsWith('.test.ts'))) {
      const file = join(dir, entry);
      if (!NEEDS_A_SERVER.test(readFileSync(join(root, file), 'utf8'))) files.push(file);
    }
  }
  return files.sort();
}

function main(): number {
  const newest = process.argv.includes('--newest');
  const keep = process.argv.includes('--keep');
  const workingTree = process.argv.includes('--working-tree');
  const work = mkdtempSync(join(tmpdir(), 'teg-latest-'));
  const copy = join(work, 'repo');
  const what = newest ? 'newest overall' : 'newest within the declared ranges';
  const tree = workingTree ? 'the working tree' : 'HEAD';
  console.log(`[test:latest] ${what}, ${tree}, in ${work}`);
  try {
    if (workingTree) copyWorkingTree(copy);
    else copyCommittedTree(copy);
    const lockedText = readFileSync(join(copy, 'package-lock.json'), 'utf8');
    const pkgText = readFileSync(join(copy, 'package.json'), 'utf8');
    const before = JSON.parse(lockedText) as Lock;
    const pkg = JSON.parse(pkgText) as PackageJson;
    const outdated = outdatedPackages(repoRoot);
    const latest = Object.fromEntries(Object.entries(outdated).map(([name, entry]) => [name, entry.latest]));
    if (newest) moveRangesToLatest(pkg, latest);
    writeJson(join(copy, 'package.json'), pkg);
    rmSync(join(copy, 'package-lock.json'));

    const install = step('npm install (no lock file)', 'npm', ['install', '--no-audit', '--no-fund'], copy);
    if (!install.ok) {
      const planned = Object.entries(outdated).map(([name, entry]) => ({
        name,
        from: entry.current ?? '(none)',
        to: newest ? entry.latest : entry.wanted,
      }));
      console.log(describeBreakage([install], planned).join('\n'));
      return 1;
    }
    const direct = [...new Set(Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }))];
    const upgrades = upgradesBetween(before, readJson<Lock>(join(copy, 'package-lock.json')), direct);
    for (const { name, from, to } of upgrades) console.log(`[test:latest] upgraded ${name} ${from} → ${to}`);

    const files = unitTestFiles(copy);
    console.log(`[test:latest] unit tests without servers (${files.length} files): ${files.join(' ')}`);
    writeFileSync(
      join(copy, 'vitest.latest.config.ts'),
      "import { defineConfig } from 'vitest/config';\n" +
        `export default defineConfig({ test: { include: ${JSON.stringify(files)}, pool: 'forks', testTimeout: 120_000 } });\n`,
    );
    const checks: Record<string, string[]> = {
      typecheck: ['tsc', '--noEmit', '-p', '.'],
      'unit tests': ['vitest', 'run', '-c', 'vitest.latest.config.ts'],
    };
    const runCheck = (name: string, prefix = '') =>
      step(`${prefix}${name}`, 'npx', ['--no-install', ...checks[name]!], copy);
    const results: StepResult[] = Object.keys(checks).map((name) => runCheck(name));
    const example = exampleSynth(copy, work, newest ? latest : undefined);
    results.push(...example.results);
    for (const { name, from, to } of example.upgrades)
      console.log(`[test:latest] example: upgraded ${name} ${from} → ${to} (its lock file had ${from})`);

    // A check that fails with the locked versions too is broken already (npm test says so): not drift.
    const failedChecks = results.filter((r) => !r.ok && r.step in checks).map((r) => r.step);
    const notDrift = new Set<string>();
    if (failedChecks.length > 0) {
      writeFileSync(join(copy, 'package.json'), pkgText);
      writeFileSync(join(copy, 'package-lock.json'), lockedText);
      if (step('baseline: npm ci (the locked versions)', 'npm', ['ci', '--no-audit', '--no-fund'], copy).ok) {
        for (const name of failedChecks) if (!runCheck(name, 'baseline: ').ok) notDrift.add(name);
      }
    }
    for (const name of notDrift) {
      console.log(
        `NOT DRIFT ${name}: fails with the locked versions too (npm test's business, not a release's)`,
      );
    }
    const broken = describeBreakage(
      results.filter((r) => !notDrift.has(r.step)),
      [
        ...upgrades,
        ...example.upgrades.filter((e) => !upgrades.some((u) => u.name === e.name && u.to === e.to)),
      ],
    );
    if (broken.length > 0) console.log(broken.join('\n'));
    else if (notDrift.size === 0) console.log(`[test:latest] nothing broke (${upgrades.length} upgraded)`);
    else console.log(`[test:latest] no drift found (${upgrades.length} upgraded), but see NOT DRIFT above`);
    return broken.length || notDrift.size ? 1 : 0;
  } finally {
    if (keep) console.log(`[test:latest] kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

/**
 * examples/order-fulfilment as a team would install it today: the packed library, no lock file,
 * every other package resolved now; then `cdk synth`, which fails on any cdk-nag finding.
 */
function exampleSynth(
  copy: string,
  work: string,
  latest: Record<string, string> | undefined,
): { results: StepResult[]; upgrades: Upgrade[] } {
  const pack = step(
    'npm pack (builds the library)',
    'npm',
    ['pack', '--silent', '--pack-destination', work],
    copy,
  );
  if (!pack.ok) return { results: [pack], upgrades: [] };
  const tarball = join(work, pack.output.trim().split('\n').pop() ?? '');
  const app = join(work, 'order-fulfilment');
  cpSync(join(copy, 'examples', 'order-fulfilment'), app, { recursive: true });
  const lockPath = join(app, 'package-lock.json');
  const lockBefore = readJson<Lock>(lockPath);
  rmSync(lockPath);
  const pkg = readJson<PackageJson>(join(app, 'package.json'));
  if (latest) moveRangesToLatest(pkg, latest);
  pkg.dependencies!['temporal-event-gateway'] = `file:${tarball}`;
  writeJson(join(app, 'package.json'), pkg);
  const install = step(
    'example: npm install (no lock file)',
    'npm',
    ['install', '--no-audit', '--no-fund'],
    app,
  );
  if (!install.ok) return { results: [pack, install], upgrades: [] };
  // The example's packages and the library's (cdk-nag among them), against the example's lock file.
  const lockAfter = readJson<Lock>(lockPath);
  const names = Object.keys(lockAfter.packages)
    .filter((path) => /^node_modules\/(@[^/]+\/)?[^/]+$/.test(path))
    .map((path) => path.slice('node_modules/'.length))
    .filter((name) => name !== 'temporal-event-gateway');
  const upgrades = upgradesBetween(lockBefore, lockAfter, names).filter((u) => u.from !== '(none)');
  // What a fresh machine has: no AWS credentials, no Docker.
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    npm_config_cache: process.env.npm_config_cache,
  };
  const cdk = join(app, 'node_modules', '.bin', 'cdk');
  const synth = step('example: cdk synth with cdk-nag', cdk, ['synth', '--quiet'], app, env);
  return { results: [pack, install, synth], upgrades };
}

if (isProcessEntry(import.meta.url)) process.exitCode = main();
