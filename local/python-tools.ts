/**
 * The Python tools the fidelity checks run — cfn-lint (AWS's CloudFormation linter) and schemathesis
 * (property-based testing of the served OpenAPI document) — pinned, from PyPI, installed once into a
 * virtual environment in the tool cache. The environment is made in a staging directory and renamed
 * into place, so its console scripts (whose shebangs name the staging path) are never used: the
 * tools run from the environment's own interpreter (`python -m`, or `python -c` calling cfn-lint's
 * entry point: it has no `__main__`), which relocates.
 */
import { join } from 'node:path';
import { toolCacheDir } from './cache-dir';
import { buildOnce, onPath, runStep, ToolBuildError, type BuildLog } from './tool-build';

export const CFN_LINT_VERSION = '1.58.0';
export const SCHEMATHESIS_VERSION = '4.32.5';

/** The environment's directory: its name carries the pins, so changing one builds a new one. */
export const cachedPythonToolsDir = (): string =>
  toolCacheDir('python-tools', `cfn-lint-${CFN_LINT_VERSION}-schemathesis-${SCHEMATHESIS_VERSION}`);

export interface PythonTools {
  /** The environment's interpreter: run a tool as `[python, ...cfnLint, ...args]`. */
  python: string;
  /** The arguments before a cfn-lint command line. */
  cfnLint: readonly string[];
  /** The arguments before a schemathesis command line. */
  schemathesis: readonly string[];
}

/** The virtual environment with both tools, built first when the cache has none (about a minute, once). */
export async function ensurePythonTools(log?: BuildLog): Promise<PythonTools> {
  const python3 = onPath('python3');
  if (!python3) throw new ToolBuildError('cfn-lint and schemathesis need python3 (>= 3.10) on PATH.');
  const dir = await buildOnce(
    cachedPythonToolsDir(),
    `cfn-lint ${CFN_LINT_VERSION} and schemathesis ${SCHEMATHESIS_VERSION} (PyPI)`,
    async (staging) => {
      const venv = join(staging, 'venv');
      await runStep(python3, ['-m', 'venv', venv]);
      await runStep(join(venv, 'bin', 'python'), [
        '-m',
        'pip',
        'install',
        '--quiet',
        '--disable-pip-version-check',
        `cfn-lint==${CFN_LINT_VERSION}`,
        `schemathesis==${SCHEMATHESIS_VERSION}`,
      ]);
    },
    (staging) => join(staging, 'venv'),
    log,
  );
  return {
    python: join(dir, 'bin', 'python'),
    cfnLint: [
      '-c',
      'import sys; from cfnlint.runner import main; sys.argv[0] = "cfn-lint"; sys.exit(main())',
    ],
    schemathesis: ['-m', 'schemathesis.cli'],
  };
}
