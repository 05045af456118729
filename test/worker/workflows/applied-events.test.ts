import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppliedEventIds, DEFAULT_APPLIED_EVENTS_LIMIT } from '../../../worker/workflows/applied-events';

describe('AppliedEventIds', () => {
  it('records a new id once and reports a repeat as already applied', () => {
    const applied = new AppliedEventIds();
    expect(applied.record('evt-1')).toBe(true);
    expect(applied.record('evt-1')).toBe(false);
    expect(applied.has('evt-1')).toBe(true);
    expect(applied.size).toBe(1);
  });

  it('starts from the ids a previous run carried across continue-as-new', () => {
    const applied = new AppliedEventIds(['a', 'b']);
    expect(applied.record('a')).toBe(false);
    expect(applied.record('c')).toBe(true);
    expect(applied.toArray()).toEqual(['a', 'b', 'c']);
  });

  it('forgets the oldest ids first once the limit is reached', () => {
    const applied = new AppliedEventIds([], 3);
    for (const id of ['a', 'b', 'c', 'd']) applied.record(id);
    expect(applied.toArray()).toEqual(['b', 'c', 'd']);
    expect(applied.has('a')).toBe(false);
  });

  it('does not refresh the age of an id that is seen again', () => {
    const applied = new AppliedEventIds(['a', 'b'], 2);
    applied.record('a');
    applied.record('c');
    expect(applied.toArray()).toEqual(['b', 'c']);
  });

  it('trims an oversized carried-over list to its newest ids', () => {
    const applied = new AppliedEventIds(['a', 'b', 'c'], 2);
    expect(applied.toArray()).toEqual(['b', 'c']);
  });

  it('round-trips through its array form with the same contents and order', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 1, maxLength: 8 }), { maxLength: 60 }), (ids) => {
        const first = new AppliedEventIds(ids, 20);
        const second = new AppliedEventIds(first.toArray(), 20);
        expect(second.toArray()).toEqual(first.toArray());
        expect(first.size).toBeLessThanOrEqual(20);
        // The newest distinct ids are always kept.
        const newest = [...new Set(ids)].slice(-Math.min(20, new Set(ids).size));
        for (const id of newest) expect(first.has(id)).toBe(true);
      }),
    );
  });

  it('uses a default limit and rejects a limit that is not a positive integer', () => {
    expect(new AppliedEventIds().limit).toBe(DEFAULT_APPLIED_EVENTS_LIMIT);
    expect(() => new AppliedEventIds([], 0)).toThrow(RangeError);
    expect(() => new AppliedEventIds([], 1.5)).toThrow(/positive integer/);
  });
});

describe('AppliedEventIds.forget', () => {
  it('lets a forgotten id be recorded again, as for an update whose handler failed', () => {
    const applied = new AppliedEventIds(['a', 'b']);
    applied.forget('a');
    expect(applied.has('a')).toBe(false);
    expect(applied.record('a')).toBe(true);
    expect(applied.toArray()).toEqual(['b', 'a']);
  });
});
