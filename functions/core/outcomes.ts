import type { SignalCommand, StartCommand, UpdateCommand } from './commands';
import type { Problem } from './problems';

/** What became of one event. Adapters map it to their wire: HTTP status, batch item failure, DLQ. */
export type DeliveryOutcome =
  /** `duplicate`: the workflow's latest run, closed, had already applied this event. */
  | { status: 'delivered'; command: SignalCommand; started: boolean; duplicate?: boolean }
  | { status: 'queued'; command: SignalCommand }
  | { status: 'failed'; command?: SignalCommand; transient: boolean; problem: Problem; cause?: unknown };

/** What became of one update: the workflow's answer, or why there is none. */
export type UpdateOutcome =
  /** `duplicate`: the update had completed in the workflow's latest run, now closed; `result` is its recorded one. */
  | { status: 'completed'; command: UpdateCommand; result: unknown; started: boolean; duplicate?: boolean }
  | { status: 'failed'; command: UpdateCommand; transient: boolean; problem: Problem; cause?: unknown };

/**
 * What became of a start: `started` (this request started the run), `already-started` (an earlier
 * delivery of the same event did; the run may have closed since), `running` (another event's run
 * is running and the target's conflict policy is `use-existing`: this event's input is not applied).
 */
export type StartOutcome =
  | { status: 'started' | 'already-started' | 'running'; command: StartCommand; runId: string }
  | { status: 'failed'; command: StartCommand; transient: boolean; problem: Problem; cause?: unknown };
