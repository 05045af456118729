/**
 * Gateway child processes compared side by side on one dev server and one pool of workflows (the
 * encryption, event-log and tracing sections): each side is a gateway child with its own environment, the
 * sides take turns under the same load (a drift of the shared machine's load falls on all alike),
 * and each run meters the CPU of the processes involved, so a feature's cost reads as CPU per signal
 * of the gateway process, with an emulator's CPU (local-kms, gofakes3) kept apart.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout } from 'node:timers/promises';
import { EventGatewayError } from '../contract/errors';
import { costsByModule, type InitCost } from './cpu-profile';
import { startCpuMeter } from './cpu-usage';
import { GATEWAY_READY_PREFIX, startAndWaitFor, type BenchChild } from './processes';
import type { LoadTarget, RateSample } from './signal-load';
import { median, round } from './stats';

export class GatewayProfileError extends EventGatewayError {
  override readonly name = 'GatewayProfileError';
}

/** gateway-child.ts prints this once its profiler runs (after SIGUSR2). */
const PROFILING_LINE = 'bench-gateway-profiling';

/** One load run of one side: what autocannon saw and the CPU ms each metered process used. */
export interface MeteredRun {
  sample: RateSample;
  cpu: Record<string, number | undefined>;
}

/** What a section comparing gateway sides needs of the run (run.ts builds it). */
export interface GatewaySidesContext {
  repoRoot: string;
  workDir: string;
  temporalPid: number | undefined;
  /** The environment the gateway child runs with; each side overrides its own settings. */
  gatewayEnv: Record<string, string | undefined>;
  loadTarget: LoadTarget;
  log: (line: string) => void;
}

export interface GatewayChild {
  url: string;
  pid: number | undefined;
  child: BenchChild;
}

/** Starts bench/gateway-child.ts with `env` and resolves with its URL once it listens. */
export async function startGatewayChild(
  repoRoot: string,
  env: Record<string, string | undefined>,
): Promise<GatewayChild> {
  const started = await startAndWaitFor(
    {
      command: process.execPath,
      args: ['--import', 'tsx', join(repoRoot, 'bench', 'gateway-child.ts')],
      env,
      cwd: repoRoot,
    },
    (line) =>
      line.startsWith(GATEWAY_READY_PREFIX) ? line.slice(GATEWAY_READY_PREFIX.length).trim() : undefined,
    60_000,
  );
  return { url: started.value, pid: started.child.process.pid, child: started.child };
}

/** One run under load, metering the given processes (and the bench itself) while it lasts. */
export async function meteredRun(
  pids: Readonly<Record<string, number | undefined>>,
  load: () => Promise<RateSample>,
): Promise<MeteredRun> {
  const meter = startCpuMeter(pids);
  const sample = await load();
  return { sample, cpu: meter.read() };
}

/**
 * `rounds` rounds in which every side runs once, the order rotating each round (two sides: a, b,
 * then b, a); `afterRound` sees the runs so far, for a progress line.
 */
export async function takeTurns<Side extends string>(
  sides: readonly Side[],
  rounds: number,
  run: (side: Side) => Promise<MeteredRun>,
  afterRound?: (round: number, runs: Readonly<Record<Side, MeteredRun[]>>) => void,
): Promise<Record<Side, MeteredRun[]>> {
  const runs = Object.fromEntries(sides.map((side) => [side, [] as MeteredRun[]])) as Record<
    Side,
    MeteredRun[]
  >;
  for (let round_ = 0; round_ < rounds; round_ += 1) {
    const shift = round_ % sides.length;
    const order = [...sides.slice(shift), ...sides.slice(0, shift)];
    for (const side of order) runs[side].push(await run(side));
    afterRound?.(round_, runs);
  }
  return runs;
}

/** CPU ms per completed signal of each metered process over several runs. */
export function cpuPerSignal(runs: readonly MeteredRun[]): Record<string, number> {
  const completed = runs.reduce((a, r) => a + r.sample.completed, 0);
  const perSignal: Record<string, number> = {};
  for (const name of Object.keys(runs[0]?.cpu ?? {})) {
    const values = runs.map((r) => r.cpu[name]);
    if (completed === 0 || !values.every((v): v is number => v !== undefined)) continue;
    perSignal[name] = round(values.reduce((a, v) => a + v, 0) / completed, 3);
  }
  return perSignal;
}

/** The same two sides paced at one rate below saturation: CPU per signal of the same work at the same pace. */
export interface PacedComparison {
  /** Signals/s autocannon held both sides at (its overallRate). */
  rate: number;
  offCpuMsPerSignal: Record<string, number>;
  onCpuMsPerSignal: Record<string, number>;
  /** Gateway process CPU per signal, on ÷ off. */
  gatewayCpuRatio: number;
  offSignalsPerSec: number;
  onSignalsPerSec: number;
  errors: number;
}

/**
 * Runs an off/on A/B again paced at 60 % of the slower side's closed-loop rate (`run` passes the rate
 * to autocannon's overallRate): a closed loop on shared cores spreads each side's fixed per-turn costs
 * over however many signals it managed, so a slower side reads as costlier per signal than its work is.
 */
export async function comparePaced(
  closedOff: readonly MeteredRun[],
  closedOn: readonly MeteredRun[],
  rounds: number,
  run: (side: 'off' | 'on', rate: number) => Promise<MeteredRun>,
): Promise<PacedComparison> {
  const rate = Math.max(10, Math.round(0.6 * Math.min(signalsPerSec(closedOff), signalsPerSec(closedOn))));
  const { off, on } = await takeTurns(['off', 'on'] as const, rounds, (side) => run(side, rate));
  const [offCpu, onCpu] = [cpuPerSignal(off), cpuPerSignal(on)];
  return {
    rate,
    offCpuMsPerSignal: offCpu,
    onCpuMsPerSignal: onCpu,
    gatewayCpuRatio: round((onCpu.gateway ?? NaN) / (offCpu.gateway ?? NaN), 3),
    offSignalsPerSec: signalsPerSec(off),
    onSignalsPerSec: signalsPerSec(on),
    errors: errorsOf(off) + errorsOf(on),
  };
}

/** Signals per second over several runs. */
export const signalsPerSec = (runs: readonly MeteredRun[]): number =>
  round(runs.reduce((a, r) => a + r.sample.completed, 0) / runs.reduce((a, r) => a + r.sample.seconds, 0));

export const errorsOf = (runs: readonly MeteredRun[]): number =>
  runs.reduce((a, r) => a + r.sample.errors, 0);

export const completedOf = (runs: readonly MeteredRun[]): number =>
  runs.reduce((a, r) => a + r.sample.completed, 0);

/**
 * The pid of this process's child named `comm` (an emulator a `local/` starter runs without exposing
 * its process), to meter its CPU apart. Linux /proc; undefined elsewhere (the meter then skips it).
 */
export function childPidNamed(comm: string): number | undefined {
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (name === comm && ppid === process.pid) return Number(entry);
      } catch {
        // A process that exited while we looked.
      }
    }
  } catch {
    return undefined;
  }
  return undefined;
}

export interface GatewayProfileOptions {
  repoRoot: string;
  env: Record<string, string | undefined>;
  /** Where the `.cpuprofile` goes (replaced). */
  file: string;
  /** Before the profiler starts: the first requests load what they load (on-demand chunks, SDKs). */
  warmUp: (url: string) => Promise<unknown>;
  /** The profiled load. */
  load: (url: string) => Promise<RateSample>;
}

/**
 * Self µs per signal by module of one gateway child, profiled over one load run after its warm-up
 * (gateway-child.ts: SIGUSR2 starts the profiler, SIGTERM writes it), so start-up is not in it.
 */
export async function profileGatewayLoad(options: GatewayProfileOptions): Promise<InitCost[]> {
  const { file } = options;
  await mkdir(dirname(file), { recursive: true });
  await rm(file, { force: true });
  const gateway = await startGatewayChild(options.repoRoot, { ...options.env, BENCH_CPU_PROFILE: file });
  try {
    await options.warmUp(gateway.url);
    gateway.child.process.kill('SIGUSR2');
    const deadline = Date.now() + 10_000;
    while (!gateway.child.tail.includes(PROFILING_LINE)) {
      if (Date.now() > deadline) throw new GatewayProfileError('the gateway child did not start profiling');
      await setTimeout(20);
    }
    const sample = await options.load(gateway.url);
    await gateway.child.stop();
    const costs = await costsByModule(file, options.repoRoot);
    // ms over the run → µs per signal, so a slower side's fewer signals do not read as savings.
    return costs.map((c) => ({ ...c, selfMs: (c.selfMs * 1000) / Math.max(1, sample.completed) }));
  } finally {
    await gateway.child.stop();
  }
}

/**
 * Self time by module, on − off, the `top` largest increases. Per module the median over the runs
 * (a module absent from a profile counts 0): one busy moment of the shared machine in one profile
 * does not move it, as it moves a mean.
 */
export function extraByModule(off: readonly InitCost[][], on: readonly InitCost[][], top = 8): InitCost[] {
  const medians = (profiles: readonly InitCost[][]) => {
    const modules = new Set(profiles.flatMap((costs) => costs.map((c) => c.module)));
    return new Map(
      [...modules].map((module) => [
        module,
        median(profiles.map((costs) => costs.find((c) => c.module === module)?.selfMs ?? 0)),
      ]),
    );
  };
  const [offMs, onMs] = [medians(off), medians(on)];
  const extra = [...onMs].map(([module, ms]) => ({ module, selfMs: ms - (offMs.get(module) ?? 0) }));
  const added = extra.filter((e) => e.selfMs > 0).reduce((a, e) => a + e.selfMs, 0);
  return extra
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, top)
    .map((e) => ({ module: e.module, selfMs: round(e.selfMs), share: round(e.selfMs / added, 3) }));
}
