/**
 * `event-gateway events show <eventId>`: one event as the log recorded it — body, kept headers,
 * verification, each route's outcome, trace id — CHECKED against the systems that hold the truth:
 * whether each route's workflow run holds the event in its history, and whether a queued or
 * dead-lettered event is on the gateway's queue or DLQ now (events-check.ts).
 */
import type { EventView } from '../../functions/core/event-record-view';
import { defineCommand, optionalOption, type OptionValues } from './args';
import {
  checkHistory,
  checkQueues,
  connectTemporal,
  type HistoryCheck,
  type QueueCheck,
} from './events-check';
import { summary } from './events-list';
import { EVENT_LOG_OPTIONS, openEventLog } from './events-log';
import { CliFailureError, CliUsageError, EXIT_CODES, type CliIo } from './io';
import { SQS_OPTIONS } from './sqs-connection';

export const TEMPORAL_OPTIONS = {
  'temporal-address': {
    type: 'string',
    value: 'HOST:PORT',
    description: 'Temporal frontend; default $TEMPORAL_ADDRESS, else 127.0.0.1:7233.',
  },
  namespace: {
    type: 'string',
    value: 'NAME',
    description: 'Temporal namespace; default $TEMPORAL_NAMESPACE, else default.',
  },
} as const;

const options = {
  json: { type: 'boolean', description: 'Print the event and the checks as one JSON object.' },
  source: {
    type: 'string',
    value: 'NAME',
    description: 'With --provider-id: the webhook source (e.g. stripe).',
  },
  'provider-id': {
    type: 'string',
    value: 'ID',
    description: "The provider's own event id (Stripe's evt_…).",
  },
  'no-check': { type: 'boolean', description: 'Show the log only: ask neither Temporal nor SQS.' },
  ...TEMPORAL_OPTIONS,
  ...SQS_OPTIONS,
  ...EVENT_LOG_OPTIONS,
} as const;

export const eventsShowCommand = defineCommand({
  name: 'events show',
  summary: 'show where one event went, checked against Temporal and SQS',
  usage: '<eventId> | --source NAME --provider-id ID  [--json] [--no-check] [--log-dir DIR | --bucket NAME]',
  positionals: { min: 0, max: 1 },
  options,
  details: [
    "For each route: the workflow id, the run the event is in (found through the event-id header in the run's " +
      'history; the newest runs are searched), and whether it is there (inHistory true/false; null when Temporal ' +
      'could not be asked). A queued or dead-lettered event is looked for on the gateway queue or DLQ (received and ' +
      'released at once, as dlq list does). Exit 1 when the log has no such event.',
  ],
  examples: [
    'event-gateway events show stripe:evt_1P2 --json',
    'event-gateway events show --source stripe --provider-id evt_1P2',
  ],
  run: runEventsShow,
});

export interface CheckedEvent {
  readonly view: EventView;
  readonly histories: readonly (HistoryCheck | null)[];
  readonly queue: QueueCheck;
}

async function runEventsShow(
  values: OptionValues<typeof options>,
  io: CliIo,
  positionals: readonly string[],
): Promise<number> {
  const [eventId] = positionals;
  const source = optionalOption(values, 'source');
  const providerId = optionalOption(values, 'provider-id');
  if ((eventId === undefined) === (source === undefined || providerId === undefined)) {
    throw new CliUsageError('name the event: an event id, or --source with --provider-id.');
  }
  const log = openEventLog(values, io);
  const view =
    eventId === undefined ? await log.getByProviderId(source!, providerId!) : await log.get(eventId);
  if (!view) throw new CliFailureError(`no event ${eventId ?? `${source} ${providerId}`} in the event log.`);
  const checked = values['no-check'] === true ? unchecked(view) : await check(view, values, io);
  if (values.json === true) io.out(JSON.stringify(toJson(checked), null, 2));
  else printText(io, checked);
  return EXIT_CODES.ok;
}

const unchecked = (view: EventView): CheckedEvent => ({
  view,
  histories: view.routes.map(() => null),
  queue: { checked: false, queue: null },
});

async function check(
  view: EventView,
  values: OptionValues<typeof options>,
  io: CliIo,
): Promise<CheckedEvent> {
  const queue = checkQueues(view, io, values.endpoint);
  let histories: (HistoryCheck | null)[];
  try {
    const temporal = await connectTemporal(io, {
      address: values['temporal-address'],
      namespace: values.namespace,
    });
    try {
      histories = [];
      for (const route of view.routes) {
        histories.push(route.workflowId ? await checkHistory(temporal.client, route, view.eventId) : null);
      }
    } finally {
      await temporal.close();
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    io.err(`Temporal not asked: ${reason}`);
    histories = view.routes.map(() => ({ runId: null, inHistory: null, error: reason }));
  }
  return { view, histories, queue: await queue };
}

export function toJson({ view, histories, queue }: CheckedEvent) {
  return {
    ...summary(view),
    problem: view.problem ?? null,
    routes: view.routes.map((route, index) => {
      const checked = histories[index];
      return {
        ...route,
        runId: checked?.runId ?? route.runId ?? null,
        inHistory: checked?.inHistory ?? null,
        ...(checked?.error ? { checkError: checked.error } : {}),
      };
    }),
    queue,
    headers: view.headers ?? {},
    body: view.body ?? null,
    history: view.history,
  };
}

function printText(io: CliIo, checked: CheckedEvent) {
  const json = toJson(checked);
  io.out(`${json.eventId}  ${json.status}`);
  io.out(
    `  received   ${json.receivedAt} from ${json.source}${json.eventType ? `, type ${json.eventType}` : ''}`,
  );
  if (json.verification)
    io.out(
      `  verified   ${json.verification.result}${json.verification.method ? ` (${json.verification.method})` : ''}`,
    );
  if (json.problem) io.out(`  problem    ${json.problem.code}: ${json.problem.detail}`);
  if (json.traceId) io.out(`  trace      ${json.traceId}`);
  for (const route of json.routes) {
    const where = route.workflowId ? `${route.workflowId}${route.runId ? ` (run ${route.runId})` : ''}` : '-';
    const inHistory =
      route.inHistory === null ? 'history not checked' : route.inHistory ? 'in history' : 'NOT in history';
    io.out(
      `  route      ${route.route}: ${route.kind} ${route.operation ?? ''} → ${where}: ${route.status}, ${inHistory}`,
    );
    if (route.problem) io.out(`             ${route.problem.code}: ${route.problem.detail}`);
  }
  if (json.queue.checked) io.out(`  queue      ${json.queue.queue ?? 'on neither the queue nor the DLQ'}`);
  for (const step of json.history) io.out(`  record     ${step.recordedAt} ${step.stage}: ${step.status}`);
}
