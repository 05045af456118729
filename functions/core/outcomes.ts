import type { SignalCommand, UpdateCommand } from './commands';
import type { Problem } from './problems';

/** What became of one event. Adapters map it to their wire: HTTP status, batch item failure, DLQ. */
export type DeliveryOutcome =
  | { status: 'delivered'; command: SignalCommand; started: boolean }
  | { status: 'queued'; command: SignalCommand }
  | { status: 'failed'; command?: SignalCommand; transient: boolean; problem: Problem; cause?: unknown };

/** What became of one update: the workflow's answer, or why there is none. */
export type UpdateOutcome =
  | { status: 'completed'; command: UpdateCommand; result: unknown; started: boolean }
  | { status: 'failed'; command: UpdateCommand; transient: boolean; problem: Problem; cause?: unknown };
