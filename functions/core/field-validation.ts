/** One request field checked by its generated check, refused as a 400 problem that names the field. */
import type { Check, CheckIssue } from './check';
import { problem } from './problems';
import { fail, ok, type Result } from './result';

/** The dotted field a problem names: the issue's path under `root` (`body.payload.items.0`). */
export const issueField = (root: string, issue: CheckIssue): string =>
  [root, issue.path].filter((part) => part !== '').join('.') || root;

/** The checked value, or a 400 `invalid-request` naming `field` and what is wrong with it. */
export function validateField<T>(check: Check<T>, value: unknown, field: string): Result<T> {
  const checked = check(value);
  if (checked.ok) return ok(checked.value);
  return fail(problem('invalid-request', `${field} ${checked.issue.message}`, field));
}
