/**
 * The package's tarball, packed from a private staging copy: the build writes into the staging
 * directory (not this repository's dist/, which a concurrent `npm pack` of another test file rebuilds
 * under its feet), and `npm pack` there honours package.json's `files` exactly as a publish would.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDevApp, buildLambdas, buildLibrary } from '../../scripts/build';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Everything package.json's `files` can name, plus what npm always includes. */
const COPIED = ['package.json', 'README.md', 'LICENSE', 'bin', 'docs', 'reports'];

export async function packTarball(work: string): Promise<string> {
  const staging = join(work, 'package-staging');
  mkdirSync(staging, { recursive: true });
  for (const entry of COPIED) {
    if (existsSync(join(repoRoot, entry)))
      cpSync(join(repoRoot, entry), join(staging, entry), { recursive: true });
  }
  const outDir = join(staging, 'dist');
  const quiet = { outDir, log: () => {} };
  await buildLibrary(quiet);
  await buildLambdas(quiet);
  await buildDevApp(quiet);
  const packed = execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', work], {
    cwd: staging,
    encoding: 'utf8',
  }).trim();
  return join(work, packed.split('\n').pop() ?? '');
}
