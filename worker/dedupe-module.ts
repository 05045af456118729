/**
 * Where the dedupe interceptor module is, for the SDK's bundler: workflow interceptor modules are
 * bundled into the workflow code by path, never imported by the worker itself.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The module's file beside this one: compiled (`.js`, the package) or sources (`.ts`, tsx); undefined
 * inside a single-file bundle of a worker entry, which runs prebundled workflows anyway.
 */
export function dedupeInterceptorModule(baseUrl: string | URL = import.meta.url): string | undefined {
  for (const name of ['./interceptors/dedupe.js', './interceptors/dedupe.ts']) {
    const path = fileURLToPath(new URL(name, baseUrl));
    if (existsSync(path)) return path;
  }
  return undefined;
}

/** The interceptor's metric name (`DUPLICATE_EVENTS_METRIC`): a literal only that module has. */
export const DEDUPE_BUNDLE_MARKER = 'event_gateway_duplicate_events_skipped';

/**
 * Whether prebundled workflow code contains the dedupe interceptor. A cheap check that catches a
 * bundle built without it (e.g. by `bundleWorkflowCode` directly, or with `dedupe: false`).
 */
export function bundleHasDedupe(code: { code: string } | { path: string }): boolean {
  const text = 'code' in code ? code.code : readFileSync(code.path, 'utf8');
  return text.includes(DEDUPE_BUNDLE_MARKER);
}
