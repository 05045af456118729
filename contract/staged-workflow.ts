/**
 * The staged demo workflow's contract: plain data only, so the gateway's default configuration and
 * the worker share it without either importing the other. Never rename a wire name — they are
 * recorded in workflow histories.
 */

export const WORKFLOW_TYPES = {
  staged: 'stagedWorkflow',
} as const;

export const SIGNALS = {
  advanceStage: 'advanceStage',
} as const;

export const QUERIES = {
  progress: 'progress',
} as const;

export const UPDATES = {
  setStage: 'setStage',
} as const;

/** The last stage; reaching it lets the fourth activity run. */
export const FINAL_STAGE = 3;

/** Argument of the `advanceStage` signal and the `setStage` update. */
export interface StageCommand {
  stage: number;
  /**
   * The gateway's event id, when the sender passes it along: the workflow applies an id once, also
   * across continue-as-new (Temporal's request-id dedupe only covers one run).
   */
  eventId?: string;
}

/** Result of the `progress` query (and of the `setStage` update). */
export interface StagedProgress {
  stage: number;
  activitiesCompleted: number;
  /**
   * Distinct well-formed events the workflow applied (`advanceStage` signals and `setStage`
   * updates, a stale stage included: it was applied, it just changed nothing). A duplicate that
   * slipped through would show as a wrong total.
   */
  eventsApplied: number;
  /** Query only: what the workflow is blocked on, for humans (not a stable format). */
  waitingFor?: string;
}

/** Optional start argument of `stagedWorkflow`; starting with no argument is the normal case. */
export interface StagedWorkflowInput {
  /** Event ids already applied by a previous run (carried across continue-as-new). */
  appliedEventIds?: string[];
  /**
   * Continue-as-new after this many events applied in a run (checked while waiting for a stage),
   * as long-lived entity workflows do to keep their history short. @default never (only when
   * Temporal suggests it)
   */
  continueAsNewEvery?: number;
  /**
   * Continue-as-new once a run's history holds this many events (each signal is one, duplicates
   * included), so a run stays below Temporal's per-run signal limit whatever it receives.
   * @default 5000 (the worker helper's `DEFAULT_MAX_RUN_HISTORY_EVENTS`)
   */
  maxRunHistoryEvents?: number;
  /** Set by continue-as-new: the state the next run starts from. */
  resume?: { stage: number; activitiesCompleted: number; eventsApplied: number };
}

/** `ApplicationFailure` types the workflow raises; callers may map them (e.g. to HTTP 422). */
export const STAGED_FAILURE_TYPES = {
  /** The `setStage` validator rejected the stage. */
  invalidStage: 'InvalidStage',
} as const;

/** What `stagedWorkflow` returns when it completes. */
export interface StagedResult {
  activitiesCompleted: number;
}

/** Start-to-close timeouts of the four steps, as in the seed workflow. */
export const STAGE_ACTIVITY_TIMEOUTS = ['45 seconds', '30 seconds', '15 minutes', '2 hours'] as const;

/**
 * Heartbeat timeouts of the four steps: the long ones heartbeat, so an attempt whose worker died is
 * retried within this time rather than after its start-to-close timeout. The short ones need none.
 */
export const STAGE_HEARTBEAT_TIMEOUTS = [undefined, undefined, '30 seconds', '30 seconds'] as const;
