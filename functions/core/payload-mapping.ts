/**
 * A route's payload mapping: the argument it passes the workflow, built from the event — one field
 * (maybe the whole document) or an object of fields, constants and fields with defaults. Compiled
 * at start-up; applied per event, with problems that name the event's fields as the route's author
 * wrote them.
 */
import type { PayloadConstant, PayloadDefault, PayloadMapping, RouteDelivery } from './gateway-config-model';
import { problem, type Problem } from './problems';
import { fail, ok, type Result } from './result';
import { lookupField, parseFieldPath, type FieldPath, type FieldPathParser } from './route-expressions';

/** A mapping's value as configured: a field path, a constant or a path with a default. */
export type PayloadSourceConfig = string | PayloadConstant | { path: string; default: unknown };

type PayloadSource = FieldPath | PayloadConstant | PayloadDefault;

// `Array.isArray` does not narrow a readonly array, hence the explicit guards.
const isPath = (source: PayloadSource): source is FieldPath => Array.isArray(source);
const isConstant = (source: PayloadSource): source is PayloadConstant => !isPath(source) && 'value' in source;
const pathOf = (source: FieldPath | PayloadDefault): FieldPath => (isPath(source) ? source : source.path);

/** How a problem names an event field: as the route's author writes a path. */
export type PathFormat = (path: FieldPath) => string;

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

/**
 * The argument an event gives a route. A mapped field the event lacks takes its default, else is
 * left out and listed in `missing`: the operation's schema decides whether the argument may go
 * without it (see {@link missingRequiredField}). A whole-document mapping has no such choice.
 */
export function mapPayload(
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
export function missingRequiredField(
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
export function eventField(route: RouteDelivery, p: Problem, format: PathFormat): Problem {
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
