/**
 * The staged workflow: four steps, each after the first gated by a stage that external events raise.
 * It may wait between steps for seconds or weeks, so everything it knows lives in workflow state and
 * survives worker crashes by replay.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  log,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import {
  QUERIES,
  SIGNALS,
  STAGE_ACTIVITY_TIMEOUTS,
  STAGE_HEARTBEAT_TIMEOUTS,
  STAGED_FAILURE_TYPES,
  UPDATES,
  type StageCommand,
  type StagedProgress,
  type StagedResult,
  type StagedWorkflowInput,
} from '../../contract/staged-workflow';
import {
  STAGED_ACTIVITY_NAMES,
  type StagedActivities,
  type StepInput,
  type StepResult,
} from './activity-types';
import { AppliedEventIds } from './applied-events';
import { parseStageCommand, type StageCommandCheck } from './stage-command';

// Message definitions first: clients and tests import them, and the names come from the contract.
export const advanceStageSignal = defineSignal<[StageCommand]>(SIGNALS.advanceStage);
export const progressQuery = defineQuery<StagedProgress>(QUERIES.progress);
export const setStageUpdate = defineUpdate<StagedProgress, [StageCommand]>(UPDATES.setStage);

function stepProxy(index: 0 | 1 | 2 | 3): StagedActivities {
  const heartbeatTimeout = STAGE_HEARTBEAT_TIMEOUTS[index];
  return proxyActivities<StagedActivities>({
    startToCloseTimeout: STAGE_ACTIVITY_TIMEOUTS[index],
    ...(heartbeatTimeout ? { heartbeatTimeout } : {}),
  });
}

// One proxy per step because each step has its own timeouts.
const steps: readonly ((input: StepInput) => Promise<StepResult>)[] = [
  stepProxy(0).stepOne,
  stepProxy(1).stepTwo,
  stepProxy(2).stepThree,
  stepProxy(3).stepFour,
];

interface StagedState {
  stage: number;
  activitiesCompleted: number;
  eventsApplied: number;
}

/** Derived from state rather than tracked, so a query can never disagree with what the loop does. */
function waitingFor({ stage, activitiesCompleted }: StagedState): string {
  if (activitiesCompleted >= steps.length) return 'nothing (completed)';
  if (activitiesCompleted === 0 || stage >= activitiesCompleted) {
    return `activity ${STAGED_ACTIVITY_NAMES[activitiesCompleted]}`;
  }
  return `signal ${SIGNALS.advanceStage} with stage >= ${activitiesCompleted}`;
}

/** The update's rule: a well-formed stage strictly above the current one. */
function checkSetStage(payload: unknown, current: number): StageCommandCheck {
  const parsed = parseStageCommand(payload);
  if (parsed.ok && parsed.stage <= current) {
    return { ok: false, reason: `stage ${parsed.stage} is not above the current stage ${current}` };
  }
  return parsed;
}

function rejectStage(reason: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: STAGED_FAILURE_TYPES.invalidStage,
    message: `${UPDATES.setStage} rejected: ${reason}`,
    nonRetryable: true,
  });
}

/** Start input is optional and untrusted: keep only what is usable instead of failing the run. */
function initialEventIds(input: unknown): string[] {
  if (typeof input !== 'object' || input === null) return [];
  const ids = (input as StagedWorkflowInput).appliedEventIds;
  if (!Array.isArray(ids)) return [];
  return ids.filter((id): id is string => typeof id === 'string' && id.length > 0);
}

export async function stagedWorkflow(input?: StagedWorkflowInput): Promise<StagedResult> {
  const state: StagedState = { stage: 0, activitiesCompleted: 0, eventsApplied: 0 };
  const applied = new AppliedEventIds(initialEventIds(input));

  // Handlers are set before the first await so a signal delivered with the start (or before the
  // workflow reaches its wait) is applied, not dropped.
  setHandler(advanceStageSignal, (payload: unknown) => {
    const command = parseStageCommand(payload);
    if (!command.ok) {
      // Throwing here would fail the workflow task and stall the run; a bad event is the sender's bug.
      log.warn(`${SIGNALS.advanceStage} ignored: malformed payload`, { reason: command.reason });
      return;
    }
    if (command.eventId !== undefined && !applied.record(command.eventId)) {
      log.info(`${SIGNALS.advanceStage} ignored: event already applied`, { eventId: command.eventId });
      return;
    }
    // Duplicates carrying the gateway's header never get here: the dedupe interceptor skips them.
    state.eventsApplied += 1;
    if (command.stage <= state.stage) {
      log.info(`${SIGNALS.advanceStage} ignored: stage not above current`, {
        stage: command.stage,
        currentStage: state.stage,
      });
      return;
    }
    state.stage = command.stage;
    log.info('stage advanced', { stage: state.stage, eventId: command.eventId });
  });

  setHandler(progressQuery, () => ({ ...state, waitingFor: waitingFor(state) }));

  setHandler(
    setStageUpdate,
    (payload: unknown) => {
      // Validators do not run on replay, so the handler re-checks rather than trusting it.
      const command = checkSetStage(payload, state.stage);
      if (!command.ok) throw rejectStage(command.reason);
      if (command.eventId !== undefined) applied.record(command.eventId);
      state.stage = command.stage;
      state.eventsApplied += 1;
      log.info('stage set by update', { stage: state.stage });
      return { ...state };
    },
    {
      validator: (payload: unknown) => {
        const command = checkSetStage(payload, state.stage);
        if (!command.ok) throw rejectStage(command.reason);
      },
    },
  );

  for (const [index, step] of steps.entries()) {
    // Step n+1 (1-based) needs stage >= n; the first step needs nothing.
    if (index > 0) await condition(() => state.stage >= index);
    await step({ step: index + 1, stage: state.stage });
    state.activitiesCompleted = index + 1;
  }

  await condition(allHandlersFinished);
  return { activitiesCompleted: state.activitiesCompleted };
}
