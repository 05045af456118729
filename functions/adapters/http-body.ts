/**
 * Reads a JSON request body strictly: JSON media types only, valid UTF-8, valid JSON. The size
 * limit is enforced earlier by the body-limit middleware (413). The HTTP app reads the body bytes
 * once and hands the same bytes to the signature verifier and to `parseJsonBytes`.
 */
import { checkInputText } from '../core/input-limits';
import { problem } from '../core/problems';
import { fail, ok, type Result } from '../core/result';

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json$/i;

export function isJsonMediaType(contentType: string | undefined): boolean {
  const mediaType = contentType?.split(';')[0]?.trim() ?? '';
  return JSON_MEDIA_TYPE.test(mediaType);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Strict UTF-8: a body with invalid sequences is refused, never silently repaired. */
export function decodeUtf8(bytes: Uint8Array): Result<string> {
  try {
    return ok(utf8.decode(bytes));
  } catch {
    return fail(problem('invalid-json', 'The body is not valid UTF-8.', 'body'));
  }
}

/**
 * Parses JSON text within the gateway's input limits (core/input-limits; `maxBytes` where the entry
 * point takes more than the default); the problem names the body.
 */
export function parseJsonText(text: string, maxBytes?: number): Result<unknown> {
  const within = checkInputText(text, 'body', maxBytes);
  if (!within.ok) return within;
  try {
    return ok(JSON.parse(text));
  } catch (error) {
    return fail(problem('invalid-json', `The body is not valid JSON: ${(error as Error).message}`, 'body'));
  }
}

export function parseJsonBytes(
  bytes: Uint8Array,
  contentType: string | undefined,
  maxBytes?: number,
): Result<unknown> {
  if (bytes.length === 0) {
    return fail(problem('invalid-request', 'The body is empty; send a JSON value.', 'body'));
  }
  if (!isJsonMediaType(contentType)) {
    return fail(
      problem(
        'unsupported-media-type',
        `Content-Type must be application/json (got ${contentType ? `"${contentType.slice(0, 100)}"` : 'none'}).`,
        'header.content-type',
      ),
    );
  }
  const text = decodeUtf8(bytes);
  return text.ok ? parseJsonText(text.value, maxBytes) : text;
}

/** The one read of a request's body; Hono caches it, so every later read sees the same bytes. */
export async function bodyBytes(c: { req: { arrayBuffer(): Promise<ArrayBuffer> } }): Promise<Uint8Array> {
  return new Uint8Array(await c.req.arrayBuffer());
}
