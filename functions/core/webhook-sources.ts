/**
 * Webhook sources: each provider that posts to `POST /v1/webhooks/{source}` declares how it is
 * verified, where its event id and event type come from, and which routes (webhook-routes.ts) turn
 * its events into signals, updates or starts. Part of the gateway configuration (`sources`),
 * compiled once at start-up.
 */
import type { Source, Target, ValueSource } from './gateway-config-model';
import { checkRouteTarget } from './route-compiler';
import { parseWebhookPath } from './webhook-fields';
import { compileWebhookRoute } from './webhook-routes';
import type { IdSourceConfig, SourceConfig, SourceConfigInput } from './webhook-source-schema';
import { needsSecret, type VerifierConfig } from './webhook-verifiers';

export type { SourceConfig, SourceConfigInput };

const field = (text: string): ValueSource => {
  const parsed = parseWebhookPath(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return { kind: 'field', path: parsed.path };
};
const header = (name: string): ValueSource => ({ kind: 'header', name });
const DIGEST: ValueSource = { kind: 'digest' };

/**
 * Each preset's event id and type. GitHub and Shopify sign the body only, not their delivery-id
 * headers, so their event id is the signed body's digest: a redelivery (the same bytes) is applied
 * once, and a replay with a forged delivery id cannot pass for a new event. Every id list ends in
 * the digest, so an event always has one.
 */
const PRESET_FIELDS: Record<VerifierConfig['preset'], { eventId: ValueSource[]; eventType: ValueSource[] }> =
  {
    stripe: { eventId: [field('id'), DIGEST], eventType: [field('type')] },
    github: {
      eventId: [DIGEST],
      eventType: [{ kind: 'header', name: 'x-github-event', actionField: ['body', 'action'] }],
    },
    'standard-webhooks': { eventId: [header('webhook-id'), DIGEST], eventType: [field('type')] },
    slack: { eventId: [field('event_id'), DIGEST], eventType: [field('event.type'), field('type')] },
    shopify: { eventId: [DIGEST], eventType: [header('x-shopify-topic')] },
    hmac: { eventId: [DIGEST], eventType: [field('type')] },
    'api-key': { eventId: [DIGEST], eventType: [field('type')] },
    none: { eventId: [DIGEST], eventType: [field('type')] },
  };

function compileValueSource(
  override: IdSourceConfig | undefined,
  where: string,
  problems: string[],
): ValueSource[] | undefined {
  if (override === undefined) return undefined;
  if ('header' in override) return [header(override.header)];
  const parsed = parseWebhookPath(override.field);
  if (!parsed.ok) {
    problems.push(`${where}: ${parsed.error}`);
    return [];
  }
  return [{ kind: 'field', path: parsed.path }];
}

/** Compiles the sources, adding every problem to `problems` (named by where it is). */
export function compileSources(
  sources: readonly SourceConfig[],
  targets: readonly Target[],
  problems: string[],
): Source[] {
  const names = sources.map((source) => source.name);
  names
    .filter((name, index) => names.indexOf(name) !== index)
    .forEach((name) => problems.push(`sources: the name "${name}" is declared twice`));
  return sources.map((source, index) => {
    const where = `sources[${index}]`;
    if (needsSecret(source.verifier) && source.secret === undefined) {
      problems.push(
        `${where}.secret: the ${source.verifier.preset} verifier needs a secret (env, file or secretArn)`,
      );
    }
    if (!needsSecret(source.verifier) && source.secret !== undefined) {
      problems.push(`${where}.secret: the none verifier takes no secret`);
    }
    const routeNames = source.routes.map((route) => route.name);
    routeNames
      .filter((name, i) => routeNames.indexOf(name) !== i)
      .forEach((name) => problems.push(`${where}.routes: the name "${name}" is declared twice`));
    const routes = source.routes.map((route, i) => {
      const compiled = compileWebhookRoute(route, `${where}.routes[${i}]`, problems);
      checkRouteTarget(compiled, targets, `${where}.routes[${i}]`, problems);
      return compiled;
    });
    const preset = PRESET_FIELDS[source.verifier.preset];
    const eventId = compileValueSource(source.eventId, `${where}.eventId`, problems);
    const eventType = compileValueSource(source.eventType, `${where}.eventType`, problems);
    return {
      name: source.name,
      verifier: source.verifier,
      ...(source.secret ? { secret: source.secret } : {}),
      // A configured id that an event lacks still falls back to the digest: never an event without id.
      eventId: eventId ? [...eventId, DIGEST] : preset.eventId,
      eventType: eventType ?? preset.eventType,
      routes,
      answerWithinMs: source.answerWithinMs,
    };
  });
}
