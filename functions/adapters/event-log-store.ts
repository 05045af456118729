/**
 * The event log over a store of objects by key — S3 (event-log-s3.ts) or a local directory
 * (event-log-directory.ts), one layout (core/event-record.ts eventRecordKey): the writer appends one
 * object per record; the reader lists an event's folder, or a range of day prefixes, and merges.
 */
import { randomUUID } from 'node:crypto';
import {
  dayPrefixes,
  eventFolder,
  eventIdSegment,
  eventRecordKey,
  isEventRecord,
  webhookEventId,
  type EventRecord,
} from '../core/event-record';
import { mergeByEvent, mergeEventRecords, selectEvents } from '../core/event-record-view';
import type { EventLog } from './ports';

/** The few operations the log needs of a store of objects. */
export interface EventLogObjects {
  /** Writes an object (a new key every time: records are never rewritten). */
  put(key: string, body: string): Promise<void>;
  /** Every key under a prefix, in any order. */
  list(prefix: string): Promise<string[]>;
  /** An object's text, undefined when it is gone (expired between list and get). */
  get(key: string): Promise<string | undefined>;
}

export interface EventLogStoreOptions {
  /** Days records are kept: how far back `get` searches an event id without its day. @default 30 */
  readonly retentionDays?: number;
  /** Objects read at once. @default 16 */
  readonly readConcurrency?: number;
  /** The clock (tests). */
  readonly now?: () => Date;
}

const DAY_MS = 86_400_000;

/** `items` through `work`, at most `limit` at a time, results in order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>) {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** An {@link EventLog} over a store of objects. */
export function createEventLogStore(objects: EventLogObjects, options: EventLogStoreOptions = {}): EventLog {
  const retentionDays = options.retentionDays ?? 30;
  const concurrency = options.readConcurrency ?? 16;
  const now = options.now ?? (() => new Date());

  async function read(keys: readonly string[]): Promise<EventRecord[]> {
    const texts = await mapLimited(
      keys.filter((key) => key.endsWith('.json')),
      concurrency,
      (key) => objects.get(key),
    );
    return texts.flatMap((text) => {
      if (text === undefined) return [];
      try {
        const value: unknown = JSON.parse(text);
        return isEventRecord(value) ? [value] : [];
      } catch {
        return []; // a torn or foreign object: not a record
      }
    });
  }

  async function recordsIn(prefixes: readonly string[]): Promise<EventRecord[]> {
    const keys = await mapLimited(prefixes, concurrency, (prefix) => objects.list(prefix));
    return read(keys.flat());
  }

  async function get(eventId: string, at?: { receivedAt?: string }) {
    if (at?.receivedAt) {
      const found = await recordsIn([eventFolder(eventId, at.receivedAt)]);
      if (found.length > 0) return mergeEventRecords(found);
    }
    const until = now();
    const since = new Date(until.getTime() - retentionDays * DAY_MS);
    const folders = dayPrefixes(since, until).map((day) => `${day}${eventIdSegment(eventId)}/`);
    return mergeEventRecords(await recordsIn(folders));
  }

  return {
    async record(record) {
      // The nonce: 8 random hex digits, as `randomBytes(4)` gave, from randomUUID's cached entropy
      // (a fifth of the CPU: randomBytes asks OpenSSL for every call).
      await objects.put(eventRecordKey(record, randomUUID().slice(0, 8)), `${JSON.stringify(record)}\n`);
    },
    async list(query) {
      const until = query.until ? new Date(query.until) : now();
      const since = query.since ? new Date(query.since) : new Date(until.getTime() - DAY_MS);
      return selectEvents(mergeByEvent(await recordsIn(dayPrefixes(since, until))), query);
    },
    get,
    getByProviderId: (source, providerId) => get(webhookEventId(source, providerId)),
  };
}
