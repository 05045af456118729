/**
 * Workflow log lines about an event carry its event id and trace id (issue 29): while a signal or an
 * update the gateway sent is handled, every `log` call of the workflow gets `eventId` (the gateway's
 * event header) and `traceId` (of the W3C `traceparent` in the `_tracer-data` header the gateway
 * writes, as `@temporalio/interceptors-opentelemetry` does). Nothing else of the event: never a body.
 * Sandbox-safe: imports only `@temporalio/workflow` and the dependency-free contract.
 */
import {
  AsyncLocalStorage,
  defaultPayloadConverter,
  type GetLogAttributesInput,
  type Headers,
  type Next,
  type SignalInput,
  type UpdateInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import { TEMPORAL_HEADERS } from '../../contract/temporal-headers';

/** The header `@temporalio/interceptors-opentelemetry` reads (and the gateway writes): `{ traceparent }`. */
const TRACE_HEADER = '_tracer-data';
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

interface EventLogFields {
  eventId?: string;
  traceId?: string;
}

function headerValue(headers: Headers, key: string): unknown {
  const payload = headers[key];
  if (!payload) return undefined;
  try {
    return defaultPayloadConverter.fromPayload(payload);
  } catch {
    // A header someone else wrote with another encoding is not ours to fail on.
    return undefined;
  }
}

/** The event id and trace id the headers carry, as far as they do. */
export function eventLogFields(headers: Headers): EventLogFields {
  const eventId = headerValue(headers, TEMPORAL_HEADERS.eventId);
  const trace = headerValue(headers, TRACE_HEADER) as { traceparent?: unknown } | undefined;
  const traceparent = typeof trace?.traceparent === 'string' ? trace.traceparent : '';
  const traceId = TRACEPARENT.exec(traceparent)?.[1];
  return {
    ...(typeof eventId === 'string' && eventId.length > 0 ? { eventId } : {}),
    ...(traceId ? { traceId } : {}),
  };
}

/** The fields of the event being handled, shared by one workflow's inbound and outbound interceptors. */
export class EventLogContext {
  private readonly storage = new AsyncLocalStorage<EventLogFields>();

  /** Runs a handler with its event's fields in scope (its synchronous part and what it awaits). */
  run<T>(headers: Headers, handle: () => T): T {
    const fields = eventLogFields(headers);
    return Object.keys(fields).length > 0 ? this.storage.run(fields, handle) : handle();
  }

  readonly inbound: WorkflowInboundCallsInterceptor = {
    handleSignal: (input: SignalInput, next: Next<WorkflowInboundCallsInterceptor, 'handleSignal'>) =>
      this.run(input.headers, () => next(input)),
    handleUpdate: (input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'handleUpdate'>) =>
      this.run(input.headers, () => next(input)),
  };

  readonly outbound: WorkflowOutboundCallsInterceptor = {
    getLogAttributes: (
      input: GetLogAttributesInput,
      next: Next<WorkflowOutboundCallsInterceptor, 'getLogAttributes'>,
    ) => next({ ...input, ...this.storage.getStore() }),
  };
}
