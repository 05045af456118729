/**
 * Per-workflow pacing: after Temporal refuses a call because a workflow cannot take more now (its
 * per-run signal or update limit, or a run closing into its continue-as-new), the gateway holds
 * back from that workflow for a short, growing while instead of sending it calls it would refuse.
 * Concurrent requests in one function instance share the pause: one refusal spares Temporal the
 * refusals of every request behind it, and those events go to the fallback queue (signals) or get
 * 503 + Retry-After (updates) at once. The first call after the pause is the probe: accepted, the
 * workflow is forgotten; refused, the next pause is twice as long (up to `maxMs`).
 *
 * Memory is bounded: at most `maxWorkflows` entries, the least recently refused dropped first (a
 * dropped workflow is simply probed again).
 */

export interface WorkflowPacingOptions {
  /** The pause after a first refusal. @default 250 */
  readonly initialMs?: number;
  /** The longest pause, however many refusals in a row. @default 4000 */
  readonly maxMs?: number;
  /** Workflows remembered at once. @default 1000 */
  readonly maxWorkflows?: number;
  /** The clock, for tests. @default Date.now */
  readonly now?: () => number;
}

/** What pacing did, since the process started: the refused-call rate is `refused / sent`. */
export interface PacingCounts {
  /** Calls sent to Temporal. */
  sent: number;
  /** Of those, refused for a limit. */
  refused: number;
  /** Calls not sent because the workflow was paused. */
  held: number;
}

export interface WorkflowPacing {
  /** Milliseconds before this workflow should get another call; 0 when it may get one now. */
  pausedFor(workflowId: string): number;
  /** Records a call held back without reaching Temporal. */
  held(workflowId: string): void;
  /** Records a call that reached Temporal and whether Temporal refused it for a limit. */
  sent(workflowId: string, refusedForLimit: boolean): void;
  readonly counts: Readonly<PacingCounts>;
}

interface Pause {
  until: number;
  lengthMs: number;
}

export function createWorkflowPacing(options: WorkflowPacingOptions = {}): WorkflowPacing {
  const initialMs = options.initialMs ?? 250;
  const maxMs = options.maxMs ?? 4_000;
  const maxWorkflows = options.maxWorkflows ?? 1_000;
  const now = options.now ?? Date.now;
  // Insertion order is refusal order: the first key is the least recently refused.
  const pauses = new Map<string, Pause>();
  const counts: PacingCounts = { sent: 0, refused: 0, held: 0 };

  return {
    counts,
    pausedFor(workflowId) {
      const pause = pauses.get(workflowId);
      return pause ? Math.max(0, pause.until - now()) : 0;
    },
    held() {
      counts.held++;
    },
    sent(workflowId, refusedForLimit) {
      counts.sent++;
      const previous = pauses.get(workflowId);
      if (!refusedForLimit) {
        pauses.delete(workflowId);
        return;
      }
      counts.refused++;
      // Refusals of calls sent together with the probe do not lengthen the pause again.
      if (previous && previous.until > now()) return;
      const lengthMs = previous ? Math.min(maxMs, previous.lengthMs * 2) : initialMs;
      pauses.delete(workflowId);
      pauses.set(workflowId, { until: now() + lengthMs, lengthMs });
      if (pauses.size > maxWorkflows) pauses.delete(pauses.keys().next().value as string);
    },
  };
}
