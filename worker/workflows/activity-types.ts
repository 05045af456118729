/**
 * The activities the staged workflow calls, declared next to the workflow that needs them so workflow
 * code never imports activity implementations (lint-enforced). Activity names are wire names recorded
 * in workflow histories: never rename them.
 */

export const STAGED_ACTIVITY_NAMES = ['stepOne', 'stepTwo', 'stepThree', 'stepFour'] as const;

export type StagedActivityName = (typeof STAGED_ACTIVITY_NAMES)[number];

/** Input of every step: which step runs and the stage that unlocked it. */
export interface StepInput {
  /** 1-based step number. */
  step: number;
  /** The workflow's stage when the step was scheduled. */
  stage: number;
}

export interface StepResult {
  step: number;
}

export type StagedActivities = Record<StagedActivityName, (input: StepInput) => Promise<StepResult>>;
