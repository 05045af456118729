/**
 * Where `event-gateway events …` reads the event log (issue 30): a local directory for the local
 * stacks (`--log-dir`, else $EVENT_GATEWAY_EVENT_LOG_DIR), an S3 bucket in AWS (`--bucket`, else
 * $EVENT_GATEWAY_EVENT_LOG_BUCKET; $EVENT_GATEWAY_S3_ENDPOINT for an emulator) — the layout the
 * gateway writes in both (functions/adapters/event-log-store.ts). With neither, the local stacks' own
 * directory in the working directory: `event-gateway dev`'s, else `npm run dev`'s.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_LOG_ENV, PAYLOAD_ENV } from '../../contract/env-names';
import { EVENT_STATUSES, type EventStatus } from '../../functions/core/event-record';
import { createDirectoryEventLog } from '../../functions/adapters/event-log-directory';
import { createS3EventLog } from '../../functions/adapters/event-log-s3';
import type { EventLogReader } from '../../functions/adapters/ports';
import { localEmulatorAccess } from '../../contract/local-emulators';
import { parseCountOption } from './args';
import { CliUsageError, type CliIo } from './io';

/** Where the local stacks keep their log, relative to the app (event-gateway dev) or this repository (npm run dev). */
export const LOCAL_EVENT_LOG_DIRS = ['.event-gateway/event-log', '.dev-data/event-log'] as const;

/** The options every `events` command shares. */
export const EVENT_LOG_OPTIONS = {
  'log-dir': {
    type: 'string',
    value: 'DIR',
    description: `Event log directory (local stacks); default $${EVENT_LOG_ENV.directory}, else ./${LOCAL_EVENT_LOG_DIRS.join(' or ./')}.`,
  },
  bucket: {
    type: 'string',
    value: 'NAME',
    description: `Event log S3 bucket (AWS); default $${EVENT_LOG_ENV.bucket}.`,
  },
} as const;

/** The reader of the log the options (else the environment) name; a usage error when none is named. */
export function openEventLog(
  values: { 'log-dir'?: string | undefined; bucket?: string | undefined },
  io: CliIo,
): EventLogReader {
  const retention = parseCountOption(
    EVENT_LOG_ENV.retentionDays,
    io.env[EVENT_LOG_ENV.retentionDays] || undefined,
  );
  const options = retention === undefined ? {} : { retentionDays: retention };
  const bucket = values.bucket ?? io.env[EVENT_LOG_ENV.bucket];
  const local = LOCAL_EVENT_LOG_DIRS.map((dir) => join(process.cwd(), dir)).find((dir) => existsSync(dir));
  const directory =
    values['log-dir'] ??
    (values.bucket ? undefined : io.env[EVENT_LOG_ENV.directory]) ??
    (bucket ? undefined : local);
  if (directory) return createDirectoryEventLog(directory, options);
  if (!bucket) {
    throw new CliUsageError(
      `no event log named: pass --log-dir (local stacks) or --bucket (AWS), or set ${EVENT_LOG_ENV.directory} / ` +
        `${EVENT_LOG_ENV.bucket} (none of ${LOCAL_EVENT_LOG_DIRS.join(', ')} is here).`,
    );
  }
  const endpoint = io.env[PAYLOAD_ENV.s3Endpoint];
  return createS3EventLog({
    bucket,
    ...options,
    s3Config: endpoint
      ? {
          endpoint,
          forcePathStyle: true,
          // The local emulator checks no signature: the env's credentials when set, else placeholders.
          ...localEmulatorAccess(io.env),
        }
      : {},
  });
}

const DURATION = /^(\d+)(s|m|h|d)$/;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `--since`/`--until`: an ISO 8601 time, or a duration ago (`30m`, `2h`, `7d`), as ISO. */
export function parseTimeOption(name: string, text: string | undefined, now: Date): string | undefined {
  if (text === undefined) return undefined;
  const duration = DURATION.exec(text.trim());
  if (duration) {
    return new Date(
      now.getTime() - Number(duration[1]) * UNIT_MS[duration[2] as keyof typeof UNIT_MS],
    ).toISOString();
  }
  const at = new Date(text);
  if (Number.isNaN(at.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(text)) {
    throw new CliUsageError(
      `--${name} must be an ISO 8601 time or a duration ago like 30m, 2h, 7d (got "${text}").`,
    );
  }
  return at.toISOString();
}

export function parseStatusOption(text: string | undefined): EventStatus | undefined {
  if (text === undefined) return undefined;
  if (!(EVENT_STATUSES as readonly string[]).includes(text)) {
    throw new CliUsageError(`--status must be one of ${EVENT_STATUSES.join(', ')} (got "${text}").`);
  }
  return text as EventStatus;
}
