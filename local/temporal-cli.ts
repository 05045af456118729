/**
 * Finds a Temporal CLI without downloading a binary: `$TEMPORAL_CLI`, else `temporal` on PATH,
 * else a build cached outside the repo, else builds one from the Go module (minutes, once).
 *
 * Run directly (`npm run temporal:cli`) it prints the path, building first if needed.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { toolCacheDir } from './cache-dir';
import { EventGatewayError } from '../contract/errors';

/** Newest CLI tag whose go.mod has no `replace` directive, so `go install …@version` works. */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const GO_MODULE = 'github.com/temporalio/cli/cmd/temporal';
const MIN_GO = [1, 25] as const;

const run = promisify(execFile);

export class TemporalCliError extends EventGatewayError {
  override readonly name = 'TemporalCliError';
}

export function cachedTemporalCliPath(): string {
  return toolCacheDir('temporal-cli', TEMPORAL_CLI_VERSION, 'temporal');
}

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, command);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** The CLI to use, or undefined when it must be built first. */
export function findTemporalCli(): string | undefined {
  const fromEnv = process.env.TEMPORAL_CLI;
  if (fromEnv) {
    if (!existsSync(fromEnv))
      throw new TemporalCliError(`TEMPORAL_CLI points to ${fromEnv}, which does not exist.`);
    return fromEnv;
  }
  return onPath('temporal') ?? (existsSync(cachedTemporalCliPath()) ? cachedTemporalCliPath() : undefined);
}

async function checkGo(): Promise<string> {
  const go = onPath('go');
  if (!go) {
    throw new TemporalCliError(
      'No Temporal CLI found and Go is not installed, so it cannot be built. Install Go >= 1.25 ' +
        '(https://go.dev/dl), or set TEMPORAL_CLI to an existing `temporal` binary.',
    );
  }
  const { stdout } = await run(go, ['env', 'GOVERSION']);
  const match = /go(\d+)\.(\d+)/.exec(stdout);
  const [major, minor] = match ? [Number(match[1]), Number(match[2])] : [0, 0];
  if (major < MIN_GO[0] || (major === MIN_GO[0] && minor < MIN_GO[1])) {
    throw new TemporalCliError(
      `Building the Temporal CLI ${TEMPORAL_CLI_VERSION} needs Go >= ${MIN_GO.join('.')}; found ${stdout.trim()}.`,
    );
  }
  return go;
}

/** Builds the CLI into the cache. Safe to run concurrently: each build renames into place atomically. */
export async function buildTemporalCli(
  log: (line: string) => void = (l) => console.error(l),
): Promise<string> {
  const go = await checkGo();
  const target = cachedTemporalCliPath();
  const dir = join(target, '..');
  await mkdir(dir, { recursive: true });
  const staging = await mkdtemp(join(dir, '.build-'));
  log(
    `[temporal-cli] building ${GO_MODULE}@${TEMPORAL_CLI_VERSION} with ${go} (first time only; takes a few minutes)…`,
  );
  const started = Date.now();
  const ticker = setInterval(
    () => log(`[temporal-cli] still building… ${Math.round((Date.now() - started) / 1000)} s`),
    20_000,
  );
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(go, ['install', `${GO_MODULE}@${TEMPORAL_CLI_VERSION}`], {
        env: { ...process.env, GOBIN: staging, CGO_ENABLED: process.env.CGO_ENABLED ?? '0' },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      child.on('error', reject);
      child.on('exit', (code) =>
        code === 0 ? resolve() : reject(new TemporalCliError(`go install exited with code ${code}`)),
      );
    });
    await rename(join(staging, 'temporal'), target);
  } finally {
    clearInterval(ticker);
    await rm(staging, { recursive: true, force: true });
  }
  log(`[temporal-cli] built ${target} in ${Math.round((Date.now() - started) / 1000)} s`);
  return target;
}

/** The CLI path, building it once if nothing is available. */
export async function ensureTemporalCli(log?: (line: string) => void): Promise<string> {
  return findTemporalCli() ?? (await buildTemporalCli(log));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  ensureTemporalCli()
    .then((path) => console.log(path))
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    });
}
