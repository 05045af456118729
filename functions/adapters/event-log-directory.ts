/**
 * The event log in a local directory (the local stacks: `npm run dev`, `event-gateway dev`), in the
 * bucket's layout under it — so the CLI and the events page read both alike. A record is written to
 * a temporary file and renamed into place: a reader never sees half a record.
 */
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { createEventLogStore, type EventLogObjects, type EventLogStoreOptions } from './event-log-store';
import type { EventLog } from './ports';

const isMissing = (error: unknown): boolean => (error as { code?: unknown } | null)?.code === 'ENOENT';

/** The directory as a store of objects: a key is a relative path (`/`-separated). */
export function directoryObjects(root: string): EventLogObjects {
  const pathOf = (key: string) => join(root, ...key.split('/'));
  return {
    async put(key, body) {
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true });
      const temporary = `${path}.tmp`;
      await writeFile(temporary, body);
      await rename(temporary, path);
    },
    async list(prefix) {
      // Prefixes here always end at a folder (`events/2026/12/07/`, an event's folder).
      const folder = pathOf(prefix.replace(/\/$/, ''));
      try {
        const entries = await readdir(folder, { recursive: true, withFileTypes: true });
        return entries
          .filter((entry) => entry.isFile())
          .map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join('/'));
      } catch (error) {
        if (isMissing(error)) return [];
        throw error;
      }
    },
    async get(key) {
      try {
        return await readFile(pathOf(key), 'utf8');
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },
  };
}

/** The event log in `root` (created on the first record). */
export const createDirectoryEventLog = (root: string, options?: EventLogStoreOptions): EventLog =>
  createEventLogStore(directoryObjects(root), options);
