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
  FINAL_STAGE,
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
import { continueAsNewDue, continueAsNewWhenReady, untilContinueAsNewDue } from '../continue-as-new';
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

/** Where a continued-as-new run picks up; anything unusable starts from the beginning. */
function resumedState(input: unknown): StagedState {
  const fresh: StagedState = { stage: 0, activitiesCompleted: 0, eventsApplied: 0 };
  if (typeof input !== 'object' || input === null) return fresh;
  const resume = (input as StagedWorkflowInput).resume;
  if (typeof resume !== 'object' || resume === null) return fresh;
  const count = (value: unknown, max: number) =>
    typeof value === 'number' && Number.isInteger(value) && value >= 0 ? Math.min(value, max) : 0;
  return {
    stage: count(resume.stage, FINAL_STAGE),
    activitiesCompleted: count(resume.activitiesCompleted, steps.length),
    eventsApplied: count(resume.eventsApplied, Number.MAX_SAFE_INTEGER),
  };
}

/** A positive integer input field, else undefined (then that rule does not apply). */
function positiveSetting(
  input: unknown,
  key: 'continueAsNewEvery' | 'maxRunHistoryEvents',
): number | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const value = (input as StagedWorkflowInput)[key];
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

export async function stagedWorkflow(input?: StagedWorkflowInput): Promise<StagedResult> {
  const state = resumedState(input);
  const applied = new AppliedEventIds(initialEventIds(input));
  const every = positiveSetting(input, 'continueAsNewEvery');
  const maxHistoryEvents = positiveSetting(input, 'maxRunHistoryEvents');
  const eventsAtStart = state.eventsApplied;
  // Long-lived runs continue as new before Temporal's per-run limits (signals keep arriving while a
  // run waits): when Temporal suggests it, when the history reaches the helper's bound, and every N
  // events when asked. Checked while waiting for a stage and while a step runs.
  const continuePolicy = {
    ...(maxHistoryEvents === undefined ? {} : { maxHistoryEvents }),
    alsoWhen: () => every !== undefined && state.eventsApplied - eventsAtStart >= every,
  };
  const continueDue = () => continueAsNewDue(continuePolicy);
  const continueAsNewNow = () =>
    // The dedupe interceptor carries the applied event ids in the continue-as-new headers.
    continueAsNewWhenReady<typeof stagedWorkflow>(() => [
      {
        ...(every === undefined ? {} : { continueAsNewEvery: every }),
        ...(maxHistoryEvents === undefined ? {} : { maxRunHistoryEvents: maxHistoryEvents }),
        resume: { ...state },
        appliedEventIds: applied.toArray(),
      },
    ]);

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
    // Without a payload event id, the gateway's (header) stays: the log context puts it there (issue 29).
    log.info('stage advanced', {
      stage: state.stage,
      ...(command.eventId !== undefined ? { eventId: command.eventId } : {}),
    });
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

  for (let index = state.activitiesCompleted; index < steps.length; index++) {
    // Step n+1 (1-based) needs stage >= n; the first step needs nothing.
    if (index > 0) await condition(() => state.stage >= index || continueDue());
    if (state.stage < index || continueDue()) return continueAsNewNow();
    // A step may take a while and events keep coming: a run that must continue does so without
    // waiting for it (the next run runs the step again; steps are idempotent).
    const step = steps[index]!({ step: index + 1, stage: state.stage });
    const finished = await Promise.race([
      step.then(() => true),
      untilContinueAsNewDue(continuePolicy).then(() => false),
    ]);
    if (!finished) return continueAsNewNow();
    state.activitiesCompleted = index + 1;
  }

  await condition(allHandlersFinished);
  return { activitiesCompleted: state.activitiesCompleted };
}
