/**
 * Defensive reading of an `advanceStage` / `setStage` argument. Signals come from outside through the
 * gateway and from anyone with access to the namespace, so the workflow must never trust their shape:
 * a throw in a signal handler would fail the workflow task and stall the workflow.
 */
import { FINAL_STAGE } from '../../contract/staged-workflow';

/** Longer than any id the gateway produces (UUIDs, SQS message ids, webhook ids). */
export const MAX_EVENT_ID_LENGTH = 256;

export type StageCommandCheck = { ok: true; stage: number; eventId?: string } | { ok: false; reason: string };

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  try {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return typeof value;
  }
}

/** Accepts `{ stage: 0..FINAL_STAGE, eventId?: non-empty string }`; anything else gets a reason. */
export function parseStageCommand(payload: unknown): StageCommandCheck {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return { ok: false, reason: `payload must be an object like {"stage": 1}, got ${describe(payload)}` };
  }
  const { stage, eventId } = payload as Record<string, unknown>;
  if (typeof stage !== 'number' || !Number.isInteger(stage)) {
    return { ok: false, reason: `stage must be an integer, got ${describe(stage)}` };
  }
  if (stage < 0) return { ok: false, reason: `stage must not be negative, got ${stage}` };
  if (stage > FINAL_STAGE) {
    return { ok: false, reason: `stage ${stage} is above the final stage ${FINAL_STAGE}` };
  }
  if (eventId === undefined) return { ok: true, stage };
  if (typeof eventId !== 'string' || eventId.length === 0 || eventId.length > MAX_EVENT_ID_LENGTH) {
    return {
      ok: false,
      reason: `eventId must be a string of 1 to ${MAX_EVENT_ID_LENGTH} characters, got ${describe(eventId)}`,
    };
  }
  return { ok: true, stage, eventId };
}
