/**
 * zod schemas as `Check`s, for the paths that still build validators at run time: a configuration
 * validated in full (local stacks, an inline or edited GATEWAY_CONFIG, tests) and a callback token's
 * own body schema. Both load this module on demand (`import()`), so zod is never part of a Lambda's
 * init; a sealed configuration runs the checks the synth generated instead.
 */
import * as z from 'zod';
import type { Check } from './check';

/** A zod schema as a `Check`: the parsed value, or zod's first issue at its dotted path. */
export function zodCheck<T>(schema: z.ZodType<T>): Check<T> {
  return (value) => {
    const parsed = schema.safeParse(value);
    if (parsed.success) return { ok: true, value: parsed.data };
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      issue: { path: issue?.path.map(String).join('.') ?? '', message: issue?.message ?? 'invalid' },
    };
  };
}

/** The check of a JSON Schema, built by zod (`z.fromJSONSchema`); throws when it cannot be built. */
export const jsonSchemaCheck = (schema: Record<string, unknown>): Check<unknown> =>
  zodCheck(z.fromJSONSchema(schema));
