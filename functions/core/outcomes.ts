import type { SignalCommand } from './commands';
import type { Problem } from './problems';

/** What became of one event. Adapters map it to their wire: HTTP status, batch item failure, DLQ. */
export type DeliveryOutcome =
  | { status: 'delivered'; command: SignalCommand; started: boolean }
  | { status: 'queued'; command: SignalCommand }
  | { status: 'failed'; command?: SignalCommand; transient: boolean; problem: Problem; cause?: unknown };
