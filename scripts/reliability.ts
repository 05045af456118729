/**
 * `npm run test:reliability`: runs the reliability suite (test/reliability/vitest.config.ts) and
 * turns what its files measured into reports/reliability-<date>.json and .md, plus reports/latest.md.
 *
 * The test files write their figures to RELIABILITY_RESULTS_DIR (see test/reliability/support/
 * results.ts); vitest's JSON reporter says which tests passed. The fuzzers get a fresh seed and more
 * runs than under `npm test` (override with RELIABILITY_FUZZ_SEED / RELIABILITY_FUZZ_RUNS). Extra
 * arguments go to vitest, e.g. `npm run test:reliability -- test/reliability/security.test.ts`.
 *
 * Exit code 1 when a test failed or a promise did not hold: an acknowledged event lost or applied
 * twice, a 5xx (or a retried permanent failure) on bad input, fewer than 1,000 events
 * acknowledged while the faults ran, or a hot workflow's request answered other than 2xx.
 */
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, platform, totalmem, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { KNOWN_DEFECTS } from '../test/fixtures/bad-input/deployments';
import { RESULTS_DIR_ENV, readSections, type ReportSection } from '../test/reliability/support/results';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const reportsDir = join(repoRoot, 'reports');
/** The issue's bar for "under faults". */
const MIN_ACKNOWLEDGED_UNDER_FAULTS = 1_000;

/** What the suite does not cover (yet), stated in every report rather than left to be discovered. */
const LIMITS = [
  'The load uses the standard queue; the FIFO queue is covered by the bad-input corpus and the SQS tests of `npm test`, not under load.',
  'The Temporal dev server is stopped with SIGTERM (as the issue asks), not killed; its SQLite durability under SIGKILL is Temporal’s, not the gateway’s.',
  'ElasticMQ is SIGKILLed and restarted on its H2 store (persistence on, WRITE_DELAY=0), so an acknowledged SendMessage survives it.',
  'Lambda and API Gateway are not in the loop: the same handlers run on a local Node server and a poller with Lambda’s event-source-mapping semantics.',
  'The hot-workflow run meets Temporal’s per-run signal limit on purpose: its dev server allows 200 signals a run (Temporal’s default is 10,000), and it sends 4,000 events where the issue asked for 30,000 (RELIABILITY_HOT_SIGNALS), to fit the suite’s budget on two cores.',
  'No timing is asserted: durations in this report describe this run on this machine, they are not goals (those belong to `npm run bench`).',
];

interface VitestJson {
  numTotalTests: number;
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  testResults: {
    name: string;
    status: string;
    assertionResults: { fullName: string; status: string; duration?: number; failureMessages: string[] }[];
  }[];
}

function vitestEntry(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('vitest/package.json')), 'vitest.mjs');
}

function runVitest(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [vitestEntry(), ...args], { cwd: repoRoot, env, stdio: 'inherit' });
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

function git(...args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

const sum = (sections: ReportSection[], key: keyof NonNullable<ReportSection['totals']>) =>
  sections.reduce((total, section) => total + (section.totals?.[key] ?? 0), 0);

function table(rows: [string, string | number | boolean][]): string[] {
  return [
    '| | |',
    '|---|---|',
    ...rows.map(([name, value]) => `| ${name} | ${String(value).replaceAll('|', '\\|')} |`),
  ];
}

async function main(): Promise<number> {
  const startedAt = new Date();
  const resultsDir = await mkdtemp(join(tmpdir(), 'reliability-results-'));
  const vitestJsonPath = join(resultsDir, 'vitest.json');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    [RESULTS_DIR_ENV]: resultsDir,
    RELIABILITY_FUZZ_RUNS: process.env.RELIABILITY_FUZZ_RUNS ?? '500',
    RELIABILITY_FUZZ_SEED: process.env.RELIABILITY_FUZZ_SEED ?? 'random',
  };
  const exitCode = await runVitest(
    [
      'run',
      '--config',
      'test/reliability/vitest.config.ts',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${vitestJsonPath}`,
      ...process.argv.slice(2),
    ],
    env,
  );
  const finishedAt = new Date();
  const sections = readSections(resultsDir);
  const vitest = JSON.parse(await readFile(vitestJsonPath, 'utf8').catch(() => 'null')) as VitestJson | null;
  await rm(resultsDir, { recursive: true, force: true });

  const load = sections.find((section) => section.name === 'load-faults');
  const acknowledgedUnderFaults = Number(load?.figures.acknowledgedUnderFaults ?? 0);
  const hot = sections.find((section) => section.name === 'hot-workflow');
  const totals = {
    acknowledged: sum(sections, 'acknowledged'),
    lost: sum(sections, 'lost'),
    duplicated: sum(sections, 'duplicated'),
    serverErrorsOnBadInput: sum(sections, 'serverErrorsOnBadInput'),
    acknowledgedUnderFaults,
  };
  const tests = {
    total: vitest?.numTotalTests ?? 0,
    passed: vitest?.numPassedTests ?? 0,
    failed: vitest?.numFailedTests ?? 0,
    skipped: vitest?.numPendingTests ?? 0,
    list: (vitest?.testResults ?? []).flatMap((file) =>
      file.assertionResults.map((test) => ({
        file: file.name.replace(repoRoot, ''),
        test: test.fullName,
        status: test.status,
        durationMs: Math.round(test.duration ?? 0),
        ...(test.failureMessages.length > 0
          ? { failure: test.failureMessages.join('\n').slice(0, 2_000) }
          : {}),
      })),
    ),
  };
  const criteria = [
    {
      criterion: 'acknowledged events lost',
      required: '0',
      actual: totals.lost,
      held: load !== undefined && totals.lost === 0,
    },
    {
      criterion: 'acknowledged events applied twice',
      required: '0',
      actual: totals.duplicated,
      held: load !== undefined && totals.duplicated === 0,
    },
    {
      criterion: '5xx / retried permanent failures on bad input',
      required: '0',
      actual: totals.serverErrorsOnBadInput,
      held: sections.some((s) => s.name.startsWith('bad-input')) && totals.serverErrorsOnBadInput === 0,
    },
    {
      criterion: 'events acknowledged while faults ran',
      required: `≥ ${MIN_ACKNOWLEDGED_UNDER_FAULTS}`,
      actual: acknowledgedUnderFaults,
      held: acknowledgedUnderFaults >= MIN_ACKNOWLEDGED_UNDER_FAULTS,
    },
    {
      criterion:
        'hot workflow past the per-run signal limit: requests not answered 2xx, messages dead-lettered',
      required: '0, 0',
      actual: `${hot?.figures.httpNon2xx ?? 'not run'}, ${hot?.figures.deadLettered ?? 'not run'}`,
      held: hot !== undefined && hot.figures.httpNon2xx === 0 && hot.figures.deadLettered === 0,
    },
    {
      criterion: 'tests passed',
      required: 'all',
      actual: `${tests.passed}/${tests.total}`,
      held: exitCode === 0 && tests.failed === 0 && tests.total > 0,
    },
  ];
  const verdict = criteria.every((c) => c.held) ? 'pass' : 'fail';
  const openDefects = [
    ...new Set(
      sections.flatMap((section) =>
        Object.keys(
          (section.details as { knownDefects?: Record<string, unknown> } | undefined)?.knownDefects ?? {},
        ),
      ),
    ),
  ].map((name) => ({ name, description: KNOWN_DEFECTS[name] ?? 'unknown' }));
  const date = startedAt.toISOString().slice(0, 10);
  const report = {
    title: 'Temporal Event Gateway — reliability report',
    date,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationSeconds: Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000),
    command: `npm run test:reliability${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    commit: git('rev-parse', 'HEAD'),
    workingTreeClean: git('status', '--porcelain') === '',
    machine: {
      cpus: cpus().length,
      memoryGb: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      platform: platform(),
    },
    verdict,
    totals,
    criteria,
    openDefects,
    sections,
    tests,
    limits: LIMITS,
  };

  const md = [
    `# Reliability report — ${date}`,
    '',
    `**Verdict: ${verdict.toUpperCase()}** — \`${report.command}\` took ${report.durationSeconds} s on ${report.machine.cpus} CPUs / ${report.machine.memoryGb} GB, Node ${report.machine.node}, commit \`${report.commit.slice(0, 12)}\`${report.workingTreeClean ? '' : ' (with uncommitted changes)'}.`,
    '',
    '## Totals',
    '',
    ...table([
      ['totals.acknowledged', totals.acknowledged],
      ['totals.lost', totals.lost],
      ['totals.duplicated', totals.duplicated],
      ['totals.serverErrorsOnBadInput', totals.serverErrorsOnBadInput],
      ['acknowledged while faults ran', totals.acknowledgedUnderFaults],
    ]),
    '',
    '## What had to hold',
    '',
    '| criterion | required | actual | held |',
    '|---|---|---|---|',
    ...criteria.map((c) => `| ${c.criterion} | ${c.required} | ${c.actual} | ${c.held ? 'yes' : '**no**'} |`),
    '',
    ...(openDefects.length > 0
      ? [
          '## Open defects',
          '',
          `Every server error / retried permanent failure on bad input above comes from ${openDefects.length === 1 ? 'this defect' : `these ${openDefects.length} defects`}, found by this suite and not fixed yet (the cases that show them are listed under each section):`,
          '',
          ...openDefects.map((defect) => `- **${defect.name}** — ${defect.description}`),
          '',
        ]
      : []),
    ...sections.flatMap((section) => [
      `## ${section.title}`,
      '',
      ...section.summary.map((line) => `- ${line}`),
      '',
      ...table(Object.entries(section.figures)),
      '',
      ...knownDefectLines(section),
    ]),
    '## Tests',
    '',
    `${tests.passed} passed, ${tests.failed} failed, ${tests.skipped} skipped.`,
    '',
    '| file | test | result | ms |',
    '|---|---|---|---|',
    ...tests.list.map(
      (t) => `| ${t.file} | ${t.test.replaceAll('|', '\\|')} | ${t.status} | ${t.durationMs} |`,
    ),
    '',
    '## Limits of this run',
    '',
    ...LIMITS.map((line) => `- ${line}`),
    '',
    `Raw figures: [reliability-${date}.json](reliability-${date}.json).`,
    '',
  ].join('\n');

  await mkdir(reportsDir, { recursive: true });
  await writeFile(join(reportsDir, `reliability-${date}.json`), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(join(reportsDir, `reliability-${date}.md`), md);
  await copyFile(join(reportsDir, `reliability-${date}.md`), join(reportsDir, 'latest.md'));
  console.log(
    `\nreliability: ${verdict.toUpperCase()} — report in reports/reliability-${date}.md (also reports/latest.md)`,
  );
  for (const c of criteria)
    console.log(`  ${c.held ? 'ok  ' : 'FAIL'} ${c.criterion}: ${c.actual} (required ${c.required})`);
  return verdict === 'pass' ? 0 : 1;
}

/** Open defects a section still saw, listed under it so they cannot be missed. */
function knownDefectLines(section: ReportSection): string[] {
  const defects = (section.details as { knownDefects?: Record<string, string[]> } | undefined)?.knownDefects;
  if (!defects || Object.keys(defects).length === 0) return [];
  return [
    '**Open defects still seen (counted in the totals above):**',
    '',
    ...Object.entries(defects).flatMap(([name, cases]) => [
      `- \`${name}\` — ${KNOWN_DEFECTS[name] ?? ''}`,
      ...cases.map((line) => `  - ${line.slice(0, 400)}`),
    ]),
    '',
  ];
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  },
);
