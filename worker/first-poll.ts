/** The worker's "polling" log line, written when the first poll really goes out. */
import type { Worker } from '@temporalio/worker';

export function msSinceProcessStart(): number {
  return Math.round(process.uptime() * 1000);
}

/**
 * The SDK has no first-poll hook, but it flags an outstanding poll the moment it asks Core for a task;
 * watching that flag puts the "polling" line within a millisecond of the real first poll.
 */
export function logWhenPolling(worker: Worker, done: Promise<unknown>, onPolling: () => void): void {
  let finished = false;
  const check = (): boolean => {
    const status = worker.getStatus();
    if (status.hasOutstandingWorkflowPoll || status.hasOutstandingActivityPoll) {
      onPolling();
      return true;
    }
    return finished || status.runState !== 'RUNNING';
  };
  if (check()) return;
  const timer = setInterval(() => {
    if (check()) clearInterval(timer);
  }, 1);
  timer.unref();
  void done.finally(() => {
    finished = true;
    clearInterval(timer);
  });
}
