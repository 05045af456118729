/**
 * One input limit for every entry point — signal, update, CloudEvent, webhook, callback and queue
 * message — checked on the raw JSON text before it is parsed into routes: the same size, the same
 * nesting depth and the same character rule everywhere, so a body one path refuses is never
 * delivered through another. (A 100,000-deep CloudEvent `data` or a 50,000-deep signed webhook body
 * would otherwise reach routing and the payload converter, which overflows its stack far earlier.)
 * A parsed argument is held to the same depth before it is delivered.
 */
import { problem } from './problems';
import { fail, ok, type Result } from './result';

/** Largest body any entry point takes, in UTF-8 bytes: room for any real event, small against Temporal's 2 MiB. */
export const MAX_INPUT_BYTES = 256 * 1024;

/**
 * Largest body the path-addressed workflow operations (signal, update, start) take when large
 * payloads go to S3 (`EVENT_GATEWAY_LARGE_PAYLOAD_BUCKET`): Temporal then carries a reference, and
 * the bound is what API Gateway → Lambda carries — 6 MB for a synchronous invocation, request event
 * included — less room for the event's headers and JSON escaping of the body.
 */
export const MAX_OFFLOADED_INPUT_BYTES = 6_000_000;

/**
 * Deepest nesting an argument may have. Real event payloads are shallow; a deep one is an attack or
 * a bug, and past a few thousand levels the Temporal payload converter overflows its stack — a local
 * error that must not be mistaken for a Temporal outage.
 */
export const MAX_ARGUMENT_DEPTH = 64;

/** Whether `value` nests arrays/objects deeper than `max`, checked without recursion. */
export function exceedsDepth(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return false;
}

/** 400 for an argument nested deeper than {@link MAX_ARGUMENT_DEPTH} (a stack-safety limit). */
export function checkArgumentDepth(argument: unknown): Result<unknown> {
  if (!exceedsDepth(argument, MAX_ARGUMENT_DEPTH)) return ok(argument);
  return fail(
    problem(
      'invalid-request',
      `body nests arrays or objects deeper than ${MAX_ARGUMENT_DEPTH} levels.`,
      'body',
    ),
  );
}

/** Deepest nesting of arrays and objects in any body: the same as a delivered argument's. */
export const MAX_INPUT_DEPTH = MAX_ARGUMENT_DEPTH;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The deepest bracket nesting of JSON text (strings skipped), stopping once past `limit`. */
function nestingDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

const utf8Length = (text: string): number => new TextEncoder().encode(text).length;

/**
 * Whether JSON text is within the gateway's input limits: at most `maxBytes` bytes
 * ({@link MAX_INPUT_BYTES} unless the entry point takes more), well-formed Unicode (no lone
 * surrogate), arrays and objects nested at most {@link MAX_INPUT_DEPTH} deep. The problem names
 * `field` (400, or 413 for the size).
 */
export function checkInputText(text: string, field = 'body', maxBytes = MAX_INPUT_BYTES): Result<string> {
  // Cheap bound first: a UTF-16 unit is at least one UTF-8 byte.
  if (text.length > maxBytes || (text.length * 3 > maxBytes && utf8Length(text) > maxBytes)) {
    return fail(problem('payload-too-large', `${field} exceeds ${maxBytes} bytes.`, field));
  }
  if (LONE_SURROGATE.test(text)) {
    return fail(problem('invalid-json', `${field} is not well-formed Unicode (a lone surrogate).`, field));
  }
  if (nestingDepth(text, MAX_INPUT_DEPTH) > MAX_INPUT_DEPTH) {
    return fail(
      problem(
        'invalid-request',
        `${field} nests arrays or objects deeper than ${MAX_INPUT_DEPTH} levels.`,
        field,
      ),
    );
  }
  return ok(text);
}
