/**
 * CloudEvents 1.0 in their JSON form (structured mode), as routes see them. HTTP requests are parsed
 * with the `cloudevents` library in an adapter and arrive here as this plain shape; queue messages
 * arrive as JSON and are checked here directly, so both ingress paths accept the same events. The
 * attributes' schema is core/checked-schemas.ts's `CloudEventSchema`, run as its generated check.
 */
import { cloudEvent } from './checks.generated.js';
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
  const checked = cloudEvent(value);
  if (!checked.ok) {
    const field = checked.issue.path || 'body';
    return fail(problem('invalid-request', `CloudEvent attribute ${field} ${checked.issue.message}.`, field));
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
