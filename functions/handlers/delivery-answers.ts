/**
 * How the HTTP paths answer a {@link Delivery}: the problem a sender sees for a failure, and one
 * delivery of a routed event as the event's answer lists it. The Deliverer decided what became of
 * the event; this only says it in HTTP's words.
 */
import type { DeliveryReport } from '../core/event-outcome';
import type { Delivery, FailedDelivery } from '../core/outcomes';
import { problem, type Problem } from '../core/problems';
import type { RoutedCommand } from '../core/routes';

/**
 * The problem a sender sees for a failed delivery. A permanent failure is its own problem (4xx); a
 * transient one is `temporal-unavailable` (503 + Retry-After: the sender retries), except that a
 * caller waiting for the workflow's answer (an update, a direct start) learns that the deadline
 * passed (504: the operation may still apply; retrying with the same key finds it).
 */
export function senderProblem(failed: FailedDelivery, waitsForAnswer: boolean): Problem {
  if (!failed.transient) return failed.problem;
  if (waitsForAnswer && failed.problem.code === 'deadline-exceeded') return failed.problem;
  return problem('temporal-unavailable', failed.problem.detail);
}

/** One delivery of a routed event, as the event's answer reports it (core/event-outcome.ts). */
export function deliveryReport(routed: RoutedCommand, delivery: Delivery): DeliveryReport {
  const operation =
    routed.kind === 'signal'
      ? routed.command.signal
      : routed.kind === 'update'
        ? routed.command.update
        : 'start';
  const base = { route: routed.route, kind: routed.kind, workflowId: routed.command.workflowId, operation };
  if (delivery.status === 'failed') {
    const problem = senderProblem(delivery, routed.kind === 'update');
    return { ...base, status: 'failed', transient: delivery.transient, problem };
  }
  if (delivery.status === 'queued') return { ...base, status: 'queued' };
  // A fan-out report says delivered for an event the workflow already had (`duplicate`).
  if (delivery.run) return { ...base, status: 'delivered', result: delivery.run };
  return {
    ...base,
    status: 'delivered',
    ...(routed.kind === 'update' ? { result: delivery.result } : {}),
  };
}
