/**
 * Continue-as-new for workflows that take streams of events. Temporal bounds one run: at most
 * `history.maximumSignalsPerExecution` signals (10,000 by default), `history.maxTotalUpdates`
 * updates (2,000) and a history Temporal suggests ending (`continueAsNewSuggested`). A workflow that
 * lives as long as its entity (a customer, a repository, an order) must continue as new before
 * those limits, or its busiest day ends with refused events (the gateway then queues them until the
 * workflow has continued; see docs/hot-workflows.md).
 *
 * Sandbox-safe: imports only `@temporalio/workflow`. The dedupe interceptor (registered by
 * `runWorker`) carries the applied event ids into the new run by itself, through the
 * continue-as-new headers; the helper carries whatever else the workflow passes as arguments.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  workflowInfo,
  type Workflow,
} from '@temporalio/workflow';

/**
 * Default history length at which a run continues as new: half Temporal's default signal limit
 * (10,000). Every signal is one history event, so a run that continues at this length has taken
 * fewer signals than that, whatever else its history holds.
 */
export const DEFAULT_MAX_RUN_HISTORY_EVENTS = 5_000;

export interface ContinueAsNewPolicy {
  /**
   * Continue as new once this run's history holds this many events. Each signal and each update is
   * at least one event, so this bounds the signals and updates the run has taken: keep it well below
   * your cluster's `history.maximumSignalsPerExecution` and `history.maxTotalUpdates`, leaving room
   * for the events that arrive while the run is closing.
   * @default 5000
   */
  readonly maxHistoryEvents?: number;
  /** The workflow's own reason to continue (a count of applied events, say). @default none */
  readonly alsoWhen?: () => boolean;
}

/**
 * True when this run should continue as new: Temporal suggests it, its history reached
 * `maxHistoryEvents`, or the workflow's own `alsoWhen` holds. Cheap and deterministic: use it in
 * `condition(...)` predicates.
 *
 * @example
 * ```ts
 * await condition(() => state.stage >= next || continueAsNewDue({ maxHistoryEvents: 2_000 }));
 * ```
 */
export function continueAsNewDue(policy: ContinueAsNewPolicy = {}): boolean {
  const info = workflowInfo();
  const maxHistoryEvents = policy.maxHistoryEvents ?? DEFAULT_MAX_RUN_HISTORY_EVENTS;
  return (
    info.continueAsNewSuggested || info.historyLength >= maxHistoryEvents || (policy.alsoWhen?.() ?? false)
  );
}

/**
 * Continues as new with `nextArgs()` once every signal and update handler still running has
 * finished (`allHandlersFinished`), so none is cut off. The arguments are computed after that wait,
 * so they include what those handlers applied. Signals that keep arriving are fine: if one lands
 * while the run closes, Temporal refuses the close, the SDK delivers the signal and this function
 * (still awaiting) runs `nextArgs()` again on the next try.
 *
 * @example
 * ```ts
 * import { continueAsNewDue, continueAsNewWhenReady } from 'temporal-event-gateway/workflow';
 *
 * export async function accountWorkflow(input: AccountInput): Promise<void> {
 *   const state = restore(input);
 *   setHandler(depositSignal, (deposit) => apply(state, deposit));
 *   for (;;) {
 *     await condition(() => state.pending.length > 0 || continueAsNewDue());
 *     if (continueAsNewDue()) return continueAsNewWhenReady<typeof accountWorkflow>(() => [{ resume: state }]);
 *     await process(state.pending.shift()!);
 *   }
 * }
 * ```
 */
export async function continueAsNewWhenReady<F extends Workflow>(
  nextArgs: () => Parameters<F>,
): Promise<never> {
  await condition(allHandlersFinished);
  return continueAsNew<F>(...nextArgs());
}

/**
 * Resolves when this run should continue as new ({@link continueAsNewDue}) — for a workflow whose
 * main loop is busy elsewhere: race it with that loop and continue at a point where no step is in
 * flight.
 */
export function untilContinueAsNewDue(policy: ContinueAsNewPolicy = {}): Promise<void> {
  return condition(() => continueAsNewDue(policy));
}
