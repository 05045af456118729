/**
 * Whether a workflow's latest run already applied an event, read from its history through the
 * event-id header the gateway writes on every start, signal and update (contract/temporal-headers.ts),
 * and the ids the dedupe interceptor carried into the run's start on continue-as-new. Used after
 * Temporal refused an event because the workflow closed: a retry of an applied event (a provider
 * retrying after a timeout) is a duplicate, not a failure.
 */
import { TEMPORAL_HEADERS } from '../../contract/temporal-headers';
import type { TemporalClientProvider } from './temporal-connection';
import { fromPayload } from './temporal-wire/payloads';
import type { WireHeader, WireHistoryEvent } from './temporal-wire/types';

/** Events read per page; a closed run's history is read once, only after a refusal. */
const PAGE_SIZE = 1000;

function headerValue(header: WireHeader | null | undefined, key: string): unknown {
  const payload = header?.fields?.[key];
  if (!payload) return undefined;
  try {
    return fromPayload(payload);
  } catch {
    // A header another client wrote in another encoding is not the gateway's.
    return undefined;
  }
}

function carriedIds(header: WireHeader | null | undefined): readonly unknown[] {
  const carried = headerValue(header, TEMPORAL_HEADERS.appliedEvents) as { ids?: unknown } | undefined;
  return Array.isArray(carried?.ids) ? carried.ids : [];
}

/** Whether one history event records `eventId` as applied (or, for a start, carried into the run). */
export function eventApplies(event: WireHistoryEvent, eventId: string): boolean {
  const started = event.workflowExecutionStartedEventAttributes;
  if (started) {
    return (
      headerValue(started.header, TEMPORAL_HEADERS.eventId) === eventId ||
      carriedIds(started.header).includes(eventId)
    );
  }
  const signaled = event.workflowExecutionSignaledEventAttributes;
  if (signaled) return headerValue(signaled.header, TEMPORAL_HEADERS.eventId) === eventId;
  const accepted = event.workflowExecutionUpdateAcceptedEventAttributes;
  if (accepted) {
    return headerValue(accepted.acceptedRequest?.input?.header, TEMPORAL_HEADERS.eventId) === eventId;
  }
  return false;
}

/**
 * Whether the latest run of `workflowId` recorded `eventId`, read page by page until found or the
 * history ends. Rejects when Temporal cannot be read before `deadline` (ms since the epoch).
 */
export async function latestRunApplied(
  clients: TemporalClientProvider,
  workflowId: string,
  eventId: string,
  deadline: number,
): Promise<boolean> {
  const client = await clients.get();
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.getWorkflowExecutionHistory(
      {
        namespace: clients.namespace,
        execution: { workflowId },
        maximumPageSize: PAGE_SIZE,
        ...(nextPageToken ? { nextPageToken } : {}),
      },
      deadline,
    );
    if ((page.history?.events ?? []).some((event) => eventApplies(event, eventId))) return true;
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return false;
}
