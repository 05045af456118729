import type { Problem } from './problems';

/**
 * What a start found: `started` (this request started the run), `already-started` (an earlier
 * delivery of the same event did; the run may have closed since), `running` (another event's run is
 * running and the target's conflict policy is `use-existing`: this event's input is not applied).
 */
export type StartStatus = 'started' | 'already-started' | 'running';

/**
 * What became of one delivery to a workflow — a signal (with start), an update, a start or an
 * activity's completion — the one outcome every Temporal port and the Deliverer answer with.
 * Handlers map it to their wire: an HTTP status and problem, a batch item failure, a webhook answer.
 *
 * A failure is `transient` when trying again may help (the sender retries, the event is queued);
 * a permanent one is answered 4xx or dead-lettered with its problem, and never retried.
 */
export type Delivery =
  | {
      status: 'delivered';
      /** An update's answer: the workflow's result. */
      result?: unknown;
      /** Signal- or update-with-start: this call started the workflow. */
      started?: boolean;
      /** The workflow's latest run, now closed, had already applied this event. */
      duplicate?: boolean;
      /** A start's run and what the start found there. */
      run?: { status: StartStatus; runId: string };
    }
  /** Not delivered now, but durably queued (the HTTP paths' fallback queue) for a later delivery. */
  | { status: 'queued' }
  | { status: 'failed'; transient: boolean; problem: Problem; cause?: unknown };

/** A failed {@link Delivery}. */
export type FailedDelivery = Extract<Delivery, { status: 'failed' }>;

/** A failed delivery, as every port reports one. */
export const failedDelivery = (transient: boolean, problem: Problem, cause?: unknown): FailedDelivery =>
  cause === undefined
    ? { status: 'failed', transient, problem }
    : { status: 'failed', transient, problem, cause };
