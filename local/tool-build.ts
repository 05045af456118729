/**
 * Building a tool once into the cache: into a staging directory beside the target, then renamed into
 * place, so a killed build leaves nothing half-made and two concurrent builds both end with one
 * complete tool. Used by the builders of the Lambda emulator, Node 24, the runtime client and the
 * Temporal server (each from its registry: the Go module proxy or npm).
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { EventGatewayError } from '../contract/errors';

const execFileAsync = promisify(execFile);

export class ToolBuildError extends EventGatewayError {
  override readonly name = 'ToolBuildError';
}

export type BuildLog = (line: string) => void;
export const stderrLog: BuildLog = (line) => console.error(line);

export function onPath(command: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    const candidate = join(dir, command);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Runs a build step, its output passed through to stderr (builds are slow: progress matters). */
export function runStep(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', (error) => reject(new ToolBuildError(`${command} could not start`, { cause: error })));
    child.on('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new ToolBuildError(`${command} ${args.join(' ')} exited with code ${code}`)),
    );
  });
}

/**
 * `target` (a file or a directory in the cache), building it first when absent. `build` fills a
 * fresh staging directory; `produced` names what inside it becomes `target`.
 */
export async function buildOnce(
  target: string,
  what: string,
  build: (staging: string) => Promise<void>,
  produced: (staging: string) => string,
  log: BuildLog = stderrLog,
): Promise<string> {
  if (existsSync(target)) return target;
  await mkdir(dirname(target), { recursive: true });
  const staging = await mkdtemp(join(dirname(target), '.build-'));
  const started = Date.now();
  log(`[tools] building ${what} into ${target} (first time only)…`);
  const ticker = setInterval(
    () => log(`[tools] still building ${what}… ${Math.round((Date.now() - started) / 1000)} s`),
    30_000,
  );
  try {
    await build(staging);
    try {
      await rename(produced(staging), target);
    } catch (error) {
      // A concurrent build finished first: its tool is as good as ours.
      if (!existsSync(target)) throw error;
    }
  } finally {
    clearInterval(ticker);
    await rm(staging, { recursive: true, force: true });
  }
  log(`[tools] built ${what} in ${Math.round((Date.now() - started) / 1000)} s`);
  return target;
}

/** Go on PATH, at least `min` (major, minor), or an error saying what to install. */
export async function checkGo(min: readonly [number, number], what: string): Promise<string> {
  const go = onPath('go');
  if (!go)
    throw new ToolBuildError(`Building ${what} needs Go >= ${min.join('.')} on PATH (https://go.dev/dl).`);
  const { stdout } = await execFileAsync(go, ['env', 'GOVERSION']);
  const match = /go(\d+)\.(\d+)/.exec(stdout);
  const [major, minor] = match ? [Number(match[1]), Number(match[2])] : [0, 0];
  if (major < min[0] || (major === min[0] && minor < min[1])) {
    throw new ToolBuildError(`Building ${what} needs Go >= ${min.join('.')}; found ${stdout.trim()}.`);
  }
  return go;
}

/** `go install module@version` into the cache as `target` (static: CGO off unless asked for). */
export async function goInstall(options: {
  module: string;
  version: string;
  binary: string;
  target: string;
  minGo: readonly [number, number];
  log?: BuildLog;
}): Promise<string> {
  const what = `${options.module}@${options.version}`;
  if (existsSync(options.target)) return options.target;
  const go = await checkGo(options.minGo, what);
  return buildOnce(
    options.target,
    what,
    (staging) =>
      runStep(go, ['install', what], {
        env: { ...process.env, GOBIN: staging, CGO_ENABLED: process.env.CGO_ENABLED ?? '0' },
      }),
    (staging) => join(staging, options.binary),
    options.log,
  );
}
