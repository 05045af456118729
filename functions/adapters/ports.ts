/**
 * The ports the Deliverer and the handlers are built from, declared apart from their adapters so
 * that an adapter implements one without importing a handler, and a fake for a unit test needs
 * nothing but this file. Every Temporal port answers with the one {@link Delivery} shape.
 */
import type { ActivityCompletionCommand } from '../core/callbacks';
import type { SignalCommand, StartCommand, UpdateCommand } from '../core/commands';
import type { EventRecord } from '../core/event-record';
import type { EventQuery, EventView } from '../core/event-record-view';
import type { Target } from '../core/gateway-config-model';
import type { Delivery } from '../core/outcomes';
import type { WorkflowPacing } from './workflow-pacing';

/** Sends a signal (signal-with-start where the target allows it), once per run and event. */
export interface Signaler {
  signal(command: SignalCommand, target: Target): Promise<Delivery>;
  /** This signaler's per-workflow pacing (shared by every request of the process). */
  readonly pacing?: WorkflowPacing;
}

/** Runs an update (update-with-start where the target allows it) and answers with its result. */
export interface Updater {
  update(command: UpdateCommand, target: Target): Promise<Delivery>;
  /** This updater's per-workflow pacing (shared by every request of the process). */
  readonly pacing?: WorkflowPacing;
}

/** Starts a workflow from an event, idempotent by the event; the delivery's `run` says what it found. */
export interface Starter {
  start(command: StartCommand, target: Target): Promise<Delivery>;
}

/** Completes (or fails) an activity redeemed through an activity callback URL. */
export interface ActivityCompleter {
  complete(command: ActivityCompletionCommand): Promise<Delivery>;
}

/** Takes a signal Temporal could not take right now, durably (the SQS fallback). */
export interface FallbackQueue {
  enqueue(command: SignalCommand): Promise<void>;
}

/** Counts webhook outcomes per source (CloudWatch EMF in Lambda). */
export interface WebhookMetrics {
  count(outcome: 'ignored' | 'dead-lettered' | 'queued' | 'delivered', source: string): void;
  /**
   * A delivered webhook's end-to-end latency: its arrival at the handler to Temporal accepting its
   * signals (`WebhookEndToEndLatency`). Optional: a counting fake need not time.
   */
  endToEnd?(source: string, milliseconds: number): void;
}

/**
 * The event log (issue 30): what the gateway received and what became of it, for people — never
 * part of the delivery guarantee. Records are appended, never rewritten; the reader merges an
 * event's records (core/event-record-view.ts). Stores: S3 (adapters/event-log-s3.ts) and a local
 * directory (adapters/event-log-directory.ts), one layout (core/event-record.ts eventRecordKey).
 */
export interface EventLogWriter {
  /** Appends one record. Throws when the store refuses it: the recorder logs and counts that. */
  record(record: EventRecord): Promise<void>;
}

/** Reads the event log back (the CLI's `events list|show|replay`, the local events page). */
export interface EventLogReader {
  /** Events received in the query's range (default: the last day), merged, newest first. */
  list(query: EventQuery): Promise<EventView[]>;
  /**
   * One event by its id, merged from all its records; `receivedAt` (when known) spares a search of
   * the retention window for its day.
   */
  get(eventId: string, options?: { receivedAt?: string }): Promise<EventView | undefined>;
  /** A webhook event by its source and the provider's own id (Stripe's `evt_…`). */
  getByProviderId(source: string, providerId: string): Promise<EventView | undefined>;
}

/** Both sides of one store. */
export interface EventLog extends EventLogWriter, EventLogReader {}
