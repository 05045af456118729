/**
 * The two small languages of a route: field paths into a CloudEvent (`data.order.id`, `subject`) and
 * workflow-ID templates (`staged-{data.workflowKey}`). Parsed once at start-up, evaluated per event.
 * Lookups follow own properties only, so `constructor` or `__proto__` in a path never reaches
 * Object.prototype.
 */
import { problem } from './problems';
import { fail, ok, type Result } from './result';

/** One path segment: a JSON key (or an array index) of plain identifier characters. */
const SEGMENT = /^[A-Za-z0-9_-]{1,64}$/;
/** CloudEvent attribute names are lower-case letters and digits (CloudEvents 1.0 §3.1.1). */
const ROOT = /^(?:data|[a-z0-9]{1,20})$/;

export type FieldPath = readonly string[];

/** A path as written in configuration, e.g. `data.workflowKey`; the error says what is wrong. */
export function parseFieldPath(text: string): { ok: true; path: FieldPath } | { ok: false; error: string } {
  const segments = text.split('.');
  const [root] = segments;
  if (root === undefined || !ROOT.test(root)) {
    return {
      ok: false,
      error: `"${text}" must start with "data" or a CloudEvent attribute (lower-case letters and digits)`,
    };
  }
  const bad = segments.find((segment) => !SEGMENT.test(segment));
  if (bad !== undefined) {
    return {
      ok: false,
      error: `"${text}" has an empty or invalid segment "${bad}" (use letters, digits, _ -)`,
    };
  }
  return { ok: true, path: segments };
}

export const formatFieldPath = (path: FieldPath): string => path.join('.');

export type Lookup = { found: true; value: unknown } | { found: false };

/** The value at `path` in `source`; arrays are indexed by numeric segments. */
export function lookupField(source: unknown, path: FieldPath): Lookup {
  let current: unknown = source;
  for (const segment of path) {
    if (Array.isArray(current)) {
      if (!/^(?:0|[1-9][0-9]*)$/.test(segment)) return { found: false };
      const index = Number(segment);
      if (index >= current.length) return { found: false };
      current = current[index];
    } else if (typeof current === 'object' && current !== null && Object.hasOwn(current, segment)) {
      current = (current as Record<string, unknown>)[segment];
    } else {
      return { found: false };
    }
  }
  return current === undefined ? { found: false } : { found: true, value: current };
}

/** A value as it may appear inside a workflow ID: text, a finite number or a boolean, never empty. */
function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.length > 0 ? value : undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value === 'boolean') return String(value);
  return undefined;
}

export type TemplatePart = { literal: string } | { field: FieldPath };

export interface Template {
  readonly source: string;
  readonly parts: readonly TemplatePart[];
  readonly fields: readonly FieldPath[];
}

/** Turns a path as written into segments; CloudEvent routes and webhook routes differ in their roots. */
export type FieldPathParser = (text: string) => { ok: true; path: FieldPath } | { ok: false; error: string };

/**
 * Parses `prefix-{path}-suffix`. Braces only delimit fields: workflow IDs with literal braces are
 * not expressible, which keeps the syntax free of escapes.
 */
export function parseTemplate(
  text: string,
  parsePath: FieldPathParser = parseFieldPath,
): { ok: true; template: Template } | { ok: false; error: string } {
  const parts: TemplatePart[] = [];
  const pattern = /\{([^{}]*)\}/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    const literal = text.slice(last, match.index);
    if (/[{}]/.test(literal)) return { ok: false, error: `"${text}" has an unbalanced brace` };
    if (literal) parts.push({ literal });
    const parsed = parsePath(match[1] ?? '');
    if (!parsed.ok) return { ok: false, error: `placeholder {${match[1] ?? ''}}: ${parsed.error}` };
    parts.push({ field: parsed.path });
    last = match.index + match[0].length;
  }
  const tail = text.slice(last);
  if (/[{}]/.test(tail)) return { ok: false, error: `"${text}" has an unbalanced brace` };
  if (tail) parts.push({ literal: tail });
  const fields = parts.flatMap((part) => ('field' in part ? [part.field] : []));
  return { ok: true, template: { source: text, parts, fields } };
}

/**
 * The template filled from the event; a missing, empty or non-scalar field is a 422 naming it.
 * `format` names a field in the problem as the route's author wrote it.
 */
export function renderTemplate(
  template: Template,
  event: unknown,
  format: (path: FieldPath) => string = formatFieldPath,
): Result<string> {
  let text = '';
  for (const part of template.parts) {
    if ('literal' in part) {
      text += part.literal;
      continue;
    }
    const name = format(part.field);
    const found = lookupField(event, part.field);
    if (!found.found) {
      return fail(
        problem('event-field-missing', `The event has no field ${name}, which the workflow ID needs.`, name),
      );
    }
    const value = scalarText(found.value);
    if (value === undefined) {
      return fail(
        problem(
          'event-field-missing',
          `The field ${name} must be a non-empty string, a number or a boolean to form a workflow ID.`,
          name,
        ),
      );
    }
    text += value;
  }
  return ok(text);
}

/** The template with every field replaced by `sample`: a stand-in ID for checks at start-up. */
export function sampleTemplate(template: Template, sample: string): string {
  return template.parts.map((part) => ('literal' in part ? part.literal : sample)).join('');
}
