/**
 * `event-gateway events list`: the events the gateway recorded in a time range, newest first —
 * source, type, status, where each route went (issue 30).
 */
import type { EventView } from '../../functions/core/event-record-view';
import { defineCommand, parseCountOption, type OptionValues } from './args';
import { EVENT_LOG_OPTIONS, openEventLog, parseStatusOption, parseTimeOption } from './events-log';
import { EXIT_CODES, type CliIo } from './io';

const DEFAULT_LIMIT = 100;

const options = {
  since: {
    type: 'string',
    value: 'TIME',
    description: 'Received at or after TIME: ISO 8601 or a duration ago (30m, 2h, 7d); default 24h.',
  },
  until: { type: 'string', value: 'TIME', description: 'Received before TIME; default now.' },
  source: {
    type: 'string',
    value: 'NAME',
    description: 'Only this webhook source (or http, callback, sqs).',
  },
  status: {
    type: 'string',
    value: 'STATUS',
    description: 'Only this status: delivered, duplicate, ignored, queued, dead-lettered, refused, failed.',
  },
  limit: { type: 'string', value: 'N', description: `At most N events (default ${DEFAULT_LIMIT}).` },
  json: {
    type: 'boolean',
    description: 'Print a JSON array of the events (as `events show --json` without checks).',
  },
  ...EVENT_LOG_OPTIONS,
} as const;

export const eventsListCommand = defineCommand({
  name: 'events list',
  summary: 'list the events the gateway received, by time range, source and status',
  usage:
    '[--since TIME] [--until TIME] [--source NAME] [--status STATUS] [--limit N] [--json] [--log-dir DIR | --bucket NAME]',
  options,
  details: [
    "One line per event: when it was received, its status, source, type and event id. The status is the event's " +
      "routes' least settled one (failed, queued, dead-lettered, refused, duplicate, delivered), or ignored when no " +
      'route wanted it. `events show ID` checks one event against Temporal and SQS.',
  ],
  examples: [
    'event-gateway events list --since 2h',
    'event-gateway events list --source stripe --status dead-lettered --json',
  ],
  run: runEventsList,
});

async function runEventsList(values: OptionValues<typeof options>, io: CliIo): Promise<number> {
  const now = new Date();
  const since = parseTimeOption('since', values.since, now);
  const until = parseTimeOption('until', values.until, now);
  const status = parseStatusOption(values.status);
  const limit = parseCountOption('limit', values.limit) ?? DEFAULT_LIMIT;
  const log = openEventLog(values, io);
  const events = await log.list({
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
    ...(values.source ? { source: values.source } : {}),
    ...(status ? { status } : {}),
    limit,
  });
  if (values.json === true) {
    io.out(JSON.stringify(events.map(summary), null, 2));
    return EXIT_CODES.ok;
  }
  if (events.length === 0) {
    io.out('No events recorded in that range.');
    return EXIT_CODES.ok;
  }
  for (const event of events) {
    io.out(
      [event.receivedAt, event.status.padEnd(13), event.source, event.eventType ?? '-', event.eventId].join(
        '  ',
      ),
    );
  }
  if (events.length >= limit) io.err(`--limit ${limit} reached; there may be more.`);
  return EXIT_CODES.ok;
}

/** An event as `list --json` prints it: the view without the body and headers. */
export function summary(event: EventView) {
  return {
    eventId: event.eventId,
    receivedAt: event.receivedAt,
    source: event.source,
    eventType: event.eventType ?? null,
    providerId: event.providerId ?? null,
    status: event.status,
    verification: event.verification ?? null,
    routes: event.routes,
    traceId: event.traceId ?? null,
  };
}
