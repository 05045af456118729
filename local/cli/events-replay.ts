/**
 * `event-gateway events replay`: recorded events delivered again through the gateway's TRUSTED path
 * — `POST /v1/event-log/replay` (functions/handlers/http-event-routes.ts): the gateway reads each
 * event from its own log, re-routes it and delivers it under the same event id (the worker and
 * Temporal deduplicate what a run applied) unless `--as-new`. Never through a producer's queue.
 */
import { GATEWAY_ENV } from '../../functions/core/env-names';
import type { EventStatus } from '../../functions/core/event-record';
import type { ReplayAnswer } from '../../contract/event-replay';
import { defineCommand, optionalOption, parseHttpUrl, type OptionValues } from './args';
import { EVENT_LOG_OPTIONS, openEventLog, parseTimeOption } from './events-log';
import { CliFailureError, CliUsageError, EXIT_CODES, type CliIo } from './io';
import { unreachableReason } from './network-errors';

const DEFAULT_GATEWAY_PORT = 3000;
const REQUEST_TIMEOUT_MS = 60_000;
/** A range replay leaves these alone: applied (the log says so), or nothing wanted them. */
const SETTLED: ReadonlySet<EventStatus> = new Set(['delivered', 'duplicate', 'ignored']);

const options = {
  since: {
    type: 'string',
    value: 'TIME',
    description: 'Replay events received at or after TIME (ISO 8601 or 30m, 2h, 7d).',
  },
  until: { type: 'string', value: 'TIME', description: 'With --since: received before TIME; default now.' },
  source: { type: 'string', value: 'NAME', description: 'With --since: only this source.' },
  'as-new': {
    type: 'boolean',
    description: 'Deliver under a new event id (<id>~replay-<ms>): workflows apply the event AGAIN.',
  },
  url: {
    type: 'string',
    value: 'URL',
    description: `Gateway base URL; default http://127.0.0.1:$${GATEWAY_ENV.port} (${DEFAULT_GATEWAY_PORT}).`,
  },
  'api-key': {
    type: 'string',
    value: 'KEY',
    description: `x-api-key; default the first of $${GATEWAY_ENV.apiKeys}.`,
  },
  json: { type: 'boolean', description: "Print the gateway's answers as a JSON array." },
  ...EVENT_LOG_OPTIONS,
} as const;

export const eventsReplayCommand = defineCommand({
  name: 'events replay',
  summary: "deliver recorded events again through the gateway's trusted path",
  usage: '<eventId> | --since TIME [--until TIME] [--source NAME]  [--as-new] [--url URL] [--json]',
  positionals: { min: 0, max: 1 },
  options,
  details: [
    'The gateway reads each event from its own event log (it wrote it after verifying the sender), routes it ' +
      'with its current configuration and delivers it under the SAME event id: a route whose run already holds ' +
      'the event answers duplicate, nothing is applied twice. --as-new derives a new id (<id>~replay-<ms>), so ' +
      'the workflows apply it again.',
    'With --since, the events of the range that are not settled — dead-lettered, refused, failed, queued — are ' +
      'replayed; delivered, duplicate and ignored ones are skipped. One line per event: delivered, duplicate, ' +
      'skipped or failed, then a summary. Exit codes: 0 nothing failed, 1 some event failed (or the gateway is ' +
      'unreachable, or the event is not in the log), 2 bad arguments. The range is read from the log ' +
      '(--log-dir / --bucket, or their environment variables).',
  ],
  examples: [
    'event-gateway events replay stripe:evt_1P2',
    'event-gateway events replay --since 2h',
    'event-gateway events replay github:1234 --as-new',
  ],
  run: runEventsReplay,
});

type Line = Pick<ReplayAnswer, 'eventId' | 'status' | 'reason' | 'deliveredAs'> & {
  routes?: ReplayAnswer['routes'];
};

async function runEventsReplay(
  values: OptionValues<typeof options>,
  io: CliIo,
  positionals: readonly string[],
): Promise<number> {
  const [eventId] = positionals;
  if ((eventId === undefined) === (values.since === undefined)) {
    throw new CliUsageError('name an event id, or a range with --since.');
  }
  const baseUrl = parseHttpUrl(
    'url',
    values.url ?? `http://127.0.0.1:${io.env[GATEWAY_ENV.port] || DEFAULT_GATEWAY_PORT}`,
  );
  const apiKey = optionalOption(values, 'api-key') ?? firstApiKey(io.env[GATEWAY_ENV.apiKeys]);
  const replay = (id: string, receivedAt?: string) =>
    postReplay(baseUrl, apiKey, {
      eventId: id,
      ...(receivedAt ? { receivedAt } : {}),
      asNew: values['as-new'] === true,
    });

  const lines: Line[] = [];
  if (eventId !== undefined) {
    lines.push(await replay(eventId));
  } else {
    const now = new Date();
    const since = parseTimeOption('since', values.since, now)!;
    const until = parseTimeOption('until', values.until, now);
    const events = await openEventLog(values, io).list({
      since,
      ...(until ? { until } : {}),
      ...(values.source ? { source: values.source } : {}),
      limit: 10_000,
    });
    // Oldest first: a workflow takes the replayed events in the order they first came.
    for (const event of [...events].reverse()) {
      lines.push(
        SETTLED.has(event.status) && values['as-new'] !== true
          ? { eventId: event.eventId, status: 'skipped', reason: `already ${event.status}` }
          : await replay(event.eventId, event.receivedAt),
      );
    }
  }
  if (values.json === true) io.out(JSON.stringify(lines, null, 2));
  else {
    for (const line of lines) {
      const as = line.deliveredAs ? ` as ${line.deliveredAs}` : '';
      io.out(`${line.eventId}: ${line.status}${as}${line.reason ? ` (${line.reason})` : ''}`);
    }
  }
  const count = (status: string) => lines.filter((line) => line.status === status).length;
  const failed = lines.length - count('delivered') - count('duplicate') - count('skipped');
  io.err(
    `replayed ${lines.length}: delivered ${count('delivered')}, duplicate ${count('duplicate')}, ` +
      `skipped ${count('skipped')}, failed ${failed}`,
  );
  return failed > 0 ? EXIT_CODES.failed : EXIT_CODES.ok;
}

async function postReplay(
  baseUrl: string,
  apiKey: string | undefined,
  body: { eventId: string; receivedAt?: string; asNew: boolean },
): Promise<Line> {
  let response: Response;
  try {
    response = await fetch(`${baseUrl}/v1/event-log/replay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(apiKey ? { 'x-api-key': apiKey } : {}) },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    const reason = unreachableReason(error) ?? (error instanceof Error ? error.message : String(error));
    throw new CliFailureError(`Cannot reach the gateway at ${baseUrl} (${reason}).`, { cause: error });
  }
  const text = await response.text();
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    answer = undefined;
  }
  if (
    (response.ok || response.status === 404) &&
    typeof answer === 'object' &&
    answer !== null &&
    'status' in answer
  ) {
    return answer as ReplayAnswer;
  }
  const detail = (answer as { detail?: unknown } | undefined)?.detail;
  return {
    eventId: body.eventId,
    status: 'failed',
    reason: `HTTP ${response.status}${typeof detail === 'string' ? `: ${detail}` : ''}`,
  };
}

const firstApiKey = (keys: string | undefined): string | undefined =>
  keys
    ?.split(',')
    .map((key) => key.trim())
    .find((key) => key !== '');
