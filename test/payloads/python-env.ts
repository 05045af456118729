/**
 * The Python environment of the interop test: the Temporal Python SDK, `cryptography` and boto3,
 * pinned, from PyPI, installed once into a virtual environment in the tool cache.
 */
import { join } from 'node:path';
import { toolCacheDir } from '../../local/cache-dir';
import { buildOnce, onPath, ToolBuildError, runStep } from '../../local/tool-build';

const PINS = ['temporalio==1.35.0', 'cryptography==51.0.1', 'boto3==1.44.18'] as const;

/** The environment's interpreter, building the environment first when the cache has none. */
export async function ensurePayloadCodecPython(): Promise<string> {
  const python3 = onPath('python3');
  if (!python3) throw new ToolBuildError('The Python interop test needs python3 (>= 3.10) on PATH.');
  const dir = await buildOnce(
    toolCacheDir('python-payload-codec', PINS.join('-').replaceAll('==', '-')),
    `a Python environment with ${PINS.join(', ')} (PyPI)`,
    async (staging) => {
      const venv = join(staging, 'venv');
      await runStep(python3, ['-m', 'venv', venv]);
      await runStep(join(venv, 'bin', 'python'), [
        '-m',
        'pip',
        'install',
        '--quiet',
        '--disable-pip-version-check',
        ...PINS,
      ]);
    },
    (staging) => join(staging, 'venv'),
  );
  return join(dir, 'bin', 'python');
}
