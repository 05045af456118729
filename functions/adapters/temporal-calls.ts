import { fromPayload, toPayload } from './temporal-wire/payloads';
import type { WirePayloads } from './temporal-wire/types';

export const DEFAULT_TEMPORAL_DEADLINE_MS = 5_000;

/** The absolute deadline (ms since the epoch) of a call, or of an exchange of calls, starting now. */
export function deadlineIn(deadlineMs: number): number {
  return Date.now() + deadlineMs;
}

export { toPayload };

export function toPayloads(...values: unknown[]): WirePayloads {
  return { payloads: values.map(toPayload) };
}

export function fromPayloads(payloads: WirePayloads | null | undefined): unknown {
  const first = payloads?.payloads?.[0];
  return first ? fromPayload(first) : null;
}

export function identity(): string {
  return `event-gateway@${process.env.AWS_LAMBDA_FUNCTION_NAME ?? process.pid}`;
}
