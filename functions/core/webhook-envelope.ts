/**
 * A verified webhook as a queue message: written to the fallback queue when Temporal is slow or
 * down, and to the DLQ when its route cannot use it. The queue handler routes it again with the
 * configuration in force then — so a dead-lettered event redriven after its route was fixed is
 * delivered, under the event id it was acknowledged with (applied once).
 *
 * It is not verified again — the provider's signature header is not even kept (a queue or DLQ
 * holding it next to the body would be a ready capture to replay) — but the gateway seals it
 * (core/gateway-seal.ts) and the queue handler routes it only when the seal verifies: the events
 * queue takes producers' messages too, and a producer must never pass for a provider. `verifiedBy`
 * records which preset verified it on arrival.
 */
import type * as z from 'zod';
import type { WebhookEnvelopeSchema } from './checked-schemas';
import { webhookEnvelope } from './checks.generated.js';
import { issueField } from './field-validation';
import type { GatewayConfig } from './gateway-config-model';
import { checkInputText } from './input-limits';
import { problem } from './problems';
import { fail, ok, type Result } from './result';
import type { RoutedCommand } from './routes';
import { decideWebhook, unknownSourceProblem } from './webhook-routing';
import { readValue, type WebhookDocument } from './webhook-fields';

/** An envelope as core/checked-schemas.ts's `WebhookEnvelopeSchema` describes it. */
export type WebhookEnvelope = z.output<typeof WebhookEnvelopeSchema>;

/**
 * Headers that carry a credential or a signature are never written to a queue, a DLQ or a log: a
 * signature beside the body it signs is a replayable capture. Every preset's signature header is
 * here, whichever source the request came to; the source's own (an `hmac` or `api-key` preset's
 * configured header) is passed in.
 */
export const CREDENTIAL_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'x-api-key',
  'stripe-signature',
  'x-hub-signature',
  'x-hub-signature-256',
  'webhook-signature',
  'svix-signature',
  'x-slack-signature',
  'x-shopify-hmac-sha256',
]);

/** The headers worth keeping with an envelope: all but credentials and signatures. */
export function envelopeHeaders(headers: Iterable<[string, string]>, sourceSignatureHeader?: string) {
  const kept: Record<string, string> = {};
  const own = sourceSignatureHeader?.toLowerCase();
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (CREDENTIAL_HEADERS.has(lower) || lower === own) continue;
    kept[lower] = value;
  }
  return kept;
}

export const looksLikeWebhookEnvelope = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.hasOwn(value, 'webhook');

/**
 * The deliveries an envelope asks for now. An event no route wants any more is nothing to deliver
 * (an empty list); one still unusable is the permanent problem that dead-letters it again.
 * `maxBodyBytes`: the body's limit, larger for a body the queue carried as a stored reference.
 */
export function routeWebhookEnvelope(
  config: GatewayConfig,
  input: unknown,
  maxBodyBytes?: number,
): Result<RoutedCommand[]> {
  const checked = webhookEnvelope(input);
  if (!checked.ok) {
    const field = issueField('body', checked.issue);
    return fail(problem('invalid-request', `${field}: ${checked.issue.message} (a webhook envelope)`, field));
  }
  const { webhook } = checked.value;
  const source = config.sources.find((candidate) => candidate.name === webhook.source);
  if (!source) return fail(unknownSourceProblem(webhook.source));
  const within = checkInputText(webhook.body, 'body.webhook.body', maxBodyBytes);
  if (!within.ok) return within;
  let body: unknown;
  try {
    body = JSON.parse(webhook.body);
  } catch (error) {
    return fail(problem('invalid-json', `The webhook body is not JSON: ${(error as Error).message}`, 'body'));
  }
  const document: WebhookDocument = { body, headers: webhook.headers };
  // The type is read again: a fixed `eventType` setting applies to redriven events too.
  const eventType = source.eventType.map((from) => readValue(from, document, '')).find((v) => v);
  const identity =
    eventType === undefined ? { eventId: webhook.eventId } : { eventId: webhook.eventId, eventType };
  const decision = decideWebhook(config, source, document, identity);
  if (decision.kind === 'unusable') return fail(decision.problem);
  return ok(decision.kind === 'routed' ? decision.deliveries : []);
}
