/** Problems on the HTTP wire: RFC 9457 `application/problem+json`. */
import { PROBLEMS, problemTypeUri, type Problem } from '../core/problems';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Seconds a client should wait before retrying when neither Temporal nor the queue took the event. */
export const RETRY_AFTER_SECONDS = 5;

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  field?: string;
  instance?: string;
}

export function problemDocument(p: Problem, instance?: string): ProblemDocument {
  const { status, title } = PROBLEMS[p.code];
  return {
    type: problemTypeUri(p.code),
    title,
    status,
    detail: p.detail,
    ...(p.field === undefined ? {} : { field: p.field }),
    ...(instance === undefined ? {} : { instance }),
  };
}

export function problemResponse(p: Problem, instance?: string): Response {
  const doc = problemDocument(p, instance);
  const headers = new Headers({ 'content-type': PROBLEM_CONTENT_TYPE });
  if (doc.status === 503) headers.set('retry-after', String(RETRY_AFTER_SECONDS));
  return new Response(JSON.stringify(doc), { status: doc.status, headers });
}
