/**
 * Reads a JSON request body strictly: JSON media types only, valid UTF-8, valid JSON. The size
 * limit is enforced earlier by the body-limit middleware (413).
 */
import { problem } from '../core/problems';
import { fail, ok, type Result } from '../core/result';

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json$/i;

export function isJsonMediaType(contentType: string | undefined): boolean {
  const mediaType = contentType?.split(';')[0]?.trim() ?? '';
  return JSON_MEDIA_TYPE.test(mediaType);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export async function readJsonBody(request: Request): Promise<Result<unknown>> {
  const bytes = new Uint8Array(await request.arrayBuffer());
  const contentType = request.headers.get('content-type') ?? undefined;
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
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return fail(problem('invalid-json', 'The body is not valid UTF-8.', 'body'));
  }
  try {
    return ok(JSON.parse(text));
  } catch (error) {
    return fail(problem('invalid-json', `The body is not valid JSON: ${(error as Error).message}`, 'body'));
  }
}
