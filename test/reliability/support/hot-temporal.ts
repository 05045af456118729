/**
 * A Temporal dev server with low per-run limits, so a short test meets them many times: the same
 * server and flags as production (`history.maximumSignalsPerExecution`, `history.maxInFlightUpdates`,
 * `history.maxTotalUpdates`), only smaller. Started like test/support/temporal.ts, with
 * `--dynamic-config-value` flags.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { ensureTemporalCli } from '../../../local/temporal-cli';

export interface RunLimits {
  /** `history.maximumSignalsPerExecution`: signals one run may take. */
  readonly signalsPerRun: number;
  /** `history.maxInFlightUpdates`. @default the server's (10) */
  readonly inFlightUpdates?: number;
  /** `history.maxTotalUpdates`. @default the server's (2000) */
  readonly totalUpdates?: number;
}

/** `--dynamic-config-value` arguments for the limits (also what `temporal server start-dev` takes). */
export function limitArgs(limits: RunLimits): string[] {
  const values: [string, number | undefined][] = [
    ['history.maximumSignalsPerExecution', limits.signalsPerRun],
    ['history.maxInFlightUpdates', limits.inFlightUpdates],
    ['history.maxTotalUpdates', limits.totalUpdates],
  ];
  return values.flatMap(([key, value]) =>
    value === undefined ? [] : ['--dynamic-config-value', `${key}=${value}`],
  );
}

let quietRuntime = false;

export async function startLimitedTemporal(limits: RunLimits): Promise<TestWorkflowEnvironment> {
  if (!quietRuntime) {
    quietRuntime = true;
    try {
      Runtime.install({ logger: new DefaultLogger('WARN') });
    } catch {
      // Another helper installed the runtime first; its logger is as good.
    }
  }
  const path = await ensureTemporalCli();
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path },
      ip: '127.0.0.1',
      ui: false,
      extraArgs: ['--log-level', 'error', ...limitArgs(limits)],
    },
  });
}
