/**
 * Recognising "the endpoint is not there" among the errors fetch and the AWS SDK throw: they wrap
 * the socket error differently (fetch in `cause`, Node's happy-eyeballs connect in an
 * AggregateError, the SDK directly), so the whole chain is searched.
 */

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/** Error names of a call that got no answer in time (fetch's AbortSignal.timeout, the SDK's handler). */
const TIMEOUT_NAMES = new Set(['TimeoutError', 'RequestTimeout']);

/** The socket-level code (e.g. `ECONNREFUSED`, `timeout`) if the error means nothing answered. */
export function unreachableReason(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const current = queue.shift();
    if (!(current instanceof Error) || seen.has(current)) continue;
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return code;
    if (TIMEOUT_NAMES.has(current.name)) return 'timeout';
    queue.push(current.cause);
    if (current instanceof AggregateError) queue.push(...(current.errors as unknown[]));
  }
  return undefined;
}
