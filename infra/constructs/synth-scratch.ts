/**
 * What the constructs that prepare files at synth (handler bundles, worker build contexts) share:
 * whether they run compiled from the package or as this repository's sources, and one temporary
 * directory per process for what they write (CDK copies assets into cdk.out at construction).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
