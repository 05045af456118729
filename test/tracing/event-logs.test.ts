/**
 * Issue 29's done-when for logs, over a full local run: the gateway (`local/gateway-main.ts`: HTTP
 * app and queue consumers) and the staged worker as their own processes, exactly as `npm run dev`
 * runs them (test/security/support/stack.ts), take a direct signal, a signed Stripe webhook, a queued
 * signal (an SQS producer's message), refused requests (a wrong API key, a forged and a stale Stripe
 * signature) and a partner's callback. Then their whole output must hold none of the secrets,
 * signatures and tokens the run used, and every line about one of those events — the gateway's lines
 * naming one, its webhook and callback lines, the workflow's "stage advanced" for each signal — must
 * carry an `eventId` and a `traceId` (the gateway's as JSON fields, the workflow's as log attributes).
 */
import { readFileSync } from 'node:fs';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HANDSHAKE, handshakeOutboxFile, type HandshakeOutboxEntry } from '../../contract/demo-handshake';
import { runCli } from '../../local/cli/main';
import { startSecurityStack, type SecurityStack } from '../security/support/stack';
import { uniqueName } from '../support/staged-worker';

let stack: SecurityStack;
const stripe = new Stripe('sk_test_event_logs');
/** Every credential-like value the run sent or the stack holds. */
const used = new Set<string>();
/** A marker unique to each event the run sent, which its event id contains. */
const eventMarkers: string[] = [];

beforeAll(async () => {
  stack = await startSecurityStack();
  const { secrets } = stack;
  for (const value of [
    secrets.apiKey,
    secrets.callbackKeys,
    secrets.callbackSecret,
    secrets.envelopeKey,
    ...Object.values(secrets.sources),
  ])
    used.add(value);
}, 300_000);

afterAll(async () => {
  await stack?.stop();
});

async function post(path: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${stack.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return {
    status: response.status,
    traceparent: response.headers.get('traceparent'),
    text: await response.text(),
  };
}

function stripeSigned(event: object, secret: string, at = Math.floor(Date.now() / 1000)) {
  const body = JSON.stringify(event);
  const signature = stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: at });
  used.add(signature);
  // The signature proper (v1=…), which a log would most likely show alone.
  used.add(signature.split('v1=')[1]!);
  return { body, headers: { 'stripe-signature': signature } };
}

/** Polls the staged workflow's progress until `stage` is reached. */
async function untilStage(workflowId: string, stage: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const response = await fetch(`${stack.url}/v1/workflows/${workflowId}/queries/progress`, {
      headers: { 'x-api-key': stack.secrets.apiKey },
    });
    if (response.ok) {
      const { result } = (await response.json()) as { result: { stage: number } };
      if (result.stage >= stage) return;
    }
    if (Date.now() > deadline) throw new Error(`${workflowId} did not reach stage ${stage}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** A callback URL the stack's worker minted (the demo handshake) and handed over through the outbox. */
async function mintedCallback(): Promise<HandshakeOutboxEntry> {
  const workflowId = uniqueName('handshake-logs');
  await stack.temporal.client.workflow.start(HANDSHAKE.workflowType, {
    workflowId,
    taskQueue: stack.taskQueue,
    args: [{ skipWarehouse: true }],
  });
  const file = handshakeOutboxFile(stack.outboxDir, workflowId, 'partner');
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as HandshakeOutboxEntry;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/**
 * The output as log entries: the gateway's JSON lines (Powertools) one each, and the worker's
 * entries (`<time> [LEVEL] message { attributes over several lines }`) joined into one each.
 */
function logEntries(text: string): string[] {
  const entries: string[] = [];
  for (const line of text.split('\n')) {
    if (line.trim().length === 0) continue;
    const starts = line.startsWith('{') || /^\d{4}-\d{2}-\d{2}T[\d:.]+Z \[[A-Z]+\]/.test(line);
    if (starts || entries.length === 0) entries.push(line);
    else entries[entries.length - 1] += `\n${line}`;
  }
  return entries;
}

/** `eventId` and `traceId` of an entry: JSON fields (the gateway), or `key: 'value'` attributes (the worker). */
function fieldsOf(entry: string): { eventId?: string; traceId?: string } {
  if (entry.startsWith('{')) {
    try {
      const json = JSON.parse(entry) as { eventId?: unknown; traceId?: unknown };
      return {
        ...(typeof json.eventId === 'string' ? { eventId: json.eventId } : {}),
        ...(typeof json.traceId === 'string' ? { traceId: json.traceId } : {}),
      };
    } catch {
      return {};
    }
  }
  const attribute = (name: string) => new RegExp(`\\b${name}: '([^']+)'`).exec(entry)?.[1];
  const [eventId, traceId] = [attribute('eventId'), attribute('traceId')];
  return { ...(eventId ? { eventId } : {}), ...(traceId ? { traceId } : {}) };
}

describe('a full local run’s logs', () => {
  it(
    'hold no secret, signature or token, and every line about an event carries its event id and trace id',
    { timeout: 180_000 },
    async () => {
      const key = uniqueName('logs');
      const workflowId = `staged-${key}`;

      // Direct: a signal with the API key, and a signed Stripe webhook to the same workflow.
      const idempotency = `idem-${key}`;
      eventMarkers.push(idempotency);
      const direct = await post(`/v1/workflows/${workflowId}/signals/advanceStage`, '{"stage":1}', {
        'x-api-key': stack.secrets.apiKey,
        'idempotency-key': idempotency,
      });
      expect(direct.status).toBe(202);
      expect(direct.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
      await untilStage(workflowId, 1);
      const evt = `evt_${key.replace(/-/g, '')}`;
      eventMarkers.push(evt);
      const webhook = stripeSigned(
        { id: evt, type: 'payment_intent.succeeded', data: { object: { metadata: { workflowKey: key } } } },
        stack.secrets.sources.stripe,
      );
      const delivered = await post('/v1/webhooks/stripe', webhook.body, webhook.headers);
      expect([delivered.status, delivered.text]).toEqual([202, expect.stringContaining('"delivered"')]);

      // Queued: a producer's message on the gateway's queue, delivered by the queue consumer.
      const queued = `queued-${key}`;
      eventMarkers.push(queued);
      const out: string[] = [];
      const code = await runCli(
        [
          'enqueue',
          '--workflow-id',
          workflowId,
          '--signal',
          'advanceStage',
          '--payload',
          '{"stage":3}',
          '--event-id',
          queued,
          '--queue-url',
          stack.sqs.queues.events.url,
          '--endpoint',
          stack.sqs.sqs.endpoint,
        ],
        {
          out: (line) => out.push(line),
          err: (line) => out.push(line),
          env: { ...process.env, AWS_REGION: stack.sqs.sqs.region },
        },
      );
      expect([code, out.join('\n')]).toEqual([0, expect.any(String)]);
      await untilStage(workflowId, 3);

      // Refused: a wrong API key, a forged and a stale Stripe signature.
      const wrongKey = `k_wrong_${key}`;
      used.add(wrongKey);
      const refusedKey = await post(`/v1/workflows/${workflowId}/signals/advanceStage`, '{"stage":4}', {
        'x-api-key': wrongKey,
        'idempotency-key': `idem-refused-${key}`,
      });
      expect(refusedKey.status).toBe(401);
      const forged = stripeSigned(
        {
          id: `${evt}_forged`,
          type: 'payment_intent.succeeded',
          data: { object: { metadata: { workflowKey: key } } },
        },
        'whsec_not_the_stack_secret_0123456789',
      );
      expect((await post('/v1/webhooks/stripe', forged.body, forged.headers)).status).toBe(401);
      const stale = stripeSigned(
        {
          id: `${evt}_stale`,
          type: 'payment_intent.succeeded',
          data: { object: { metadata: { workflowKey: key } } },
        },
        stack.secrets.sources.stripe,
        Math.floor(Date.now() / 1000) - 600,
      );
      expect((await post('/v1/webhooks/stripe', stale.body, stale.headers)).status).toBe(401);

      // A partner's callback, redeemed once.
      const callback = await mintedCallback();
      const token = callback.url.split('/v1/callbacks/')[1]!;
      used.add(token);
      used.add(token.split('.')[2]!); // its signature alone
      expect((await post(new URL(callback.url).pathname, '{"ok":true}')).status).toBe(202);

      // The last lines of either process arrive a little after the answers.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const text = stack.logs();
      const leaks = [...used].filter((secret) => text.includes(secret));
      expect(leaks.map((secret) => `${secret.slice(0, 12)}…`)).toEqual([]);

      const entries = logEntries(text);
      const aboutEvents = entries.filter((entry) => eventMarkers.some((marker) => entry.includes(marker)));
      // The gateway's lines about the webhook and the callback, the workflow's about each signal.
      const redeemed = entries.filter((entry) => entry.includes('"callback redeemed"'));
      expect(aboutEvents.filter((entry) => entry.includes('"webhook delivered"'))).toHaveLength(1);
      expect(redeemed).toHaveLength(1);
      // One workflow line per signal: the stage it advanced to, or why the signal changed nothing.
      const advanced = entries.filter(
        (entry) =>
          !entry.startsWith('{') &&
          entry.includes(workflowId) &&
          /\] (stage advanced|advanceStage ignored)/.test(entry),
      );
      expect(advanced).toHaveLength(3);
      const missing = [...aboutEvents, ...advanced, ...redeemed].filter((entry) => {
        const fields = fieldsOf(entry);
        return fields.eventId === undefined || !/^[0-9a-f]{32}$/.test(fields.traceId ?? '');
      });
      expect(missing).toEqual([]);
    },
  );
});
