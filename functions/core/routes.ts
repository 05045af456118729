/**
 * Declarative routes: which CloudEvents go to which workflow, as which signal or update, with which
 * argument. Senders know business keys (an order id), not workflow IDs; a route builds the ID from
 * the event and the target it resolves to decides what is allowed, exactly as for a direct signal.
 */
import * as z from 'zod';
import { parseCloudEventJson, type CloudEventJson } from './cloud-event';
import {
  checkOperation,
  EventIdSchema,
  OperationNameSchema,
  resolveTarget,
  validateField,
  declaredOperation,
  type OperationKind,
  type SignalCommand,
  type StartCommand,
  type UpdateCommand,
} from './commands';
import { namespaceEventId, type EventIdEntry } from './event-ids';
import type { GatewayConfig, Target } from './gateway-config';
import { problem, type Problem } from './problems';
import { fail, ok, type Result } from './result';
import {
  formatFieldPath,
  lookupField,
  parseFieldPath,
  parseTemplate,
  renderTemplate,
  sampleTemplate,
  type FieldPath,
  type FieldPathParser,
  type Template,
} from './route-expressions';

/** A mapped field with the value to pass when the event lacks it: `{ "path": "data.currency", "default": "EUR" }`. */
export const PayloadDefaultSchema = z.lazy(() =>
  z.strictObject({ path: z.string().min(1), default: z.json() }),
);

// Built at the first validation (z.lazy): a cold start compiling a validated configuration never builds it.
export const RouteSchema = z.lazy(() =>
  z.strictObject({
    /** Names the route in responses and logs. */
    name: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1-64 letters, digits, _ . : -'),
    match: z.strictObject({
      /** The event `type`, exactly. */
      type: z.string().min(1).optional(),
      /** Or a prefix of the event `type`, e.g. `com.example.payment.`. */
      typePrefix: z.string().min(1).optional(),
      /** The event `source`, exactly; absent = any source. */
      source: z.string().min(1).optional(),
    }),
    /** Workflow-ID template, e.g. `staged-{data.workflowKey}`. */
    workflowId: z.string().min(1),
    /** The signal to send; set this or `update`. */
    signal: OperationNameSchema.optional(),
    /** The update to run; set this or `signal`. */
    update: OperationNameSchema.optional(),
    /** `true`: start the workflow with the mapped input (its target must declare `start`). */
    start: z.literal(true).optional(),
    /**
     * The argument: a field path (`data`, the default, passes the whole data) or an object whose
     * values are field paths, e.g. `{ "stage": "data.stage" }`, or a path with a default for an event
     * without it, e.g. `{ "currency": { "path": "data.currency", "default": "EUR" } }`. A field the
     * event lacks (and no default) is left out when the operation's schema makes it optional.
     */
    payload: z
      .union([z.string(), z.record(z.string().min(1), z.union([z.string(), PayloadDefaultSchema]))])
      .default('data'),
    /** Overrides the target's `startIfMissing` for events on this route. */
    startIfMissing: z.boolean().optional(),
  }),
);

export type RouteConfig = z.output<typeof RouteSchema>;

/** The argument a route passes: one field (maybe the whole document) or an object of fields. */
export type PayloadMapping =
  { whole: FieldPath } | { fields: ReadonlyMap<string, FieldPath | PayloadConstant | PayloadDefault> };

/** A fixed value in a payload mapping (webhook routes), e.g. `{ "stage": { "value": 1 } }`. */
export interface PayloadConstant {
  value: unknown;
}

/** A mapped field and the value passed when the event lacks it. */
export interface PayloadDefault {
  path: FieldPath;
  default: unknown;
}

/** A mapping's value as configured: a field path, a constant or a path with a default. */
export type PayloadSourceConfig = string | PayloadConstant | { path: string; default: unknown };

type PayloadSource = FieldPath | PayloadConstant | PayloadDefault;

// `Array.isArray` does not narrow a readonly array, hence the explicit guards.
const isPath = (source: PayloadSource): source is FieldPath => Array.isArray(source);
const isConstant = (source: PayloadSource): source is PayloadConstant => !isPath(source) && 'value' in source;
const pathOf = (source: FieldPath | PayloadDefault): FieldPath => (isPath(source) ? source : source.path);

/** What turns a matched event into a command; CloudEvent and webhook routes share it. */
export type RouteDelivery = Omit<Route, 'matches'>;

/** What a route does with an event: signal, update or start a workflow. */
export type RouteKind = Extract<OperationKind, 'signal' | 'update' | 'start'>;

/** The operation name a start route carries (starts have no name of their own). */
export const START_ROUTE_OPERATION = 'start';

/**
 * The kind and operation a route declares: exactly one of `signal`, `update` or `start: true`
 * (a problem otherwise). Webhook and CloudEvent routes share it.
 */
export function routeKind(
  route: { signal?: string | undefined; update?: string | undefined; start?: true | undefined },
  where: string,
  problems: string[],
): { kind: RouteKind; operation: string } {
  const set = [route.signal, route.update, route.start].filter((value) => value !== undefined);
  if (set.length !== 1) problems.push(`${where}: set exactly one of "signal", "update" or "start"`);
  if (route.update !== undefined) return { kind: 'update', operation: route.update };
  if (route.signal !== undefined) return { kind: 'signal', operation: route.signal };
  return route.start
    ? { kind: 'start', operation: START_ROUTE_OPERATION }
    : { kind: 'signal', operation: '' };
}

/** A route ready to use: its match, template and mapping compiled. */
export interface Route {
  name: string;
  kind: RouteKind;
  operation: string;
  matches: (event: CloudEventJson) => boolean;
  workflowId: Template;
  payload: PayloadMapping;
  startIfMissing?: boolean;
}

/** One delivery an event produces; `target` carries the route's start-if-missing decision. */
export type RoutedCommand =
  | { route: string; kind: 'signal'; command: SignalCommand; target: Target }
  | { route: string; kind: 'update'; command: UpdateCommand; target: Target }
  | { route: string; kind: 'start'; command: StartCommand; target: Target };

/** Compiles a payload mapping, adding every bad path to `problems`. */
export function compileMapping(
  payload: string | Readonly<Record<string, PayloadSourceConfig>>,
  where: string,
  problems: string[],
  parsePath: FieldPathParser = parseFieldPath,
): PayloadMapping {
  const path = (text: string, at: string): FieldPath => {
    const parsed = parsePath(text);
    if (parsed.ok) return parsed.path;
    problems.push(`${at}: ${parsed.error}`);
    return [];
  };
  if (typeof payload === 'string') return { whole: path(payload, where) };
  return {
    fields: new Map(
      Object.entries(payload).map(([key, source]): [string, PayloadSource] => [
        key,
        typeof source === 'string'
          ? path(source, `${where}.${key}`)
          : 'path' in source
            ? { path: path(source.path, `${where}.${key}.path`), default: source.default }
            : source,
      ]),
    ),
  };
}

/** Compiles one route, adding every problem it has to `problems`. */
export function compileRoute(route: RouteConfig, index: number, problems: string[]): Route {
  const where = `routes[${index}]`;
  const { match } = route;
  if ((match.type === undefined) === (match.typePrefix === undefined)) {
    problems.push(`${where}.match: set exactly one of "type" or "typePrefix"`);
  }
  const { kind, operation } = routeKind(route, where, problems);
  const template = parseTemplate(route.workflowId);
  if (!template.ok) problems.push(`${where}.workflowId: ${template.error}`);
  return {
    name: route.name,
    kind,
    operation,
    matches: (event) =>
      (match.type === undefined || event.type === match.type) &&
      (match.typePrefix === undefined || event.type.startsWith(match.typePrefix)) &&
      (match.source === undefined || event.source === match.source),
    workflowId: template.ok ? template.template : { source: route.workflowId, parts: [], fields: [] },
    payload: compileMapping(route.payload, `${where}.payload`, problems),
    ...(route.startIfMissing === undefined ? {} : { startIfMissing: route.startIfMissing }),
  };
}

/** Values a business key commonly takes; a template filled with them stands in for real IDs. */
const SAMPLE_KEYS = ['1', 'a', 'A1', 'order-42', '6f1c2a9e-0b4d-4c8e-9a57-3d2b1e0f4c6a'];

/**
 * Start-up check that a route's operation is declared by the target its IDs resolve to. Decidable
 * only where sample IDs resolve to a target: a template whose samples match no target pattern is
 * not reported (real keys may still match), a constant ID that matches none is.
 */
export function checkRouteTarget(
  route: Pick<Route, 'workflowId' | 'kind' | 'operation'>,
  targets: readonly Target[],
  index: number | string,
  problems: string[],
) {
  const where = typeof index === 'number' ? `routes[${index}]` : index;
  const template = route.workflowId;
  // A route already reported as malformed (no operation, unparsable template) has nothing to check.
  if (template.parts.length === 0 || route.operation === '') return;
  const ids =
    template.fields.length === 0
      ? [template.source]
      : SAMPLE_KEYS.map((key) => sampleTemplate(template, key));
  const resolved = ids
    .map((id) => targets.find((target) => target.matches(id)))
    .filter((target): target is Target => target !== undefined);
  if (resolved.length === 0) {
    if (template.fields.length === 0) {
      problems.push(`${where}.workflowId: "${template.source}" matches no declared target`);
    }
    return;
  }
  const declares = (target: Target) => declaredOperation(target, route.kind, route.operation) !== undefined;
  if (!resolved.some(declares)) {
    const names = [...new Set(resolved.map((target) => `"${target.name}"`))].join(', ');
    problems.push(
      route.kind === 'start'
        ? `${where}.start: target ${names}, which workflow IDs like "${ids[0] ?? ''}" resolve to, declares no "start"`
        : `${where}.${route.kind}: "${route.operation}" is not declared by target ${names}, which workflow IDs like "${ids[0] ?? ''}" resolve to`,
    );
  }
}

/**
 * The argument an event gives a route. A mapped field the event lacks takes its default, else is
 * left out and listed in `missing`: the operation's schema decides whether the argument may go
 * without it (see {@link missingRequiredField}). A whole-document mapping has no such choice.
 */
function mapPayload(
  route: RouteDelivery,
  event: unknown,
  format: PathFormat,
): Result<{ argument: unknown; missing: ReadonlyMap<string, string> }> {
  const missing = new Map<string, string>();
  if ('whole' in route.payload) {
    const found = lookupField(event, route.payload.whole);
    if (found.found) return ok({ argument: found.value, missing });
    return fail(fieldMissing(route, format(route.payload.whole)));
  }
  const argument: Record<string, unknown> = {};
  for (const [key, source] of route.payload.fields) {
    if (isConstant(source)) {
      argument[key] = source.value;
      continue;
    }
    const found = lookupField(event, pathOf(source));
    if (found.found) argument[key] = found.value;
    else if (isPath(source)) missing.set(key, format(source));
    else argument[key] = source.default;
  }
  return ok({ argument, missing });
}

function fieldMissing(route: RouteDelivery, name: string, requiredBy?: string): Problem {
  return problem(
    'event-field-missing',
    `The event has no field ${name}, which route "${route.name}" passes to the workflow` +
      (requiredBy ? ` and ${requiredBy} requires.` : '.'),
    name,
  );
}

/**
 * When the schema refused an argument because a field the event lacked was left out, that is the
 * reason to report (the event's missing field), not the schema's wording about the argument.
 */
function missingRequiredField(
  route: RouteDelivery,
  refused: Problem,
  missing: ReadonlyMap<string, string>,
): Problem | undefined {
  const key = refused.field?.startsWith('body.')
    ? refused.field.slice('body.'.length).split('.')[0]
    : undefined;
  const name = key === undefined ? undefined : missing.get(key);
  return name === undefined ? undefined : fieldMissing(route, name, `the ${route.kind} "${route.operation}"`);
}

/** Renames a schema problem's `body.x` field to the event field the route took `x` from. */
function eventField(route: RouteDelivery, p: Problem, format: PathFormat): Problem {
  const rest = p.field?.startsWith('body') ? p.field.slice('body'.length).replace(/^\./, '') : undefined;
  if (rest === undefined) return p;
  const segments = rest === '' ? [] : rest.split('.');
  let field: string;
  if ('whole' in route.payload) {
    field = [format(route.payload.whole), ...segments].join('.');
  } else {
    const [key, ...tail] = segments;
    const source = key === undefined ? undefined : route.payload.fields.get(key);
    field =
      source && !isConstant(source)
        ? [format(pathOf(source)), ...tail].join('.')
        : `${route.name}.payload${rest ? `.${rest}` : ''}`;
  }
  return { ...p, field, detail: `Route "${route.name}": ${p.detail.replace(/^body[^:]*: /, `${field}: `)}` };
}

type PathFormat = (path: FieldPath) => string;

/**
 * One matched route applied to an event: its workflow ID rendered, its target resolved, its
 * argument mapped and checked. `format` names fields in problems as the route's author wrote them.
 */
export function routeToCommand(
  config: GatewayConfig,
  route: RouteDelivery,
  event: unknown,
  ids: { eventId: string; suppliedId?: string | undefined },
  format: PathFormat = formatFieldPath,
): Result<RoutedCommand> {
  const workflowId = renderTemplate(route.workflowId, event, format);
  if (!workflowId.ok) return workflowId;
  const target = resolveTarget(config, workflowId.value);
  if (!target.ok) {
    return fail({ ...target.problem, detail: `Route "${route.name}": ${target.problem.detail}` });
  }
  // An operation without arguments takes none, whatever the mapping (its default is the whole data).
  const takesNone = declaredOperation(target.value, route.kind, route.operation)?.arity === 'none';
  const mapped = takesNone
    ? ok({ argument: undefined, missing: new Map<string, string>() })
    : mapPayload(route, event, format);
  if (!mapped.ok) return mapped;
  const payload = checkOperation(target.value, route.kind, route.operation, mapped.value.argument);
  if (!payload.ok) {
    return fail(
      missingRequiredField(route, payload.problem, mapped.value.missing) ??
        eventField(route, payload.problem, format),
    );
  }
  const routedTarget =
    route.startIfMissing === undefined
      ? target.value
      : { ...target.value, startIfMissing: route.startIfMissing };
  const common = {
    workflowId: workflowId.value,
    payload: payload.value,
    eventId: ids.eventId,
    ...(ids.suppliedId === undefined ? {} : { suppliedId: ids.suppliedId }),
    source: route.name,
  };
  switch (route.kind) {
    case 'signal':
      return ok({
        route: route.name,
        kind: 'signal',
        command: { ...common, signal: route.operation },
        target: routedTarget,
      });
    case 'update':
      return ok({
        route: route.name,
        kind: 'update',
        command: { ...common, update: route.operation },
        target: routedTarget,
      });
    case 'start':
      return ok({ route: route.name, kind: 'start', command: common, target: routedTarget });
  }
}

/**
 * CloudEvent (JSON form) → the deliveries its matching routes produce, for HTTP and queue ingress
 * alike. All or nothing: when any matching route cannot use the event, the event is refused before
 * anything is delivered, so a sender fixes and resends it whole. Two routes that produce the same
 * workflow and operation collapse into the first (the event id would dedupe the second anyway).
 *
 * @param options.eventId an authenticated event id (e.g. a webhook id) that replaces the event's `id`.
 * @param options.namespace the entry point and caller the id is namespaced under (core/event-ids.ts);
 *   every ingress passes it, so a CloudEvent `id` never collides with a provider's event id.
 */
export function routeCloudEvent(
  config: GatewayConfig,
  input: unknown,
  options: { eventId?: string; namespace?: { entry: EventIdEntry; caller: string } } = {},
): Result<RoutedCommand[]> {
  const event = parseCloudEventJson(input);
  if (!event.ok) return event;
  const supplied = options.eventId ?? event.value.id;
  const ids = options.namespace
    ? namespaceEventId(config, { ...options.namespace, supplied, field: 'id' })
    : validateField(EventIdSchema, supplied, 'id');
  if (!ids.ok) return ids;
  const delivered = typeof ids.value === 'string' ? { eventId: ids.value } : ids.value;
  const matching = config.routes.filter((route) => route.matches(event.value));
  if (matching.length === 0) {
    return fail(
      problem(
        'no-matching-route',
        `No route matches an event of type "${event.value.type.slice(0, 200)}" from source "${event.value.source.slice(0, 200)}".`,
        'type',
      ),
    );
  }
  const routed: RoutedCommand[] = [];
  const seen = new Set<string>();
  for (const route of matching) {
    const result = routeToCommand(config, route, event.value, delivered);
    if (!result.ok) return result;
    const { kind, command } = result.value;
    const key = JSON.stringify([kind, command.workflowId, route.operation]);
    if (seen.has(key)) continue;
    seen.add(key);
    routed.push(result.value);
  }
  return ok(routed);
}
