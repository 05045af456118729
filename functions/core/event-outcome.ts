/**
 * What one routed event's answer is when it fanned out to several deliveries. The rule keeps the
 * gateway's promise — a 2xx event is never lost — and lets a sender retry blindly, because every
 * delivery of a retried event is deduplicated by its event id:
 *
 * 1. Any delivery failed transiently and was not queued → the event fails with that problem
 *    (503/504): the sender retries the whole event; deliveries that did succeed are not repeated.
 * 2. Every delivery failed permanently → the event fails with the first delivery's problem (4xx).
 * 3. Otherwise the event is accepted (202): `delivered` when all were delivered, `queued` when some
 *    were queued, `partial` when some failed permanently — the deliveries list says which and why.
 */
import type { Problem } from './problems';
import { fail, ok, type Result } from './result';

export type DeliveryStatus = 'delivered' | 'queued' | 'failed';
export type EventStatus = 'delivered' | 'queued' | 'partial';

export interface DeliveryReport {
  route: string;
  kind: 'signal' | 'update' | 'start';
  workflowId: string;
  /** The signal or update name (`start` for a start). */
  operation: string;
  status: DeliveryStatus;
  /** Why a failed delivery failed; `transient` says whether trying again may help. */
  problem?: Problem;
  transient?: boolean;
  /** An update's result. */
  result?: unknown;
}

export function summarizeDeliveries(reports: readonly DeliveryReport[]): Result<EventStatus> {
  const failed = reports.filter((report) => report.status === 'failed');
  const retryable = failed.find((report) => report.transient);
  if (retryable?.problem) return fail(retryable.problem);
  const first = failed[0];
  if (first?.problem && failed.length === reports.length) {
    const others = failed.length - 1;
    return fail(
      others === 0
        ? first.problem
        : {
            ...first.problem,
            detail: `${first.problem.detail} (${others} other ${others === 1 ? 'delivery' : 'deliveries'} failed too.)`,
          },
    );
  }
  if (failed.length > 0) return ok('partial');
  return ok(reports.some((report) => report.status === 'queued') ? 'queued' : 'delivered');
}
