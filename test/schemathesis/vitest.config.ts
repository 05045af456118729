/**
 * `npm run test:schemathesis`: schemathesis against the OpenAPI document the gateway serves
 * (`*.schemathesis.ts`, which the main config's `*.test.ts` glob leaves out: the first run installs
 * schemathesis from PyPI into the tool cache, and a run sends a few hundred generated requests).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/schemathesis/**/*.schemathesis.ts'],
    pool: 'forks',
    testTimeout: 900_000,
    hookTimeout: 600_000,
    // A first run may build the Temporal CLI (minutes) in globalSetup.
    globalSetup: ['test/support/global-setup.ts'],
  },
});
