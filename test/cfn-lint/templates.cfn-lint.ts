/**
 * cfn-lint (pinned, from PyPI) over the templates of every deployment variant: no error, and every
 * warning is one docs/deploy.md ("cfn-lint") explains. A new kind of warning fails this test until
 * it is fixed in infra/ or explained there.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePythonTools } from '../../local/python-tools';
import { DEPLOYMENT_VARIANTS } from '../infra/support/variants';
import { synthesizeVariantTemplates, type VariantTemplate } from './templates';

const execFileAsync = promisify(execFile);

interface CfnLintFinding {
  Filename: string;
  Level: 'Error' | 'Warning' | 'Informational';
  Message: string;
  Rule: { Id: string };
  Location: { Path: Array<string | number> };
}

/**
 * W3005 on each function's own role: aws-cdk-lib's `lambda.Function` adds `DependsOn` on its role
 * (beside its default policy, which the function does need to wait for) although `Role` already
 * references it (aws/aws-cdk#24578). Harmless: the creation order is the same either way.
 */
const EXPLAINED: ReadonlyArray<{ rule: string; message: RegExp }> = [
  {
    rule: 'W3005',
    message:
      /^'[A-Za-z0-9]+Role[0-9A-F]{8}' dependency already enforced by a 'GetAtt' at 'Resources\/[A-Za-z0-9]+\/Properties\/Role'$/,
  },
];

let outDir: string;
let templates: VariantTemplate[];
let findings: CfnLintFinding[];

beforeAll(async () => {
  const tools = await ensurePythonTools();
  outDir = await mkdtemp(join(tmpdir(), 'cfn-lint-'));
  templates = synthesizeVariantTemplates(outDir);
  // Exit codes are a bit mask of the levels found (2 error, 4 warning, 8 informational); the JSON
  // report is the result either way, and anything else (a crash) has no JSON on stdout.
  const { stdout } = await execFileAsync(
    tools.python,
    [...tools.cfnLint, '--format', 'json', '--', ...templates.map((template) => template.path)],
    { maxBuffer: 64 * 1024 * 1024 },
  ).catch((error: { stdout?: string; code?: unknown }) => {
    if (typeof error.code === 'number' && error.code > 0 && error.code < 16 && error.stdout) return error;
    throw error;
  });
  findings = JSON.parse(stdout ?? '') as CfnLintFinding[];
});

afterAll(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

const where = (finding: CfnLintFinding): string => {
  const template = templates.find((candidate) => candidate.path === finding.Filename);
  return `${template?.variant ?? finding.Filename} / ${template?.stack ?? '?'}: ${finding.Rule.Id} at ${finding.Location.Path.join('/')}: ${finding.Message}`;
};

describe('cfn-lint over every deployment variant', () => {
  it('lints both stacks of every variant', () => {
    expect(templates).toHaveLength(Object.keys(DEPLOYMENT_VARIANTS).length * 2);
    expect(new Set(templates.map((template) => template.stack))).toEqual(
      new Set(['event-gateway', 'event-gateway-worker']),
    );
  });

  it('finds no error', () => {
    const count = (level: CfnLintFinding['Level']) =>
      findings.filter((finding) => finding.Level === level).length;
    console.log(
      `cfn-lint: ${templates.length} templates, ${count('Error')} errors, ${count('Warning')} warnings, ${count('Informational')} informational`,
    );
    expect(findings.filter((finding) => finding.Level === 'Error').map(where)).toEqual([]);
  });

  it('finds no warning that docs/deploy.md does not explain', () => {
    const unexplained = findings.filter(
      (finding) =>
        finding.Level !== 'Error' &&
        !EXPLAINED.some(({ rule, message }) => finding.Rule.Id === rule && message.test(finding.Message)),
    );
    expect(unexplained.map(where)).toEqual([]);
  });
});
