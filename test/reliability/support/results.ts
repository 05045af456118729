/**
 * Where each reliability test file leaves its figures for the report. `scripts/reliability.ts` sets
 * RELIABILITY_RESULTS_DIR and turns the sections into reports/reliability-<date>.{json,md}; under a
 * plain `npm test` the variable is unset and nothing is written, so the fast files stay side-effect free.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const RESULTS_DIR_ENV = 'RELIABILITY_RESULTS_DIR';

/** One file's contribution to the report: what was tried, how much, and what held. */
export interface ReportSection {
  /** Stable key, also the file name. */
  name: string;
  title: string;
  /** Plain sentences for the Markdown report. */
  summary: string[];
  /** Figures for the JSON report (and a table in the Markdown one). */
  figures: Record<string, number | string | boolean>;
  /** Contributions to the report's totals; absent keys contribute nothing. */
  totals?: Partial<Record<'acknowledged' | 'lost' | 'duplicated' | 'serverErrorsOnBadInput', number>>;
  /** Anything else worth keeping in the JSON report (timelines, per-kind counts, …). */
  details?: unknown;
}

export function writeSection(section: ReportSection): void {
  const dir = process.env[RESULTS_DIR_ENV];
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${section.name}.json`), `${JSON.stringify(section, null, 2)}\n`);
}

export function readSections(dir: string): ReportSection[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((name) => name.endsWith('.json') && !name.startsWith('vitest'))
    .sort()
    .map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as ReportSection);
}
