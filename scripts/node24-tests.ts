/**
 * `npm run test:node24 [-- files…]`: the suite under Node 24 — the runtime of the Lambda functions
 * and the worker image — beside the machine's Node. Node 24 comes from npm into the tool cache
 * (local/node24.ts). By default the functions' and the worker's tests run; the worker's process test
 * starts the production build with the running node, so the built worker runs on Node 24 too.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureNode24, NODE24_VERSION } from '../local/node24';
import { isProcessEntry } from './process-entry';

export const NODE24_DEFAULT_TESTS = ['test/functions', 'test/worker'] as const;

if (isProcessEntry(import.meta.url)) {
  const node = await ensureNode24();
  const vitest = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));
  const files = process.argv.slice(2);
  console.log(`[test:node24] vitest on ${node} (Node ${NODE24_VERSION})`);
  const child = spawn(node, [vitest, 'run', ...(files.length > 0 ? files : NODE24_DEFAULT_TESTS)], {
    stdio: 'inherit',
    env: { ...process.env, PATH: `${node.replace(/\/node$/, '')}:${process.env.PATH ?? ''}` },
  });
  const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
  process.exitCode = code;
}
