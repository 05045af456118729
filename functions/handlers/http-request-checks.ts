/**
 * The request parts a route checks before its handler acts — path parameters, the
 * `Idempotency-Key` header, a JSON body — by the `Check` functions generated at build from
 * http-checked-schemas.ts. A part that fails ends the request with 400 `invalid-request` naming the
 * first offending field (`path.workflowId`, `header.idempotency-key`, `json.receivedAt`), as the
 * OpenAPI runtime's validators did.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Check } from '../core/check';
import { problem } from '../core/problems';
import { problemResponse } from '../adapters/http-problem';
import * as checks from './checks.generated.js';

export { checks };

/** Where a checked value came from, as the problem's `field` names it. */
export type RequestPart = 'path' | 'header' | 'json';

/**
 * The value `check` accepts, else the 400 that names the first offending field (thrown). `instance`
 * is the path the problem points at: a callback path's token (a capability) redacted.
 */
export function checked<T>(check: Check<T>, part: RequestPart, value: unknown, instance: string): T {
  const result = check(value);
  if (result.ok) return result.value;
  const field = result.issue.path === '' ? part : `${part}.${result.issue.path}`;
  const res = problemResponse(
    problem('invalid-request', `${field}: ${result.issue.message}`, field),
    instance,
  );
  throw new HTTPException(400, { res });
}

/** The path parameters of the matched route, checked. */
export const checkedParams = <T>(c: Context, check: Check<T>, instance = c.req.path): T =>
  checked(check, 'path', c.req.param(), instance);

/**
 * The `Idempotency-Key` header, checked. Only the header checked is passed, not all of them: the
 * check ignores the others, and building the whole record costs every request.
 */
export function checkedIdempotencyKey(c: Context): string | undefined {
  const key = c.req.header('idempotency-key');
  if (key === undefined) return undefined;
  return checked(checks.idempotencyHeaders, 'header', { 'idempotency-key': key }, c.req.path)[
    'idempotency-key'
  ];
}
