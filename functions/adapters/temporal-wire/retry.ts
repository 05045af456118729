/**
 * Which failed calls are tried again inside their deadline, and after how long: the same rules as
 * `@temporalio/client`'s default gRPC retry interceptor (`grpc-retry.ts`), so moving the Lambdas off
 * the SDK does not change how a brief Temporal hiccup looks to a caller.
 */

/** gRPC status codes the SDK retries (INTERNAL only for the transient HTTP/2 cases below). */
const RETRYABLE = new Set([2, 8, 14, 10, 15, 11]); // UNKNOWN, RESOURCE_EXHAUSTED, UNAVAILABLE, ABORTED, DATA_LOSS, OUT_OF_RANGE
const INTERNAL = 13;
const RESOURCE_EXHAUSTED = 8;

export const MAX_ATTEMPTS = 10;

export interface RpcStatus {
  code: number;
  details: string;
}

export function isRetryableStatus({ code, details }: RpcStatus): boolean {
  if (code === INTERNAL) {
    // No grpc-status from a proxy, or a generic HTTP/2 protocol error (not a TLS alert).
    if (/RST_STREAM with code 0|Call ended without gRPC status/i.test(details)) return true;
    return /RST_STREAM with code 2/i.test(details) && !/SSL alert number/i.test(details);
  }
  return RETRYABLE.has(code);
}

/** Milliseconds before attempt `attempt + 1`: 100 ms × 1.7ⁿ (1 s base when throttled), ≤ 5 s, ±20 %. */
export function retryDelayMs(attempt: number, code: number, random: () => number = Math.random): number {
  const initial = code === RESOURCE_EXHAUSTED ? 1_000 : 100;
  return Math.min(5_000, 1.7 ** attempt * initial) * (0.8 + random() * 0.4);
}
