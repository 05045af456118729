/**
 * The catalogue of everything that can go wrong with an event, as data. Core code returns these
 * codes; adapters decide what they mean on their wire (an HTTP status, a DLQ reason, a retry).
 */

export const PROBLEMS = {
  'invalid-json': { status: 400, title: 'Malformed JSON', retryable: false },
  'invalid-request': { status: 400, title: 'Request does not match the schema', retryable: false },
  unauthenticated: { status: 401, title: 'Missing or invalid credentials', retryable: false },
  'target-not-declared': { status: 403, title: 'Workflow is not a declared target', retryable: false },
  'operation-not-allowed': { status: 403, title: 'Operation not declared for this target', retryable: false },
  'workflow-not-found': { status: 404, title: 'Workflow not found', retryable: false },
  'route-not-found': { status: 404, title: 'No such endpoint', retryable: false },
  'method-not-allowed': { status: 405, title: 'Method not allowed', retryable: false },
  'workflow-closed': { status: 409, title: 'Workflow already closed', retryable: false },
  'payload-too-large': { status: 413, title: 'Body too large', retryable: false },
  'unsupported-media-type': { status: 415, title: 'Body must be JSON', retryable: false },
  'no-matching-route': { status: 422, title: 'No route matches the event', retryable: false },
  'event-field-missing': { status: 422, title: 'The event lacks a field its route needs', retryable: false },
  'update-rejected': { status: 422, title: 'The workflow rejected the update', retryable: false },
  'temporal-rejected': { status: 422, title: 'Temporal rejected the request', retryable: false },
  'temporal-unavailable': { status: 503, title: 'Temporal is unavailable', retryable: true },
  'deadline-exceeded': { status: 504, title: 'The workflow did not answer in time', retryable: true },
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

export function isRetryable(code: ProblemCode): boolean {
  return PROBLEMS[code].retryable;
}

/** The `type` URI of a problem document (RFC 9457 §3.1.1): stable, documented in the README. */
export function problemTypeUri(code: ProblemCode): string {
  return `https://temporal-event-gateway.dev/problems/${code}`;
}
