/**
 * Random trace and span ids for the gateway's trace scope (tracing.ts, with tracing off too) and its
 * spans (tracing-otel.ts), drawn from one pool: a call into the CSPRNG and a new buffer per id cost
 * ~6 µs; filling a pool of many ids at once and slicing hex out of it, ~0.4 µs.
 */
import { randomFillSync } from 'node:crypto';

/** Bytes of 128 trace ids (16 bytes) with their span ids (8 bytes), refilled when used up. */
const POOL_BYTES = 24 * 128;
const pool = Buffer.alloc(POOL_BYTES);
let used = POOL_BYTES;

/** `bytes` random bytes as lower-case hex, never all zero (an all-zero id is invalid in W3C trace context). */
function randomHex(bytes: number): string {
  if (used + bytes > POOL_BYTES) {
    randomFillSync(pool);
    used = 0;
  }
  const start = used;
  used += bytes;
  for (let at = start; at < used; at += 1) if (pool[at] !== 0) return pool.toString('hex', start, used);
  return randomHex(bytes);
}

/** A new 16-byte trace id, as 32 hex digits. */
export const newTraceId = (): string => randomHex(16);

/** A new 8-byte span id, as 16 hex digits. */
export const newSpanId = (): string => randomHex(8);
