/**
 * The gateway the event log's tests run (test/cli/events.test.ts, test/browser/): one Stripe source
 * whose `note.added` events signal `note-<key>` and whose `account.opened` events start
 * `open-<key>`, on a task queue no worker polls (Temporal records signals and starts without one),
 * and its events signed by Stripe's own test helper.
 */
import Stripe from 'stripe';
import { EVENT_LOG_ENV } from '../../contract/env-names';
import { DEMO_SOURCE_SECRET_ENV, GATEWAY_ENV } from '../../functions/core/env-names';
import { traceIdOf } from '../../functions/core/trace-context';
import { uniqueName } from '../support/staged-worker';

export const STRIPE_SECRET = 'whsec_test_event_log_7c1d';
export const NO_WORKER_QUEUE = 'event-log-no-worker';

/** The gateway's environment: Temporal at `temporalAddress`, the event log in `logDir`, plus `extra`. */
export function eventLogGatewayEnv(
  temporalAddress: string,
  logDir: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: temporalAddress,
    [GATEWAY_ENV.temporalDeadlineMs]: '2000',
    [DEMO_SOURCE_SECRET_ENV.stripe]: JSON.stringify([STRIPE_SECRET]),
    [EVENT_LOG_ENV.directory]: logDir,
    GATEWAY_CONFIG: JSON.stringify({
      targets: [
        {
          name: 'notes',
          workflowIdPattern: '^note-.+$',
          workflowType: 'notesWorkflow',
          taskQueue: NO_WORKER_QUEUE,
          signals: { note: { schema: {} } },
        },
        {
          name: 'openings',
          workflowIdPattern: '^open-.+$',
          workflowType: 'openingWorkflow',
          taskQueue: NO_WORKER_QUEUE,
          start: { schema: {} },
        },
      ],
      sources: [
        {
          name: 'stripe',
          verifier: { preset: 'stripe' },
          secret: { env: DEMO_SOURCE_SECRET_ENV.stripe },
          routes: [
            {
              name: 'note-added',
              match: { type: 'note.added' },
              workflowId: 'note-{data.object.key}',
              signal: 'note',
              payload: { text: 'data.object.text' },
            },
            {
              name: 'account-opened',
              match: { type: 'account.opened' },
              workflowId: 'open-{data.object.key}',
              start: true,
              payload: { text: 'data.object.text' },
            },
          ],
        },
      ],
    }),
    ...extra,
  };
}

export interface SentEvent {
  readonly eventId: string;
  /** Stripe's own id (`evt_…`). */
  readonly id: string;
  readonly status: number;
  readonly answer: { status: string };
  /** The trace id of the answer's traceparent. */
  readonly traceId: string | undefined;
}

/** A Stripe event of `type` about `key` (`data.object.key`), signed as Stripe signs, POSTed to the gateway at `url`. */
export async function sendStripe(
  url: string,
  key: string,
  options: { type?: string; id?: string; text?: string } = {},
): Promise<SentEvent> {
  const id = options.id ?? `evt_${uniqueName('n').replace(/-/g, '')}`;
  const body = JSON.stringify({
    id,
    object: 'event',
    type: options.type ?? 'note.added',
    created: Math.floor(Date.now() / 1000),
    data: { object: { key, text: options.text ?? `hello ${key}` } },
  });
  const signature = Stripe.webhooks.generateTestHeaderString({ payload: body, secret: STRIPE_SECRET });
  const response = await fetch(`${url}/v1/webhooks/stripe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': signature },
    body,
  });
  const answer = (await response.json()) as { status: string };
  return {
    eventId: `stripe:${id}`,
    id,
    status: response.status,
    answer,
    traceId: traceIdOf(response.headers.get('traceparent') ?? ''),
  };
}
