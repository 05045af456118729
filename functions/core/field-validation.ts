/** One request field checked against its schema, refused as a 400 problem that names the field. */
import type * as z from 'zod';
import { problem } from './problems';
import { fail, ok, type Result } from './result';

/** The first issue zod found (the one a problem reports) and the path it is at. */
export function firstIssue(error: z.ZodError): { message: string; path: string } {
  const issue = error.issues[0];
  return { message: issue?.message ?? 'invalid', path: issue?.path.join('.') ?? '' };
}

/** The parsed value, or a 400 `invalid-request` naming `field` and what is wrong with it. */
export function validateField<T>(schema: z.ZodType<T>, value: unknown, field: string): Result<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return ok(parsed.data);
  return fail(problem('invalid-request', `${field} ${firstIssue(parsed.error).message}`, field));
}
