/**
 * The one place that decides what becomes of an event bound for a workflow: signal (with start),
 * update, start or an activity's completion, each through its Temporal port under the call deadline
 * (the ports classify failures once, `classifyTemporalCall`, and pace busy workflows); a signal that
 * failed transiently goes to the fallback queue when the caller asks for the HTTP promise; what is
 * left is a failure whose `transient` flag is the retry/dead-letter decision. Handlers only map the
 * {@link Delivery} to their wire answer.
 */
import type { ActivityCompletionCommand } from '../core/callbacks';
import type { SignalCommand, StartCommand, UpdateCommand } from '../core/commands';
import type { Target } from '../core/gateway-config-model';
import { failedDelivery, type Delivery, type FailedDelivery } from '../core/outcomes';
import { problem } from '../core/problems';
import type { GatewayLogger } from './logger';
import type { ActivityCompleter, FallbackQueue, Signaler, Starter, Updater } from './ports';
import { PayloadCodecError } from './temporal-data-converter';
import { NO_STARTER } from './temporal-starter';
import { annotateTrace, currentEventSource, inSpan, withEventFields, type EventTraceFields } from './tracing';

/** What can be delivered: a routed or direct command, or a callback's activity completion. */
export type Deliverable =
  | { kind: 'signal'; command: SignalCommand; target: Target }
  | { kind: 'update'; command: UpdateCommand; target: Target }
  | { kind: 'start'; command: StartCommand; target: Target }
  | { kind: 'activity'; command: ActivityCompletionCommand };

export interface DeliverOptions {
  /**
   * The HTTP paths' promise — a 2xx is delivered or durably queued: a signal that failed
   * transiently goes to the fallback queue (when there is one), and what became of the delivery is
   * logged. The webhook and queue handlers leave it off: they queue or retry the whole event and
   * log their own answer.
   */
  readonly queue?: boolean;
}

export interface Deliverer {
  deliver(item: Deliverable, options?: DeliverOptions): Promise<Delivery>;
}

/** The ports a Deliverer is built from (the runtimes hold them). */
export interface DelivererPorts {
  signaler: Signaler;
  updater: Updater;
  /** Absent: every start refused, permanently. */
  starter?: Starter | undefined;
  /** Absent: every activity completion refused, permanently. */
  completer?: ActivityCompleter | undefined;
  /** Where a transiently failed signal goes instead of a 503; absent = the failure stands. */
  fallback?: FallbackQueue | undefined;
  logger: GatewayLogger;
}

/** The event's fields on the call's span and log lines (a routed command also names its route). */
function traceFields(item: Deliverable): EventTraceFields {
  const { command } = item;
  return {
    eventId: command.eventId,
    workflowId: command.workflowId,
    // A routed command's own `source` is its route's name: the request's source (a webhook's
    // provider) stays when it is known; else the command's entry (`http`, `sqs`, a route) stands in.
    ...(!currentEventSource() && 'source' in command && command.source !== undefined
      ? { source: command.source }
      : {}),
    ...('route' in item && typeof item.route === 'string' ? { route: item.route } : {}),
  };
}

/** What each kind is called in the log lines of the HTTP paths. */
const LOG_LINES = {
  signal: { transient: 'signal not delivered', permanent: 'signal refused' },
  update: { transient: 'update not answered', permanent: 'update refused' },
  start: { transient: 'start not made', permanent: 'start refused' },
} as const;

export function createDeliverer(ports: DelivererPorts): Deliverer {
  const { signaler, updater, logger } = ports;
  const starter = ports.starter ?? NO_STARTER;

  async function call(item: Deliverable): Promise<Delivery> {
    try {
      switch (item.kind) {
        case 'signal':
          return await signaler.signal(item.command, item.target);
        case 'update':
          return await updater.update(item.command, item.target);
        case 'start':
          return await starter.start(item.command, item.target);
        case 'activity':
          if (!ports.completer) {
            return failedDelivery(false, problem('route-not-found', 'No activity completer is configured.'));
          }
          return await ports.completer.complete(item.command);
      }
    } catch (error) {
      // The ports classify their own errors; anything else is treated as worth retrying later.
      return failedDelivery(true, problem('temporal-unavailable', String(error)), error);
    }
  }

  /** A signal Temporal could not take now, to the fallback queue: queued, or failed for good now. */
  async function enqueue(command: SignalCommand, failed: FailedDelivery): Promise<Delivery> {
    try {
      // Its own span: the queue message carries this span's context, the visible queue hop.
      await inSpan('sqs fallback enqueue', 'client', {}, () => ports.fallback!.enqueue(command));
      logger.warn('signal queued after a transient failure', {
        workflowId: command.workflowId,
        eventId: command.eventId,
        reason: failed.problem.detail,
      });
      return { status: 'queued' };
    } catch (error) {
      logger.error('fallback queue refused the event', { eventId: command.eventId, error: String(error) });
      const detail = `${failed.problem.detail} The fallback queue failed too.`;
      return failedDelivery(true, problem('temporal-unavailable', detail), error);
    }
  }

  return {
    async deliver(item, options = {}) {
      const fields = traceFields(item);
      // The Temporal header written inside carries this span's context (event-header.ts).
      const delivery = await inSpan(`temporal ${item.kind}`, 'client', fields, async () => {
        const made = await call(item);
        if (made.status === 'delivered' && made.run) annotateTrace({ runId: made.run.runId });
        return made;
      });
      // What follows logs about this event: its lines carry its fields.
      return withEventFields(fields, () => settle(item, delivery, options));
    },
  };

  async function settle(item: Deliverable, delivery: Delivery, options: DeliverOptions): Promise<Delivery> {
    // Transient for the sender either way; the codec's own words (which key, what KMS said) are
    // logged here only. A refused key or bucket needs a fix of the configuration: an error.
    if (delivery.status === 'failed' && delivery.cause instanceof PayloadCodecError) {
      const details = { eventId: item.command.eventId, error: delivery.cause.message };
      if (delivery.cause.retryable) logger.warn('payload codec or store unavailable', details);
      else
        logger.error(
          'payload codec or store failed: check the KMS key, the bucket and their grants',
          details,
        );
    }
    if (!options.queue || delivery.status !== 'failed' || item.kind === 'activity') return delivery;
    if (item.kind === 'signal' && delivery.transient && ports.fallback)
      return enqueue(item.command, delivery);
    const details = { eventId: item.command.eventId, problem: delivery.problem.code };
    const lines = LOG_LINES[item.kind];
    // A signal nobody could queue is the sender's to retry (503): an error of this gateway.
    if (!delivery.transient) logger.info(lines.permanent, details);
    else if (item.kind === 'signal') logger.error(lines.transient, details);
    else logger.warn(lines.transient, details);
    return delivery;
  }
}
