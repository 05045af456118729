/**
 * Webhook sources: each provider that posts to `POST /v1/webhooks/{source}` declares how it is
 * verified, where its event id and event type come from, and which routes turn its events into
 * signals or updates. Part of the gateway configuration (`sources`), compiled once at start-up.
 *
 * Field paths of webhook routes read the signed request: `data.object.id` (a body field; `body`
 * alone is the whole body, `body.x` spells a body field named like a root) or `headers.x-name`.
 */
import * as z from 'zod';
import { OperationNameSchema } from './commands';
import type { Target } from './gateway-config';
import { lookupField, parseTemplate, type FieldPath, type Template } from './route-expressions';
import {
  checkRouteTarget,
  compileMapping,
  PayloadDefaultSchema,
  routeKind,
  type PayloadMapping,
  type RouteKind,
} from './routes';
import {
  needsSecret,
  SecretRefSchema,
  VerifierSchema,
  type SecretRef,
  type VerifierConfig,
} from './webhook-verifiers';

const scalar = () => z.union([z.string(), z.number(), z.boolean()]);

/** A field condition: equal to a value, one of several, or present/absent. */
const conditionSchema = () =>
  z.union([
    scalar(),
    z.strictObject({ in: z.array(scalar()).min(1) }),
    z.strictObject({ exists: z.boolean() }),
  ]);

// Built at the first validation (z.lazy): a cold start compiling a validated configuration never builds it.
export const WebhookRouteSchema = z.lazy(() =>
  z.strictObject({
    /** Names the route in responses, logs and DLQ reasons. */
    name: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1-64 letters, digits, _ . : -'),
    match: z
      .strictObject({
        /** The event type, exactly (e.g. `payment_intent.succeeded`). */
        type: z.string().min(1).optional(),
        /** Or a prefix of it (e.g. `payment_intent.`). */
        typePrefix: z.string().min(1).optional(),
        /** Or a glob: `*` matches within one dot-separated part, `**` across parts (`pull_request.*`). */
        typeGlob: z.string().min(1).optional(),
        /** Field conditions that must all hold, e.g. `{ "data.object.currency": "eur" }`. */
        fields: z.record(z.string().min(1), conditionSchema()).optional(),
      })
      .default({}),
    /** Workflow-ID template over body fields and headers, e.g. `order-{data.object.metadata.orderId}`. */
    workflowId: z.string().min(1),
    signal: OperationNameSchema.optional(),
    update: OperationNameSchema.optional(),
    /** `true`: start the workflow with the mapped input (its target must declare `start`). */
    start: z.literal(true).optional(),
    /**
     * The argument: `body` (default, the whole body), one field path, or an object whose values are
     * field paths or constants, e.g. `{ "stage": { "value": 1 }, "pr": "pull_request.number" }`.
     */
    payload: z
      .union([
        z.string(),
        z.record(
          z.string().min(1),
          z.union([z.string(), z.strictObject({ value: z.json() }), PayloadDefaultSchema]),
        ),
      ])
      .default('body'),
    /** Overrides the target's `startIfMissing` for events on this route. */
    startIfMissing: z.boolean().optional(),
  }),
);

const idSourceSchema = () =>
  z.union([
    z.strictObject({
      header: z
        .string()
        .min(1)
        .transform((name) => name.toLowerCase()),
    }),
    z.strictObject({ field: z.string().min(1) }),
  ]);

/** Longest a provider may wait for an answer before it counts the delivery as failed (Slack: 3 s). */
export const DEFAULT_ANSWER_WITHIN_MS = 2_500;

// Built at the first validation (z.lazy): a cold start compiling a validated configuration never builds it.
export const SourceSchema = z.lazy(() =>
  z.strictObject({
    /** The `{source}` of `POST /v1/webhooks/{source}`. */
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be 1-64 lower-case letters, digits, _ -'),
    verifier: VerifierSchema,
    /** Required unless the verifier is `none`. */
    secret: SecretRefSchema.optional(),
    /** Overrides the preset's event id: a header or a body field. Default: the preset's, else a digest of the body. */
    eventId: idSourceSchema().optional(),
    /** Overrides the preset's event type: a header or a body field. */
    eventType: idSourceSchema().optional(),
    routes: z.array(WebhookRouteSchema).default([]),
    /**
     * Milliseconds to answer within: a delivery Temporal has not taken by then goes to the fallback
     * queue and the provider gets its 2xx in time.
     */
    answerWithinMs: z.number().int().min(100).max(25_000).default(DEFAULT_ANSWER_WITHIN_MS),
  }),
);

export type SourceConfig = z.output<typeof SourceSchema>;
export type SourceConfigInput = z.input<typeof SourceSchema>;

/** Where an event's id or type is read. `digest`: the SHA-256 of the signed body. */
export type ValueSource =
  | { kind: 'header'; name: string; actionField?: FieldPath }
  | { kind: 'field'; path: FieldPath }
  | { kind: 'digest' };

type Condition = (value: unknown, found: boolean) => boolean;

/** A webhook route ready to use. */
export interface WebhookRoute {
  name: string;
  kind: RouteKind;
  operation: string;
  matchesType: (type: string | undefined) => boolean;
  conditions: readonly { path: FieldPath; holds: Condition }[];
  workflowId: Template;
  payload: PayloadMapping;
  startIfMissing?: boolean;
}

/** A source ready to use. */
export interface Source {
  name: string;
  verifier: VerifierConfig;
  secret?: SecretRef;
  eventId: readonly ValueSource[];
  eventType: readonly ValueSource[];
  routes: readonly WebhookRoute[];
  answerWithinMs: number;
}

const SEGMENT = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * A webhook field path: `headers.<name>` (lower-cased), `body[.…]`, or a body path. Segments are
 * JSON keys or array indexes of letters, digits, `_` and `-`.
 */
export function parseWebhookPath(text: string): { ok: true; path: FieldPath } | { ok: false; error: string } {
  const segments = text.split('.');
  const bad = segments.find((segment) => !SEGMENT.test(segment));
  if (bad !== undefined) {
    return {
      ok: false,
      error: `"${text}" has an empty or invalid segment "${bad}" (use letters, digits, _ -)`,
    };
  }
  const [root, ...rest] = segments;
  if (root === 'headers') {
    return rest.length === 1
      ? { ok: true, path: ['headers', rest[0]!.toLowerCase()] }
      : { ok: false, error: `"${text}" must name one header, e.g. headers.x-github-event` };
  }
  return { ok: true, path: root === 'body' ? ['body', ...rest] : ['body', ...segments] };
}

/** A webhook path as its author writes it. */
export const formatWebhookPath = (path: FieldPath): string =>
  path[0] === 'headers' ? path.join('.') : path.length === 1 ? 'body' : path.slice(1).join('.');

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

/** `*` within one dot-separated part, `**` across parts; everything else literal. */
export function compileGlob(glob: string): RegExp {
  const body = glob
    .split(/(\*\*|\*)/)
    .map((part) =>
      part === '**' ? '.*' : part === '*' ? '[^.]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${body}$`, 'u');
}

function compileCondition(condition: z.output<ReturnType<typeof conditionSchema>>): Condition {
  if (typeof condition !== 'object') return (value, found) => found && value === condition;
  if ('in' in condition) return (value, found) => found && condition.in.some((option) => option === value);
  return (_value, found) => found === condition.exists;
}

function compileTypeMatch(
  match: z.output<typeof WebhookRouteSchema>['match'],
  where: string,
  problems: string[],
) {
  const given = [match.type, match.typePrefix, match.typeGlob].filter((value) => value !== undefined);
  if (given.length > 1) problems.push(`${where}.match: set at most one of "type", "typePrefix", "typeGlob"`);
  if (match.type !== undefined) return (type: string | undefined) => type === match.type;
  if (match.typePrefix !== undefined) {
    const prefix = match.typePrefix;
    return (type: string | undefined) => type !== undefined && type.startsWith(prefix);
  }
  if (match.typeGlob !== undefined) {
    const glob = compileGlob(match.typeGlob);
    return (type: string | undefined) => type !== undefined && glob.test(type);
  }
  return () => true;
}

function compileWebhookRoute(
  route: z.output<typeof WebhookRouteSchema>,
  where: string,
  problems: string[],
): WebhookRoute {
  const { kind, operation } = routeKind(route, where, problems);
  const template = parseTemplate(route.workflowId, parseWebhookPath);
  if (!template.ok) problems.push(`${where}.workflowId: ${template.error}`);
  const conditions = Object.entries(route.match.fields ?? {}).flatMap(([text, condition]) => {
    const path = parseWebhookPath(text);
    if (!path.ok) {
      problems.push(`${where}.match.fields: ${path.error}`);
      return [];
    }
    return [{ path: path.path, holds: compileCondition(condition) }];
  });
  return {
    name: route.name,
    kind,
    operation,
    matchesType: compileTypeMatch(route.match, where, problems),
    conditions,
    workflowId: template.ok ? template.template : { source: route.workflowId, parts: [], fields: [] },
    payload: compileMapping(route.payload, `${where}.payload`, problems, parseWebhookPath),
    ...(route.startIfMissing === undefined ? {} : { startIfMissing: route.startIfMissing }),
  };
}

function compileValueSource(
  override: z.output<ReturnType<typeof idSourceSchema>> | undefined,
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

/** The document webhook field paths read: the parsed body and the lower-cased headers. */
export interface WebhookDocument {
  body: unknown;
  headers: Readonly<Record<string, string>>;
}

/** Reads a value source from the document; `digest` is supplied by the caller (it needs a hash). */
export function readValue(
  source: ValueSource,
  document: WebhookDocument,
  digest: string,
): string | undefined {
  if (source.kind === 'digest') return digest;
  if (source.kind === 'header') {
    const value = document.headers[source.name];
    if (value === undefined || value === '') return undefined;
    if (!source.actionField) return value;
    const action = lookupField(document, source.actionField);
    return action.found && typeof action.value === 'string' && action.value !== ''
      ? `${value}.${action.value}`
      : value;
  }
  const found = lookupField(document, source.path);
  if (!found.found) return undefined;
  if (typeof found.value === 'string') return found.value === '' ? undefined : found.value;
  return typeof found.value === 'number' && Number.isFinite(found.value) ? String(found.value) : undefined;
}
