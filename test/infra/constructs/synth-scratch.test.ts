/**
 * The one way constructs run their asynchronous synth work in a child process: a `.ts` script
 * through tsx (this repository), a `.js` one as it is (the package), stdout back, stderr in the error.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSynthScript, SynthScriptError } from '../../../infra/constructs/synth-scratch';

const repoRoot = join(import.meta.dirname, '../../..');
const dir = mkdtempSync(join(tmpdir(), 'synth-script-'));

describe('runSynthScript', () => {
  it('runs a TypeScript script through tsx and returns what it printed, arguments passed through', () => {
    const script = join(dir, 'echo.ts');
    writeFileSync(
      script,
      'const args: string[] = process.argv.slice(2);\nconsole.log(JSON.stringify(args));\n',
    );
    expect(JSON.parse(runSynthScript(script, ['a', '{"b":1}'], repoRoot))).toEqual(['a', '{"b":1}']);
  });

  it('runs a JavaScript script without tsx', () => {
    const script = join(dir, 'loader.mjs');
    writeFileSync(script, "console.log(process.execArgv.includes('tsx') ? 'tsx' : 'plain');\n");
    expect(runSynthScript(script, [], dir).trim()).toBe('plain');
  });

  it('throws what the script wrote to stderr when it fails', () => {
    const script = join(dir, 'fail.mjs');
    writeFileSync(script, "console.error('no esbuild here'); process.exit(3);\n");
    expect(() => runSynthScript(script, [], dir)).toThrow(SynthScriptError);
    expect(() => runSynthScript(script, [], dir)).toThrow('no esbuild here');
  });
});
