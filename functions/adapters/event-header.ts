/**
 * The Temporal header every delivery carries: the event id (and where it came from), so the
 * workflow — through the dedupe interceptor — can skip an event it already applied even when
 * Temporal's request-id dedupe cannot (after a reset, in a continued-as-new run) — and the trace
 * context of the call, so the worker's OpenTelemetry interceptors continue the request's trace.
 */
import type { temporal } from '@temporalio/proto';
import { TEMPORAL_HEADERS } from '../../contract/temporal-headers';
import { TEMPORAL_TRACE_HEADER } from '../core/trace-context';
import { currentTraceContext } from './tracing';
// The lean client's converter: the same bytes as the SDK's, without loading @temporalio/common.
import { toPayload } from './temporal-wire/payloads';

/** `temporal.api.common.v1.Header` for an event: each value one JSON payload. */
export function eventHeader(event: {
  eventId: string;
  suppliedId?: string;
  source?: string;
}): temporal.api.common.v1.IHeader {
  const fields: Record<string, temporal.api.common.v1.IPayload> = {
    [TEMPORAL_HEADERS.eventId]: toPayload(event.eventId),
  };
  // Only for a namespaced id: lets the interceptor match histories that recorded it bare.
  if (event.suppliedId !== undefined && event.suppliedId !== event.eventId) {
    fields[TEMPORAL_HEADERS.suppliedEventId] = toPayload(event.suppliedId);
  }
  if (event.source !== undefined) {
    fields[TEMPORAL_HEADERS.source] = toPayload(event.source);
  }
  // The call's trace context, as @temporalio/interceptors-opentelemetry's client interceptor writes
  // it: the worker's inbound interceptor parents the signal's (update's, run's) span on it.
  const trace = currentTraceContext();
  if (trace) fields[TEMPORAL_TRACE_HEADER] = toPayload({ ...trace });
  return { fields };
}
