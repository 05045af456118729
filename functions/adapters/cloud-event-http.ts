/**
 * CloudEvents over HTTP (the CloudEvents HTTP protocol binding), parsed with the `cloudevents`
 * library: structured mode (`application/cloudevents+json`, the event is the body) and binary mode
 * (`ce-*` headers, the body is the data). The result is the plain JSON form routes work on.
 *
 * The library is lenient where a gateway must not be: it invents an `id` and a `time` when they are
 * missing and does not validate what `HTTP.toEvent` returns. So required attributes are checked
 * here, the library's schema validation is run explicitly, and the event's own bytes (read once,
 * already verified by the auth layer) are parsed strictly by us.
 */
import type * as CloudEventsModule from 'cloudevents';
import type { CloudEvent, HTTP } from 'cloudevents';
import { parseCloudEventJson, type CloudEventJson } from '../core/cloud-event';
import { problem, type Problem } from '../core/problems';
import { fail, ok, type Result } from '../core/result';
import { decodeUtf8, isJsonMediaType, parseJsonText } from './http-body';

export type CloudEventMode = 'structured' | 'binary';

const STRUCTURED = 'application/cloudevents+json';
const BATCH = 'application/cloudevents-batch+json';
const REQUIRED_HEADERS = ['ce-specversion', 'ce-id', 'ce-source', 'ce-type'] as const;
/** Attributes the library keeps for CloudEvents 0.3 only, or always sets; never part of a 1.0 event. */
const LIBRARY_ONLY = new Set(['datacontentencoding', 'schemaurl', 'data', 'data_base64']);

type CloudEventsLibrary = typeof CloudEventsModule;
let library: Promise<CloudEventsLibrary> | undefined;
/**
 * The library (with its JSON-schema validator and big-number parser, ~70 KiB minified) is loaded
 * at the first CloudEvent, not at cold start: most functions never see one (code splitting, see
 * infra/lambda-handlers.ts).
 */
const loadLibrary = () =>
  (library ??= import('cloudevents').then((module) =>
    // cloudevents is CommonJS: Node's import() gives its named exports, a bundle's chunk only
    // `default` (module.exports itself).
    'CloudEvent' in module ? module : (module as { default: CloudEventsLibrary }).default,
  ));

const mediaTypeOf = (contentType: string | null) => contentType?.split(';')[0]?.trim().toLowerCase() ?? '';

/** The first schema error the library reports, as a field name and words a sender can act on. */
function libraryProblem(lib: CloudEventsLibrary, error: unknown, mode: CloudEventMode): Problem {
  const first = error instanceof lib.ValidationError ? (error.errors?.[0] as unknown) : undefined;
  let attribute = '';
  let message = error instanceof Error ? error.message.split('\n')[0] : 'invalid event';
  if (typeof first === 'object' && first !== null) {
    const {
      instancePath,
      params,
      message: text,
    } = first as {
      instancePath?: string;
      params?: { missingProperty?: string };
      message?: string;
    };
    attribute = params?.missingProperty ?? instancePath?.replace(/^\//, '') ?? '';
    message = text ?? message;
  }
  const field = attribute ? (mode === 'binary' ? `header.ce-${attribute}` : attribute) : 'body';
  return problem(
    'invalid-request',
    `Not a valid CloudEvent: ${attribute ? `${attribute} ` : ''}${message}.`,
    field,
  );
}

/** A problem about attribute `x` of a binary-mode event names the header it came from. */
function inHeaders(p: Problem): Problem {
  if (!p.field || p.field === 'body' || p.field.startsWith('data')) return p;
  return { ...p, field: `header.ce-${p.field}` };
}

/** `HTTP.toEvent` builds events without validating them; this runs the library's schema check. */
function validated(lib: CloudEventsLibrary, event: ReturnType<typeof HTTP.toEvent>): CloudEvent<unknown> {
  if (!(event instanceof lib.CloudEvent)) throw new lib.ValidationError('one event per request');
  const checked = event as CloudEvent<unknown>;
  checked.validate();
  return checked;
}

function structured(lib: CloudEventsLibrary, bytes: Uint8Array): Result<CloudEventJson> {
  if (bytes.length === 0)
    return fail(problem('invalid-request', 'The body is empty; send a CloudEvent.', 'body'));
  const text = decodeUtf8(bytes);
  if (!text.ok) return text;
  const json = parseJsonText(text.value);
  if (!json.ok) return json;
  const event = parseCloudEventJson(json.value);
  if (!event.ok) return event;
  try {
    validated(lib, lib.HTTP.toEvent({ headers: { 'content-type': STRUCTURED }, body: event.value }));
  } catch (error) {
    return fail(libraryProblem(lib, error, 'structured'));
  }
  return event;
}

function binaryData(headers: Headers, bytes: Uint8Array): Result<unknown> {
  if (bytes.length === 0) return ok(undefined);
  const contentType = headers.get('content-type');
  const text = decodeUtf8(bytes);
  // No Content-Type means no datacontenttype, which the JSON event format reads as JSON; SDKs (the
  // Python one by default) send binary events that way.
  if (contentType === null || isJsonMediaType(contentType)) return text.ok ? parseJsonText(text.value) : text;
  if (mediaTypeOf(contentType).startsWith('text/')) return text;
  return fail(
    problem(
      'unsupported-media-type',
      'Binary-mode event data must be JSON (Content-Type application/json) or text.',
      'header.content-type',
    ),
  );
}

function binary(lib: CloudEventsLibrary, headers: Headers, bytes: Uint8Array): Result<CloudEventJson> {
  const missing = REQUIRED_HEADERS.find((name) => !headers.get(name));
  if (missing) {
    return fail(
      problem(
        'invalid-request',
        `A binary-mode CloudEvent needs the ${missing} header.`,
        `header.${missing}`,
      ),
    );
  }
  const message: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (name.startsWith('ce-') || name === 'content-type') message[name] = value;
  });
  let attributes: Record<string, unknown>;
  try {
    attributes = { ...validated(lib, lib.HTTP.toEvent({ headers: message, body: undefined })) };
  } catch (error) {
    return fail(libraryProblem(lib, error, 'binary'));
  }
  const data = binaryData(headers, bytes);
  if (!data.ok) return data;
  const json: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && !LIBRARY_ONLY.has(name)) json[name] = value;
  }
  // The library replaces a missing or unparsable ce-time with "now"; the event's own value counts.
  delete json.time;
  const time = headers.get('ce-time');
  if (time) json.time = time;
  if (data.value !== undefined) json.data = data.value;
  const event = parseCloudEventJson(json);
  return event.ok ? event : fail(inHeaders(event.problem));
}

/** Reads one CloudEvent from an HTTP request's headers and body bytes. */
export async function readCloudEvent(
  headers: Headers,
  bytes: Uint8Array,
): Promise<Result<{ mode: CloudEventMode; event: CloudEventJson }>> {
  const mediaType = mediaTypeOf(headers.get('content-type'));
  const withMode = (mode: CloudEventMode, result: Result<CloudEventJson>) =>
    result.ok ? ok({ mode, event: result.value }) : result;
  if (mediaType === BATCH) {
    return fail(
      problem(
        'unsupported-media-type',
        'Batched CloudEvents are not supported; send one event per request.',
        'header.content-type',
      ),
    );
  }
  if (mediaType === STRUCTURED) return withMode('structured', structured(await loadLibrary(), bytes));
  if (REQUIRED_HEADERS.some((name) => headers.has(name)))
    return withMode('binary', binary(await loadLibrary(), headers, bytes));
  return fail(
    problem(
      'unsupported-media-type',
      'Send a CloudEvent: Content-Type application/cloudevents+json (structured mode), or the ce-specversion, ce-id, ce-source and ce-type headers (binary mode).',
      'header.content-type',
    ),
  );
}
