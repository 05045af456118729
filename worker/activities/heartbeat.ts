/**
 * Heartbeating for long activities: a worker that dies (SIGKILL, OOM, a lost Fargate task) stops
 * heartbeating, so Temporal times the attempt out after the activity's `heartbeatTimeout` and
 * retries it on a live worker — in seconds, instead of after a start-to-close timeout of hours.
 *
 * The pattern for your own long activities: give them a `heartbeatTimeout` (e.g. 30 s) beside the
 * `startToCloseTimeout`, and run their work inside `withHeartbeats`.
 *
 * @example
 * ```ts
 * // workflow
 * const { settlePayment } = proxyActivities<Activities>({
 *   startToCloseTimeout: '2 hours',
 *   heartbeatTimeout: '30 seconds',
 * });
 * // activity
 * export const settlePayment = (input: Input) => withHeartbeats(() => callTheBank(input));
 * ```
 */
import { Context } from '@temporalio/activity';

/** Heartbeats per heartbeat timeout: one lost or late heartbeat must not time the attempt out. */
const HEARTBEATS_PER_TIMEOUT = 3;

export interface HeartbeatOptions {
  /** @default a third of the activity's heartbeat timeout */
  intervalMs?: number;
  /** Progress details recorded with each heartbeat (visible in describe, given to the next attempt). */
  details?: () => unknown;
}

/**
 * Runs `work` inside the current activity, heartbeating until it settles. Without a heartbeat
 * timeout on the activity it just runs `work` (nothing would watch the heartbeats).
 */
export async function withHeartbeats<T>(work: () => Promise<T>, options: HeartbeatOptions = {}): Promise<T> {
  const context = Context.current();
  const timeoutMs = context.info.heartbeatTimeoutMs;
  const intervalMs = options.intervalMs ?? (timeoutMs ? timeoutMs / HEARTBEATS_PER_TIMEOUT : undefined);
  if (intervalMs === undefined || intervalMs <= 0) return work();
  const beat = () => context.heartbeat(options.details?.());
  beat();
  const timer = setInterval(beat, intervalMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
