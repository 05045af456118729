/**
 * A validator as the functions run it: a plain function, generated at build or synth from a schema
 * (zod stays at build, at synth and in tests — never in a Lambda's init path). It answers the typed
 * value or the first thing wrong with it, at a dotted path, which the caller turns into its problem
 * document (core/field-validation.ts) exactly as it did with zod's first issue.
 */

/** Where a value fails its schema and why: the first issue, as zod's `issues[0]` reported it. */
export interface CheckIssue {
  /** Dotted path inside the value (`payload.items.0.sku`); empty for the value itself. */
  readonly path: string;
  /** What is wrong, phrased to follow the field name (`must be string`). */
  readonly message: string;
}

/** The checked value (defaults filled in) or the first issue. */
export type CheckResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issue: CheckIssue };

/** A generated validator. */
export type Check<T> = (value: unknown) => CheckResult<T>;
