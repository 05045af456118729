/**
 * The event ids a workflow has already applied, bounded so a long-lived workflow's state (and the
 * continue-as-new input that carries it) cannot grow without limit. Temporal's signal `request_id`
 * dedupes a redelivered event within one run only; this set is what survives continue-as-new.
 *
 * Pure and deterministic (insertion order, no clocks, no randomness), so it is safe in workflow code.
 */

/** Enough to cover any realistic redelivery window of the gateway's queue, small enough for a history. */
export const DEFAULT_APPLIED_EVENTS_LIMIT = 1000;

export class AppliedEventIds {
  readonly limit: number;
  // A Set iterates in insertion order, which gives oldest-first eviction without a second structure.
  readonly #ids = new Set<string>();

  constructor(initial: Iterable<string> = [], limit: number = DEFAULT_APPLIED_EVENTS_LIMIT) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`AppliedEventIds limit must be a positive integer, got ${String(limit)}`);
    }
    this.limit = limit;
    for (const id of initial) this.record(id);
  }

  get size(): number {
    return this.#ids.size;
  }

  has(id: string): boolean {
    return this.#ids.has(id);
  }

  /**
   * Records an id; returns false when it was already applied (the caller then skips the event).
   * Re-recording a known id does not refresh its age: an event is applied once, not kept alive by retries.
   */
  record(id: string): boolean {
    if (this.#ids.has(id)) return false;
    this.#ids.add(id);
    while (this.#ids.size > this.limit) {
      const oldest = this.#ids.values().next();
      if (oldest.done) break;
      this.#ids.delete(oldest.value);
    }
    return true;
  }

  /** Removes an id, e.g. of an update whose handler failed and so applied nothing. */
  forget(id: string): void {
    this.#ids.delete(id);
  }

  /** Oldest first: pass it as the next run's input so the order (and so eviction) carries over. */
  toArray(): string[] {
    return [...this.#ids];
  }
}
