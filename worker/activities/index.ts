/**
 * The staged workflow's four demo steps. Real deployments replace the bodies; the names are wire
 * names (in workflow histories) and stay as declared in ../workflows/activity-types.
 */
import { log as activityLog } from '@temporalio/activity';
import type {
  StagedActivities,
  StagedActivityName,
  StepInput,
  StepResult,
} from '../workflows/activity-types';
import { withHeartbeats } from './heartbeat';

/** The slice of a logger the activities use; `console` and the SDK's loggers both fit. */
export interface ActivityLogger {
  info(message: string, meta?: Record<string, unknown>): void;
}

export interface StepEvent {
  activity: StagedActivityName;
  input: StepInput;
}

export interface ActivityHooks {
  /**
   * Runs inside each step before it completes; a throw fails the attempt (Temporal retries it).
   * Lets tests and the local stack observe, delay or break a step without another implementation.
   */
  onStep?: (event: StepEvent) => void | Promise<void>;
}

export interface ActivityDeps {
  /** @default the activity context's logger (`@temporalio/activity` `log`), with workflow attributes */
  logger?: ActivityLogger;
  hooks?: ActivityHooks;
}

const WHAT_EACH_STEP_DOES: Record<StagedActivityName, string> = {
  stepOne: 'recorded the request',
  stepTwo: 'applied stage 1',
  stepThree: 'applied stage 2',
  stepFour: 'applied the final stage',
};

export function createActivities(deps: ActivityDeps = {}): StagedActivities {
  // Resolved per call: the SDK's `log` only works inside an activity context.
  const logger: ActivityLogger = deps.logger ?? activityLog;
  const step =
    (activity: StagedActivityName) =>
    (input: StepInput): Promise<StepResult> =>
      // Every step heartbeats (a no-op for steps without a heartbeat timeout), so a long one whose
      // worker died is retried within its heartbeat timeout.
      withHeartbeats(async () => {
        await deps.hooks?.onStep?.({ activity, input });
        logger.info(`${activity}: ${WHAT_EACH_STEP_DOES[activity]}`, {
          step: input.step,
          stage: input.stage,
        });
        return { step: input.step };
      });
  return {
    stepOne: step('stepOne'),
    stepTwo: step('stepTwo'),
    stepThree: step('stepThree'),
    stepFour: step('stepFour'),
  };
}
