/**
 * A delivery's outcome as the event log words it (core/event-record.ts RouteOutcome), from the one
 * {@link Delivery} shape every port answers with. Pure.
 */
import type { RecordedProblem, RouteOutcome, RouteStatus } from './event-record';
import type { Delivery } from './outcomes';
import type { Problem } from './problems';
import type { RoutedCommand } from './routes';

/** What was delivered, to where: a routed command (route name) or a direct one (the entry's name). */
export interface RouteTarget {
  readonly route: string;
  readonly kind: RouteOutcome['kind'];
  readonly workflowId?: string;
  readonly operation?: string;
}

export const recordedProblem = (problem: Problem): RecordedProblem => ({
  code: problem.code,
  detail: problem.detail.slice(0, 2_000),
  ...(problem.field !== undefined ? { field: problem.field } : {}),
});

/**
 * The route outcome of one delivery. `failed` says what the handler made of a failure: the queue it
 * went to (`queued`, `dead-lettered`), a 4xx answer (`refused`) or a retry (`failed`); by default a
 * transient failure is `failed` and a permanent one `refused`.
 */
export function routeOutcome(
  target: RouteTarget,
  delivery: Delivery,
  failed?: Extract<RouteStatus, 'queued' | 'dead-lettered' | 'refused' | 'failed'>,
): RouteOutcome {
  const base: RouteOutcome = {
    route: target.route,
    kind: target.kind,
    ...(target.workflowId !== undefined ? { workflowId: target.workflowId } : {}),
    ...(target.operation !== undefined ? { operation: target.operation } : {}),
    status: 'delivered',
  };
  switch (delivery.status) {
    case 'delivered': {
      const duplicate = delivery.duplicate === true || delivery.run?.status === 'already-started';
      return {
        ...base,
        status: duplicate ? 'duplicate' : 'delivered',
        ...(delivery.run ? { runId: delivery.run.runId } : {}),
      };
    }
    case 'queued':
      return { ...base, status: 'queued' };
    case 'failed':
      return {
        ...base,
        status: failed ?? (delivery.transient ? 'failed' : 'refused'),
        problem: recordedProblem(delivery.problem),
      };
  }
}

/** The target of a routed command (a webhook's or CloudEvent's route, a queued envelope's). */
export function routedTarget(routed: RoutedCommand): RouteTarget {
  const operation =
    routed.kind === 'signal'
      ? routed.command.signal
      : routed.kind === 'update'
        ? routed.command.update
        : 'start';
  return { route: routed.route, kind: routed.kind, workflowId: routed.command.workflowId, operation };
}

/** Each routed command's outcome; `failed` as in {@link routeOutcome}. */
export const routedOutcomes = (
  routed: readonly RoutedCommand[],
  deliveries: readonly Delivery[],
  failed?: Parameters<typeof routeOutcome>[2],
): RouteOutcome[] =>
  routed.map((one, index) =>
    routeOutcome(routedTarget(one), deliveries[index] ?? { status: 'queued' }, failed),
  );
