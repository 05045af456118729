import { describe, expect, it } from 'vitest';
import { MAX_EVENT_ID_LENGTH, parseStageCommand } from '../../../worker/workflows/stage-command';

describe('parseStageCommand', () => {
  it('accepts an integer stage from 0 to the final stage, with or without an event id', () => {
    expect(parseStageCommand({ stage: 0 })).toEqual({ ok: true, stage: 0 });
    expect(parseStageCommand({ stage: 3 })).toEqual({ ok: true, stage: 3 });
    expect(parseStageCommand({ stage: 2, eventId: 'evt-1' })).toEqual({
      ok: true,
      stage: 2,
      eventId: 'evt-1',
    });
  });

  it.each([
    [undefined, /payload must be an object/],
    [null, /payload must be an object/],
    [[1], /payload must be an object/],
    ['3', /payload must be an object/],
    [{}, /stage must be an integer, got undefined/],
    [{ stage: '2' }, /stage must be an integer, got "2"/],
    [{ stage: 1.5 }, /stage must be an integer, got 1.5/],
    [{ stage: -1 }, /must not be negative/],
    [{ stage: 4 }, /stage 4 is above the final stage 3/],
    [{ stage: 1, eventId: 7 }, /eventId must be a string/],
    [{ stage: 1, eventId: '' }, /eventId must be a string/],
    [{ stage: 1, eventId: 'x'.repeat(MAX_EVENT_ID_LENGTH + 1) }, /eventId must be a string/],
  ])('rejects %j with a reason', (payload, reason) => {
    const result = parseStageCommand(payload);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('keeps the reason short for a huge payload', () => {
    const result = parseStageCommand({ stage: 'x'.repeat(10_000) });
    expect(result.ok || result.reason.length < 200).toBe(true);
  });
});
