/**
 * TEMPORARY (issue 31): the HTTP checks as `Check` functions over the zod schemas, until
 * scripts/generate-validators.ts writes `checks.generated.js` beside http-checked-schemas.ts. Then
 * http-request-checks.ts imports that module and this one goes.
 */
import type * as z from 'zod';
import type { Check } from '../core/check';
import { HTTP_CHECKED_SCHEMAS, type HttpCheckedValues } from './http-checked-schemas';

const checkOf =
  <T>(schema: z.ZodType<T>): Check<T> =>
  (value) => {
    const parsed = schema.safeParse(value);
    if (parsed.success) return { ok: true, value: parsed.data };
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      issue: { path: issue?.path.join('.') ?? '', message: issue?.message ?? 'invalid' },
    };
  };

export const workflowParams = checkOf(HTTP_CHECKED_SCHEMAS.workflowParams);
export const signalParams = checkOf(HTTP_CHECKED_SCHEMAS.signalParams);
export const updateParams = checkOf(HTTP_CHECKED_SCHEMAS.updateParams);
export const queryParams = checkOf(HTTP_CHECKED_SCHEMAS.queryParams);
export const idempotencyHeaders = checkOf(HTTP_CHECKED_SCHEMAS.idempotencyHeaders);
export const callbackTokenParams = checkOf(HTTP_CHECKED_SCHEMAS.callbackTokenParams);
export const replayRequest: Check<HttpCheckedValues['replayRequest']> = checkOf(
  HTTP_CHECKED_SCHEMAS.replayRequest,
);
