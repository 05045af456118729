/**
 * `npm run test:reliability` (via scripts/reliability.ts): the heavy load-under-faults and
 * weeks-long-wait files (`*.reliability.ts`, which the main config's `*.test.ts` glob leaves out) plus
 * the fast bad-input, fuzzing and security files that `npm test` also runs. One file at a time: the
 * load file owns the machine's two cores while it injects faults, and its figures would otherwise
 * measure its neighbours.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/reliability/**/*.reliability.ts', 'test/reliability/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 300_000,
    globalSetup: ['test/support/global-setup.ts'],
  },
});
