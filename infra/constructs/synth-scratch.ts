/**
 * What the constructs that prepare files at synth (handler bundles, worker build contexts) share:
 * whether they run compiled from the package or as this repository's sources, one temporary
 * directory per process for what they write (CDK copies assets into cdk.out at construction), and
 * how they run the asynchronous part of that work from synchronous construct code.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventGatewayError } from '../../contract/errors';

/** This module runs compiled from the package (dist/lib/…/*.js), not from the TypeScript sources. */
export const FROM_PACKAGE = import.meta.url.endsWith('.js');

let scratch: string | undefined;

/** The process's scratch directory, created at first use and removed when the process exits. */
export function synthScratchDir(): string {
  if (!scratch) {
    const dir = mkdtempSync(join(tmpdir(), 'temporal-event-gateway-'));
    scratch = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return scratch;
}

/** A synth-time script that failed; `message` is what it wrote to stderr. */
export class SynthScriptError extends EventGatewayError {
  override readonly name = 'SynthScriptError';
}

/**
 * Runs a script in a child Node process and waits for it: construct code is synchronous, and what
 * the scripts do (esbuild plugins, the workflow bundler) only has an asynchronous API. A `.ts`
 * script — this repository's sources — runs through tsx, resolved from `cwd`. Returns its stdout;
 * throws {@link SynthScriptError} with its stderr.
 */
export function runSynthScript(script: string, args: readonly string[], cwd: string): string {
  const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const result = spawnSync(process.execPath, [...loader, script, ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
    timeout: 600_000,
  });
  if (result.status === 0) return result.stdout;
  const detail = result.stderr.trim() || result.error?.message || `exit ${result.status ?? result.signal}`;
  throw new SynthScriptError(detail, { cause: result.error });
}
