/**
 * Webhook field paths read the signed request: `data.object.id` (a body field; `body` alone is the
 * whole body, `body.x` spells a body field named like a root) or `headers.x-name`. Parsed once at
 * start-up; read per event for a source's event id and type and for its routes.
 */
import type { ValueSource } from './gateway-config-model';
import { lookupField, type FieldPath } from './route-expressions';

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
