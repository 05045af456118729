/**
 * `event-gateway send`: one event to the gateway's HTTP API, as a producer would send it — with an
 * Idempotency-Key (so re-running the command with the same --event-id is recorded once), and signed
 * or keyed the way the gateway is configured to check.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Webhook } from 'standardwebhooks';
import { GATEWAY_ENV } from '../../functions/core/env-names';
import {
  defineCommand,
  optionalOption,
  parseHttpUrl,
  parseJsonOption,
  requireOption,
  type OptionValues,
} from './args';
import { devSessionEnv } from './dev-session';
import { CliFailureError, CliUsageError, EXIT_CODES, type CliIo } from './io';
import { unreachableReason } from './network-errors';
import { findSource, providerHeaders, sourceSecret } from './webhook-signing';

const DEFAULT_GATEWAY_PORT = 3000;
/** Longer than the gateway's own Temporal deadline, so its answer (even a 503) arrives first. */
const REQUEST_TIMEOUT_MS = 30_000;

const options = {
  'workflow-id': { type: 'string', value: 'ID', description: 'Workflow to signal.' },
  signal: { type: 'string', value: 'NAME', description: 'Signal name (must be declared for the target).' },
  payload: { type: 'string', value: 'JSON', description: "The signal's argument, as JSON." },
  'event-id': {
    type: 'string',
    value: 'ID',
    description: 'Event id (Idempotency-Key / webhook-id); default: a new random UUID.',
  },
  cloudevent: {
    type: 'string',
    value: 'FILE|JSON',
    description: 'Send a CloudEvent (structured mode) to /v1/events instead of a signal.',
  },
  url: {
    type: 'string',
    value: 'URL',
    description: `Gateway base URL; default http://127.0.0.1:$${GATEWAY_ENV.port} (${DEFAULT_GATEWAY_PORT}).`,
  },
  'webhook-secret': {
    type: 'string',
    value: 'whsec_…',
    description: `Sign with Standard Webhooks; default $${GATEWAY_ENV.webhookSecret}.`,
  },
  'api-key': {
    type: 'string',
    value: 'KEY',
    description: `Send as x-api-key; default the first of $${GATEWAY_ENV.apiKeys}.`,
  },
  source: {
    type: 'string',
    value: 'NAME',
    description: "Send --payload to POST /v1/webhooks/NAME, signed as that source's provider signs it.",
  },
  type: {
    type: 'string',
    value: 'TYPE',
    description:
      'With --source: the event type sent in a header (GitHub X-GitHub-Event, Shopify X-Shopify-Topic).',
  },
  secret: {
    type: 'string',
    value: 'SECRET',
    description:
      "With --source: the secret to sign with; default the source's own (its env variable or file).",
  },
} as const;

export const sendCommand = defineCommand({
  name: 'send',
  summary: 'send an event to the gateway over HTTP',
  usage:
    '--workflow-id ID --signal NAME --payload JSON [--event-id ID] [--url URL]\n' +
    '       event-gateway send --cloudevent FILE|JSON [--url URL]\n' +
    '       event-gateway send --source NAME --payload JSON|FILE [--type TYPE] [--event-id ID] [--secret S] [--url URL]',
  options,
  details: [
    'Posts the payload to POST /v1/workflows/{workflowId}/signals/{signal} with Idempotency-Key = the event ' +
      'id; sending the same event id again is recorded once. With --cloudevent it posts a CloudEvents 1.0 ' +
      'event (application/cloudevents+json) to POST /v1/events; a missing id or specversion is filled in.',
    `Authentication: a CloudEvent with a webhook secret (--webhook-secret, or $${GATEWAY_ENV.webhookSecret} when ` +
      `$${GATEWAY_ENV.auth} is unset or standard-webhooks) carries webhook-id (= event id), ` +
      `webhook-timestamp and webhook-signature; a signal is never signed (a signature does not cover the path ` +
      `it is sent to, so the gateway refuses one there). With an API key (--api-key, or the first of ` +
      `$${GATEWAY_ENV.apiKeys} when $${GATEWAY_ENV.auth} is unset or api-key) it carries x-api-key.`,
    "With --source the payload is the provider's own event, posted to /v1/webhooks/NAME with the headers the " +
      "provider sends (signature, timestamp, delivery id, event type), using the source's verifier and secret " +
      `from $${GATEWAY_ENV.config} (else the local default's demo sources).`,
    "Run in an app directory where `event-gateway dev` runs, it takes that gateway's routing, port, auth mode " +
      'and local secrets (GATEWAY_SOURCE_<NAME>_SECRET, GATEWAY_API_KEYS: the environment, else .env, else ' +
      '.event-gateway/secrets.env), so no flags are needed; an environment variable or flag still wins.',
    "Prints the gateway's status line and JSON answer. Exit 0 on 2xx, 1 on any other answer or when the " +
      'gateway cannot be reached, 2 on bad arguments.',
  ],
  examples: [
    `event-gateway send --workflow-id staged-order-42 --signal advanceStage --payload '{"stage":1}'`,
    `event-gateway send --workflow-id staged-order-42 --signal advanceStage --payload '{"stage":2}' --event-id order-42-stage-2`,
    `event-gateway send --cloudevent '{"type":"com.example.stage.advanced","source":"cli","data":{"workflowKey":"order-42","stage":3}}'`,
    `STRIPE_WEBHOOK_SECRET=whsec_… event-gateway send --source stripe --payload '{"id":"evt_1","type":"payment_intent.succeeded","data":{"object":{"metadata":{"workflowKey":"order-42"}}}}'`,
    'GITHUB_WEBHOOK_SECRET=… event-gateway send --source github --type pull_request --payload pull_request.opened.json',
  ],
  run: runSend,
});

type SendValues = OptionValues<typeof options>;

interface Outgoing {
  path: string;
  body: string;
  contentType: string;
  eventId: string;
  /** Signals carry their event id as Idempotency-Key; a CloudEvent carries it inside. */
  idempotencyKey: boolean;
  /** Headers the request needs besides content-type (a provider's signature headers). */
  headers?: Record<string, string>;
}

async function sourceRequest(values: SendValues, io: CliIo): Promise<Outgoing> {
  for (const name of ['workflow-id', 'signal', 'cloudevent'] as const) {
    if (values[name] !== undefined) {
      throw new CliUsageError(`--${name} does not go with --source: the source's routes decide the target.`);
    }
  }
  const name = requireOption(values, 'source');
  const source = findSource(io.env, name);
  const given = requireOption(values, 'payload');
  // The provider's event as given, byte for byte: the signature covers exactly what is sent.
  const body =
    given.trimStart().startsWith('{') || given.trimStart().startsWith('[')
      ? given
      : await readPayloadFile(given);
  parseJsonOption('payload', body);
  const eventId = optionalOption(values, 'event-id') ?? randomUUID();
  const secret = sourceSecret(source, io.env, optionalOption(values, 'secret'));
  return {
    path: `/v1/webhooks/${encodeURIComponent(name)}`,
    body,
    contentType: 'application/json',
    eventId,
    idempotencyKey: false,
    headers: providerHeaders(source, secret, body, { eventId, type: optionalOption(values, 'type') }),
  };
}

async function readPayloadFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new CliUsageError(
      `--payload is neither JSON nor a readable file (${(error as NodeJS.ErrnoException).code ?? 'error'}: ${path}).`,
      { cause: error },
    );
  }
}

async function runSend(values: SendValues, given: CliIo): Promise<number> {
  // In an app directory where `event-gateway dev` runs: its routing, port and local secrets.
  const io: CliIo = {
    out: (line) => given.out(line),
    err: (line) => given.err(line),
    env: devSessionEnv(given.env, process.cwd()),
  };
  const baseUrl = parseHttpUrl(
    'url',
    values.url ?? `http://127.0.0.1:${io.env[GATEWAY_ENV.port] || DEFAULT_GATEWAY_PORT}`,
  );
  const outgoing =
    values.source !== undefined
      ? await sourceRequest(values, io)
      : values.cloudevent === undefined
        ? signalRequest(values)
        : await cloudEventRequest(values);
  const headers = new Headers({ 'content-type': outgoing.contentType, accept: 'application/json' });
  if (outgoing.idempotencyKey) headers.set('idempotency-key', outgoing.eventId);
  for (const [name, value] of Object.entries(outgoing.headers ?? {})) headers.set(name, value);
  const auth = io.env[GATEWAY_ENV.auth]?.trim() || undefined;
  const secret =
    values['webhook-secret'] ??
    (auth === undefined || auth === 'standard-webhooks' ? io.env[GATEWAY_ENV.webhookSecret] : undefined);
  // Only a CloudEvent names its target inside the signed body; a webhook source signs for itself.
  if (secret && outgoing.path === '/v1/events') {
    for (const [name, value] of Object.entries(webhookHeaders(secret, outgoing.eventId, outgoing.body))) {
      headers.set(name, value);
    }
  }
  const apiKey =
    values['api-key'] ??
    (auth === undefined || auth === 'api-key' ? firstApiKey(io.env[GATEWAY_ENV.apiKeys]) : undefined);
  if (apiKey && values.source === undefined) headers.set('x-api-key', apiKey);

  const url = `${baseUrl}${outgoing.path}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers,
      body: outgoing.body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    // fetch says only "fetch failed"; the socket's reason (or e.g. "bad port") is in its cause.
    const reason = unreachableReason(error) ?? describeCause(error);
    const hint =
      values.url === undefined
        ? `is the local stack running? (npm run dev serves the gateway on ${GATEWAY_ENV.port}, default ` +
          `${DEFAULT_GATEWAY_PORT}); otherwise pass --url`
        : 'check the URL and that the gateway runs there';
    throw new CliFailureError(`Cannot reach the gateway at ${baseUrl} (${reason}): ${hint}.`, {
      cause: error,
    });
  }
  const text = await response.text();
  io.out(`HTTP ${response.status} ${response.statusText}`.trimEnd());
  io.out(prettyJson(text));
  return response.ok ? EXIT_CODES.ok : EXIT_CODES.failed;
}

function signalRequest(values: SendValues): Outgoing {
  const workflowId = requireOption(values, 'workflow-id');
  const signal = requireOption(values, 'signal');
  const payloadText = requireOption(values, 'payload');
  parseJsonOption('payload', payloadText);
  return {
    path: `/v1/workflows/${encodeURIComponent(workflowId)}/signals/${encodeURIComponent(signal)}`,
    // The text as given: a signature covers exactly the bytes sent.
    body: payloadText,
    contentType: 'application/json',
    eventId: optionalOption(values, 'event-id') ?? randomUUID(),
    idempotencyKey: true,
  };
}

async function cloudEventRequest(values: SendValues): Promise<Outgoing> {
  for (const name of ['workflow-id', 'signal', 'payload'] as const) {
    if (values[name] !== undefined) {
      throw new CliUsageError(
        `--${name} does not go with --cloudevent: the event's route decides the target.`,
      );
    }
  }
  const source = values.cloudevent ?? '';
  const text = source.trimStart().startsWith('{') ? source : await readEventFile(source);
  const event = parseJsonOption('cloudevent', text);
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new CliUsageError('--cloudevent must be a JSON object (a CloudEvent in structured mode).');
  }
  const fields = event as Record<string, unknown>;
  const given = optionalOption(values, 'event-id');
  if (given !== undefined && fields.id !== undefined && fields.id !== given) {
    throw new CliUsageError(
      `--event-id ${given} differs from the CloudEvent's id ${JSON.stringify(fields.id)}.`,
    );
  }
  const complete = { specversion: '1.0', ...fields, id: fields.id ?? given ?? randomUUID() };
  if (typeof complete.id !== 'string' || complete.id === '') {
    throw new CliUsageError('The CloudEvent id must be a non-empty string.');
  }
  return {
    path: '/v1/events',
    body: JSON.stringify(complete),
    contentType: 'application/cloudevents+json',
    eventId: complete.id,
    idempotencyKey: false,
  };
}

async function readEventFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new CliUsageError(
      `--cloudevent is neither JSON nor a readable file (${(error as NodeJS.ErrnoException).code ?? 'error'}: ${path}).`,
      { cause: error },
    );
  }
}

/** Standard Webhooks headers: the id is the event id, so the gateway dedupes on what it verified. */
export function webhookHeaders(secret: string, eventId: string, body: string): Record<string, string> {
  let webhook: Webhook;
  try {
    webhook = new Webhook(secret.trim());
  } catch (error) {
    throw new CliUsageError('The webhook secret is not a Standard Webhooks secret (whsec_<base64>).', {
      cause: error,
    });
  }
  const now = new Date();
  return {
    'webhook-id': eventId,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': webhook.sign(eventId, now, body),
  };
}

function describeCause(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error && cause.message) return cause.message;
  return error instanceof Error ? error.message : String(error);
}

function firstApiKey(keys: string | undefined): string | undefined {
  return keys
    ?.split(',')
    .map((key) => key.trim())
    .find((key) => key !== '');
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
