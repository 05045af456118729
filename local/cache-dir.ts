import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where built or fetched tools live: outside the repo, so fresh clones and CI runs on the same
 * machine reuse them. `EVENT_GATEWAY_CACHE` overrides it.
 */
export function toolCacheDir(...parts: string[]): string {
  const base =
    process.env.EVENT_GATEWAY_CACHE ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'temporal-event-gateway');
  return join(base, ...parts);
}
