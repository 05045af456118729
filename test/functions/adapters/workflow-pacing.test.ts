import { describe, expect, it } from 'vitest';
import { createWorkflowPacing } from '../../../functions/adapters/workflow-pacing';

function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('per-workflow pacing', () => {
  it('pauses only the refused workflow, and forgets it once a call is accepted', () => {
    const time = clock();
    const pacing = createWorkflowPacing({ initialMs: 200, now: time.now });
    pacing.sent('hot', true);
    expect(pacing.pausedFor('hot')).toBe(200);
    expect(pacing.pausedFor('cold')).toBe(0);
    time.advance(200);
    expect(pacing.pausedFor('hot')).toBe(0);
    pacing.sent('hot', false);
    pacing.sent('hot', true);
    expect(pacing.pausedFor('hot')).toBe(200);
  });

  it('doubles the pause for each refused probe, up to the maximum', () => {
    const time = clock();
    const pacing = createWorkflowPacing({ initialMs: 100, maxMs: 350, now: time.now });
    const pauses: number[] = [];
    for (let i = 0; i < 4; i++) {
      pacing.sent('hot', true);
      pauses.push(pacing.pausedFor('hot'));
      time.advance(pauses.at(-1)!);
    }
    expect(pauses).toEqual([100, 200, 350, 350]);
  });

  it('does not lengthen the pause for refusals of calls sent together with the probe', () => {
    const time = clock();
    const pacing = createWorkflowPacing({ initialMs: 100, now: time.now });
    pacing.sent('hot', true);
    time.advance(10);
    pacing.sent('hot', true);
    expect(pacing.pausedFor('hot')).toBe(90);
    expect(pacing.counts).toMatchObject({ sent: 2, refused: 2 });
  });

  it('remembers at most maxWorkflows, dropping the least recently refused', () => {
    const time = clock();
    const pacing = createWorkflowPacing({ initialMs: 100, maxWorkflows: 2, now: time.now });
    pacing.sent('a', true);
    pacing.sent('b', true);
    pacing.sent('c', true);
    expect([pacing.pausedFor('a'), pacing.pausedFor('b'), pacing.pausedFor('c')]).toEqual([0, 100, 100]);
  });
});
