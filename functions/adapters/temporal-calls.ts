import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';

export const DEFAULT_TEMPORAL_DEADLINE_MS = 5_000;

/** Runs one gRPC call under a deadline: a hung Temporal turns into DEADLINE_EXCEEDED, not a hung Lambda. */
export function withDeadline<T>(client: Client, deadlineMs: number, call: () => Promise<T>): Promise<T> {
  return client.connection.withDeadline(Date.now() + deadlineMs, call);
}

export function toPayloads(...values: unknown[]): temporal.api.common.v1.IPayloads {
  return { payloads: values.map((value) => defaultPayloadConverter.toPayload(value)) };
}

export function fromPayloads(payloads: temporal.api.common.v1.IPayloads | null | undefined): unknown {
  const first = payloads?.payloads?.[0];
  return first ? defaultPayloadConverter.fromPayload(first) : null;
}

export function identity(): string {
  return `event-gateway@${process.env.AWS_LAMBDA_FUNCTION_NAME ?? process.pid}`;
}
