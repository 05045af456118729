/**
 * `npm run test:node24 [-- files…]`, `npm run test:node26 [-- files…]` (`--node 26`): the suite
 * under a Lambda / worker-image Node runtime — 24, the default, or 26, the next — beside the
 * machine's Node. The runtime comes from npm into the tool cache (local/node-runtime.ts). By default
 * the functions' and the worker's tests run; the worker's process test builds the worker and starts
 * the production build with the running node, so the built worker runs on that Node too.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureNodeRuntime, NODE_RUNTIME_VERSIONS, parseNodeRuntimeMajor } from '../local/node-runtime';
import { isProcessEntry } from '../local/process-entry';

export const NODE24_DEFAULT_TESTS = ['test/functions', 'test/worker'] as const;

/** `--node <major>` anywhere in the arguments (default 24); the rest are vitest's files. */
export function parseNodeTestArgs(args: readonly string[]) {
  const at = args.indexOf('--node');
  const major = parseNodeRuntimeMajor(at === -1 ? '24' : (args[at + 1] ?? ''));
  const files = at === -1 ? [...args] : [...args.slice(0, at), ...args.slice(at + 2)];
  return { major, files };
}

if (isProcessEntry(import.meta.url)) {
  const { major, files } = parseNodeTestArgs(process.argv.slice(2));
  const node = await ensureNodeRuntime(major);
  const vitest = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));
  console.log(`[test:node${major}] vitest on ${node} (Node ${NODE_RUNTIME_VERSIONS[major]})`);
  const child = spawn(node, [vitest, 'run', ...(files.length > 0 ? files : NODE24_DEFAULT_TESTS)], {
    stdio: 'inherit',
    env: { ...process.env, PATH: `${node.replace(/\/node$/, '')}:${process.env.PATH ?? ''}` },
  });
  const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
  process.exitCode = code;
}
