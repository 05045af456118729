/**
 * The catalogue of everything that can go wrong with an event, as data. Core code returns these
 * codes; adapters decide what they mean on their wire (an HTTP status, a DLQ reason, a retry).
 */

export const PROBLEMS = {
  'invalid-json': { status: 400, title: 'Malformed JSON' },
  'invalid-request': { status: 400, title: 'Request does not match the schema' },
  unauthenticated: { status: 401, title: 'Missing or invalid credentials' },
  'callback-invalid': { status: 401, title: 'Callback token is invalid' },
  // A queue message that claims to be gateway-made (a verified webhook, a queued signal) without
  // the gateway's seal: dead-lettered, never delivered.
  'unverified-envelope': { status: 401, title: 'Queue message was not made by the gateway' },
  'target-not-declared': { status: 403, title: 'Workflow is not a declared target' },
  'operation-not-allowed': { status: 403, title: 'Operation not declared for this target' },
  'origin-not-allowed': { status: 403, title: 'This origin may not call the codec server' },
  'workflow-not-found': { status: 404, title: 'Workflow not found' },
  'route-not-found': { status: 404, title: 'No such endpoint' },
  'source-not-found': { status: 404, title: 'No such webhook source' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'workflow-closed': { status: 409, title: 'Workflow already closed' },
  'workflow-running': { status: 409, title: 'Workflow already running, started by another event' },
  'callback-expired': { status: 410, title: 'Callback URL has expired' },
  'callback-spent': { status: 410, title: 'Callback step has completed' },
  'payload-too-large': { status: 413, title: 'Body too large' },
  'unsupported-media-type': { status: 415, title: 'Body must be JSON' },
  'reserved-event-id': { status: 422, title: 'The event id is reserved' },
  'no-matching-route': { status: 422, title: 'No route matches the event' },
  'event-field-missing': { status: 422, title: 'The event lacks a field its route needs' },
  'update-rejected': { status: 422, title: 'The workflow rejected the update' },
  'query-failed': { status: 422, title: "The workflow's query handler failed" },
  // The codec server's answer for a payload its codecs refuse (unknown key, corrupted): never garbage.
  'payload-undecodable': { status: 422, title: 'A payload cannot be decoded' },
  'temporal-rejected': { status: 422, title: 'Temporal rejected the request' },
  'temporal-unavailable': { status: 503, title: 'Temporal is unavailable' },
  // A target at Temporal's per-run signal or update limits: transient for that workflow, never 4xx.
  'workflow-busy': { status: 503, title: 'The workflow cannot take more events now' },
  'source-unavailable': { status: 503, title: 'The webhook source has no usable secret' },
  'queue-unavailable': { status: 503, title: 'The event could not be queued nor dead-lettered' },
  'codec-unavailable': { status: 503, title: 'The payload codec is unavailable (KMS or S3)' },
  'deadline-exceeded': { status: 504, title: 'The workflow did not answer in time' },
} as const;

export type ProblemCode = keyof typeof PROBLEMS;

/** One thing wrong with an event: which rule, in words a sender can act on, and where. */
export interface Problem {
  code: ProblemCode;
  detail: string;
  /** The offending field, as a JSON pointer-ish path (`body.stage`, `path.workflowId`, `header.content-type`). */
  field?: string;
}

export function problem(code: ProblemCode, detail: string, field?: string): Problem {
  return field === undefined ? { code, detail } : { code, detail, field };
}

/** The `type` URI of a problem document (RFC 9457 §3.1.1): stable, documented in the README. */
export function problemTypeUri(code: ProblemCode): string {
  return `https://temporal-event-gateway.dev/problems/${code}`;
}
