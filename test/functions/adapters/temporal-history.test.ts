/**
 * Which history events say a run applied an event: the gateway's event-id header on a start, a
 * signal or an accepted update, and the ids the dedupe interceptor carried into a run's start.
 * Headers are written with the SDK's own payload converter, as a worker and the gateway write them.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { TEMPORAL_HEADERS } from '../../../contract/temporal-headers';
import { eventApplies } from '../../../functions/adapters/temporal-history';

const header = (fields: Record<string, unknown>) => ({
  fields: Object.fromEntries(
    Object.entries(fields).map(([key, value]) => [key, defaultPayloadConverter.toPayload(value)]),
  ),
});
const id = '@http:anonymous:ev-1';

describe('eventApplies', () => {
  it("finds the event id in a signal's, an accepted update's and a start's header", () => {
    const signaled = {
      workflowExecutionSignaledEventAttributes: { header: header({ [TEMPORAL_HEADERS.eventId]: id }) },
    };
    const accepted = {
      workflowExecutionUpdateAcceptedEventAttributes: {
        acceptedRequest: { input: { header: header({ [TEMPORAL_HEADERS.eventId]: id }) } },
      },
    };
    const started = {
      workflowExecutionStartedEventAttributes: { header: header({ [TEMPORAL_HEADERS.eventId]: id }) },
    };
    for (const event of [signaled, accepted, started]) {
      expect(eventApplies(event, id)).toBe(true);
      expect(eventApplies(event, '@http:anonymous:ev-2')).toBe(false);
    }
  });

  it('finds an id carried into the run at continue-as-new', () => {
    const carried = header({ [TEMPORAL_HEADERS.appliedEvents]: { v: 1, ids: ['a', id], results: [] } });
    expect(eventApplies({ workflowExecutionStartedEventAttributes: { header: carried } }, id)).toBe(true);
  });

  it('ignores events without the header, the bare supplied id, and headers in another encoding', () => {
    expect(eventApplies({ workflowExecutionSignaledEventAttributes: { signalName: 's' } }, id)).toBe(false);
    const bare = header({ [TEMPORAL_HEADERS.eventId]: 'ev-1' });
    expect(eventApplies({ workflowExecutionSignaledEventAttributes: { header: bare } }, id)).toBe(false);
    const binary = {
      fields: {
        [TEMPORAL_HEADERS.eventId]: {
          metadata: { encoding: new TextEncoder().encode('binary/encrypted') },
          data: new Uint8Array([1, 2]),
        },
      },
    };
    expect(eventApplies({ workflowExecutionSignaledEventAttributes: { header: binary } }, id)).toBe(false);
    expect(eventApplies({ eventId: 7 }, id)).toBe(false);
  });
});
