/**
 * CloudEvents 1.0 in their JSON form (structured mode), as routes see them. HTTP requests are parsed
 * with the `cloudevents` library in an adapter and arrive here as this plain shape; queue messages
 * arrive as JSON and are checked here directly, so both ingress paths accept the same events.
 */
import * as z from 'zod';
import { problem } from './problems';
import { fail, ok, type Result } from './result';

/** An event's attributes and data. Extension attributes sit beside the standard ones. */
export interface CloudEventJson {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject?: string;
  time?: string;
  datacontenttype?: string;
  dataschema?: string;
  data?: unknown;
  data_base64?: string;
  [extension: string]: unknown;
}

const STANDARD_ATTRIBUTES = new Set([
  'specversion',
  'id',
  'source',
  'type',
  'subject',
  'time',
  'datacontenttype',
  'dataschema',
  'data',
  'data_base64',
]);

const nonEmpty = z.string().min(1, 'must be a non-empty string');

/** The attributes every event is checked against; also the API document's CloudEvent schema. */
export const CloudEventSchema = z.looseObject({
  specversion: z.literal('1.0', 'must be "1.0"'),
  id: nonEmpty,
  source: nonEmpty,
  type: nonEmpty,
  subject: nonEmpty.optional(),
  time: z.iso.datetime({ offset: true, message: 'must be an RFC 3339 timestamp' }).optional(),
  datacontenttype: nonEmpty.optional(),
  dataschema: nonEmpty.optional(),
  data_base64: z.string().optional(),
});

/** True when a JSON body claims to be a CloudEvent (it names a spec version); then it must be one. */
export function looksLikeCloudEvent(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.hasOwn(value, 'specversion')
  );
}

function extensionProblem(name: string, value: unknown): string | undefined {
  // The spec's 20-character limit is a SHOULD NOT for producers, not a rule for consumers (§ naming).
  if (!/^[a-z0-9]+$/.test(name)) {
    return `extension attribute "${name.slice(0, 40)}" must be lower-case letters or digits`;
  }
  const scalar =
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isInteger(value));
  return scalar ? undefined : `extension attribute "${name}" must be a string, an integer or a boolean`;
}

/** Checks a CloudEvent in JSON form; a problem names the offending attribute. */
export function parseCloudEventJson(value: unknown): Result<CloudEventJson> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail(problem('invalid-request', 'A CloudEvent must be a JSON object.', 'body'));
  }
  const parsed = CloudEventSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.map(String).join('.') || 'body';
    return fail(
      problem('invalid-request', `CloudEvent attribute ${field} ${issue?.message ?? 'is invalid'}.`, field),
    );
  }
  const event = value as Record<string, unknown>;
  if (Object.hasOwn(event, 'data') && event.data_base64 !== undefined) {
    return fail(
      problem('invalid-request', 'A CloudEvent carries data or data_base64, not both.', 'data_base64'),
    );
  }
  for (const [name, attribute] of Object.entries(event)) {
    if (STANDARD_ATTRIBUTES.has(name)) continue;
    const message = extensionProblem(name, attribute);
    if (message) return fail(problem('invalid-request', `CloudEvent ${message}.`, name.slice(0, 40)));
  }
  return ok(event as CloudEventJson);
}
