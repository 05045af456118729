/**
 * `npm run test:browser`: the local events page in a real browser — Debian's Chromium
 * (/usr/bin/chromium, installed by `npm run tools`) driven by playwright-core, never a downloaded
 * browser — against a real local gateway and Temporal dev server. Files are `*.browser.ts`, so
 * `npm test` leaves them to this suite.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/browser/**/*.browser.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 300_000,
    globalSetup: ['test/support/global-setup.ts'],
  },
});
