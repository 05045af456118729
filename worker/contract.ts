/**
 * The worker's public contract: plain data only, so functions/ and infra/ can import it without
 * pulling in workflow code. Never rename a wire name — they are recorded in workflow histories.
 */

export const DEFAULT_TASK_QUEUE = 'event-gateway';

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
}

/** Result of the `progress` query (and of the `setStage` update). */
export interface StagedProgress {
  stage: number;
  activitiesCompleted: number;
}

/** What `stagedWorkflow` returns when it completes. */
export interface StagedResult {
  activitiesCompleted: number;
}

/** Start-to-close timeouts of the four steps, as in the seed workflow. */
export const STAGE_ACTIVITY_TIMEOUTS = ['45 seconds', '30 seconds', '15 minutes', '2 hours'] as const;
