/**
 * `npm run test:lambda`: the synthesized functions under AWS's Lambda runtime emulator on Node 24,
 * `npm run test:lambda:node26` on Node 26 (`*.lambda.ts`, which the main config's `*.test.ts` glob leaves out: the first run builds the
 * emulator and the runtime client, and each run synthesizes the app with bundling).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/lambda/**/*.lambda.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 600_000,
    globalSetup: ['test/support/global-setup.ts'],
  },
});
