/**
 * What a verified webhook comes to, decided without I/O. Providers retry every non-2xx and disable
 * endpoints that keep failing, so the decision is one of:
 *
 * - `handshake` — the provider checks the endpoint (Slack `url_verification`, GitHub `ping`);
 * - `ignored`   — no route wants this event type: acknowledged (200), counted, nothing delivered;
 * - `unusable`  — a route wants it but cannot use it (no workflow key, undeclared target, bad
 *                 argument): acknowledged and dead-lettered with the reason, to be redriven once
 *                 the route is fixed;
 * - `routed`    — the deliveries to make.
 *
 * Routing is all or nothing, as for CloudEvents: one unusable route dead-letters the whole event.
 */
import type { GatewayConfig, Source } from './gateway-config-model';
import { eventId as eventIdCheck } from './checks.generated.js';
import { problem, type Problem } from './problems';
import { lookupField } from './route-expressions';
import { routeToCommand, type RoutedCommand } from './routes';
import { formatWebhookPath, readValue, type WebhookDocument } from './webhook-fields';

export type WebhookDecision =
  | { kind: 'handshake'; eventId: string; eventType?: string; answer: { challenge: string } | { pong: true } }
  | { kind: 'ignored'; eventId: string; eventType?: string }
  | { kind: 'unusable'; eventId: string; eventType?: string; route?: string; problem: Problem }
  | { kind: 'routed'; eventId: string; eventType?: string; deliveries: RoutedCommand[] };

/** The event id and type of a verified request. */
export interface WebhookIdentity {
  eventId: string;
  eventType?: string;
}

/**
 * Presets whose provider signs the body but not the header the event type comes from (GitHub's
 * `X-GitHub-Event`, Shopify's `X-Shopify-Topic`): a captured signed body can be re-sent under any
 * type. Their routes should also match a signed body field (docs/webhooks.md), and their event id
 * binds the type it was delivered as (see {@link identifyWebhook}).
 */
export const UNSIGNED_TYPE_PRESETS: ReadonlySet<string> = new Set(['github', 'shopify']);

/**
 * The hex SHA-256 of the signed body, or — given a type — of the type and the body together
 * (computed in the adapter: core does no hashing).
 */
export type WebhookDigest = string | ((boundType: string | undefined) => string);

/**
 * The source's event id (namespaced by the source, so two sources' ids never collide) and type.
 * `digest` gives the hex SHA-256 of the signed body. For a preset whose type header is unsigned,
 * the digest covers the type too: one captured body re-sent under another topic is another event
 * for the routes of that topic only — and each route applies one body at most once, whatever
 * unsigned delivery-id header comes with it (those are never the id: a replayer would pick a fresh one).
 */
export function identifyWebhook(
  source: Source,
  document: WebhookDocument,
  digest: WebhookDigest,
): WebhookIdentity {
  const eventType = source.eventType
    .map((candidate) => readValue(candidate, document, ''))
    .find((v) => v !== undefined && v !== '');
  const hex =
    typeof digest === 'string'
      ? digest
      : digest(UNSIGNED_TYPE_PRESETS.has(source.verifier.preset) ? eventType : undefined);
  const raw = source.eventId
    .map((candidate) => readValue(candidate, document, `sha256-${hex}`))
    .find((v) => v !== undefined);
  const namespaced = `${source.name}:${raw ?? `sha256-${hex}`}`;
  // An id the provider chose may be unusable as a Temporal request key (spaces, too long): the
  // digest of the signed body identifies the event just as well.
  const eventId = eventIdCheck(namespaced).ok ? namespaced : `${source.name}:sha256-${hex}`;
  return eventType === undefined ? { eventId } : { eventId, eventType };
}

function handshake(
  source: Source,
  document: WebhookDocument,
): { challenge: string } | { pong: true } | undefined {
  const { preset } = source.verifier;
  if (preset === 'slack') {
    const type = lookupField(document, ['body', 'type']);
    const challenge = lookupField(document, ['body', 'challenge']);
    if (
      type.found &&
      type.value === 'url_verification' &&
      challenge.found &&
      typeof challenge.value === 'string'
    ) {
      return { challenge: challenge.value };
    }
  }
  if (preset === 'github' && document.headers['x-github-event'] === 'ping') return { pong: true };
  return undefined;
}

/** Decides what a verified, parsed webhook comes to. */
export function decideWebhook(
  config: GatewayConfig,
  source: Source,
  document: WebhookDocument,
  identity: WebhookIdentity,
): WebhookDecision {
  const base = identity;
  const answer = handshake(source, document);
  if (answer) return { kind: 'handshake', ...base, answer };
  const matching = source.routes.filter(
    (route) =>
      route.matchesType(identity.eventType) &&
      route.conditions.every((condition) => {
        const found = lookupField(document, condition.path);
        return condition.holds(found.found ? found.value : undefined, found.found);
      }),
  );
  if (matching.length === 0) return { kind: 'ignored', ...base };
  const deliveries: RoutedCommand[] = [];
  const seen = new Set<string>();
  for (const route of matching) {
    const routed = routeToCommand(config, route, document, identity, formatWebhookPath);
    if (!routed.ok) {
      return {
        kind: 'unusable',
        ...base,
        route: route.name,
        problem: {
          ...routed.problem,
          detail: `Source "${source.name}", route "${route.name}": ${routed.problem.detail}`,
        },
      };
    }
    const key = JSON.stringify([routed.value.kind, routed.value.command.workflowId, route.operation]);
    if (seen.has(key)) continue;
    seen.add(key);
    deliveries.push(routed.value);
  }
  return { kind: 'routed', ...base, deliveries };
}

/** The problem a queue handler reports for an envelope naming a source this deployment lacks. */
export const unknownSourceProblem = (name: string): Problem =>
  problem('source-not-found', `No webhook source "${name.slice(0, 64)}" is declared.`, 'path.source');
