/**
 * The event log the environment configures (contract/env-names.ts EVENT_LOG_ENV): a bucket
 * (deployed), else a directory (local stacks), else none — the log is off. Read by the functions'
 * composition roots, the CLI and the local events page alike.
 */
import { EVENT_LOG_ENV, PAYLOAD_ENV } from '../../contract/env-names';
import { EventGatewayError } from '../../contract/errors';
import { localEmulatorAccess } from '../../contract/local-emulators';
import type { EventLog } from './ports';

/** An event log setting the gateway cannot use. */
export class EventLogSettingsError extends EventGatewayError {
  override readonly name = 'EventLogSettingsError';
}

/** Days the reader searches back for an event id (the bucket's retention), from the environment. */
export function eventLogRetentionDays(env: Record<string, string | undefined>): number | undefined {
  const raw = env[EVENT_LOG_ENV.retentionDays]?.trim();
  if (!raw) return undefined;
  const days = Number(raw);
  if (!Number.isInteger(days) || days < 1) {
    throw new EventLogSettingsError(
      `${EVENT_LOG_ENV.retentionDays} must be a whole number of days (got "${raw}").`,
    );
  }
  return days;
}

/** The configured event log, or undefined when neither a bucket nor a directory is set. */
export async function eventLogFromEnv(
  env: Record<string, string | undefined>,
): Promise<EventLog | undefined> {
  const bucket = env[EVENT_LOG_ENV.bucket]?.trim();
  const directory = env[EVENT_LOG_ENV.directory]?.trim();
  const retentionDays = eventLogRetentionDays(env);
  const common = retentionDays === undefined ? {} : { retentionDays };
  if (bucket) {
    const endpoint = env[PAYLOAD_ENV.s3Endpoint]?.trim() || undefined;
    const [{ createS3EventLog }, { leanS3PutSettings }] = await Promise.all([
      import('./event-log-s3'),
      import('./event-log-s3-put'),
    ]);
    const leanPut = leanS3PutSettings(bucket, env, endpoint);
    return createS3EventLog({
      bucket,
      ...common,
      ...(leanPut ? { leanPut } : {}),
      ...(endpoint ? { s3Config: { endpoint, forcePathStyle: true, ...localEmulatorAccess(env) } } : {}),
    });
  }
  if (directory) {
    const { createDirectoryEventLog } = await import('./event-log-directory');
    return createDirectoryEventLog(directory, common);
  }
  return undefined;
}
