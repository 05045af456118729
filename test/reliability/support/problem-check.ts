/**
 * What "a problem+json that says what is wrong" means, checked the same way for the corpus and the
 * fuzzers: RFC 9457 media type, the required members, a status that matches the response, and a
 * detail a sender can act on.
 */

export interface ResponseLike {
  status: number;
  contentType: string | undefined;
  body: string;
}

/** Undefined when the response is a proper problem document, else what is wrong with it. */
export function problemDefect(response: ResponseLike): string | undefined {
  if (!/^application\/problem\+json\b/i.test(response.contentType ?? '')) {
    return `content-type is ${JSON.stringify(response.contentType)}, not application/problem+json`;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(response.body);
  } catch {
    return `the body is not JSON: ${response.body.slice(0, 200)}`;
  }
  if (typeof doc !== 'object' || doc === null) return 'the body is not a JSON object';
  const { type, title, status, detail } = doc as Record<string, unknown>;
  if (typeof type !== 'string' || type === '') return 'no type';
  if (typeof title !== 'string' || title === '') return 'no title';
  if (status !== response.status) return `status member ${String(status)} differs from ${response.status}`;
  if (typeof detail !== 'string' || detail.trim().length < 5) return `no useful detail: ${String(detail)}`;
  return undefined;
}

/** Tallies responses by status class, for the report. */
export class StatusTally {
  readonly byStatus: Record<string, number> = {};
  serverErrors = 0;
  problemDefects = 0;
  total = 0;

  add(status: number, defect?: string): void {
    this.total += 1;
    this.byStatus[status] = (this.byStatus[status] ?? 0) + 1;
    if (status >= 500) this.serverErrors += 1;
    if (defect) this.problemDefects += 1;
  }
}
