/**
 * `npm run lock:example`: brings examples/order-fulfilment/package-lock.json up to date with the
 * library's own dependencies. npm reads a `file:` dependency's entry from the lock as it stands, so
 * `npm install --package-lock-only` alone answers "up to date" after the library's dependencies
 * changed: the library's entry is dropped first, and npm resolves it (and only what it newly needs)
 * again, every other package staying at its locked version.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const appDir = fileURLToPath(new URL('../examples/order-fulfilment/', import.meta.url));
const lockPath = join(appDir, 'package-lock.json');
const lock = JSON.parse(readFileSync(lockPath, 'utf8')) as { packages: Record<string, unknown> };
delete lock.packages['node_modules/temporal-event-gateway'];
writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
execFileSync(
  'npm',
  ['install', '--package-lock-only', '--install-links', '--no-audit', '--no-fund', '--ignore-scripts'],
  { cwd: appDir, stdio: 'inherit' },
);
