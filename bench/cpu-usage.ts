/**
 * CPU time of the processes a benchmark involves, so a throughput figure on a shared, CPU-bound
 * machine comes with where the CPU went: per signal, for the caller, the gateway and Temporal.
 */
import { readFileSync } from 'node:fs';

/** Linux reports utime/stime in clock ticks; 100 per second everywhere Node runs on Linux. */
const CLOCK_TICKS_PER_SECOND = 100;

/** User + system CPU ms of a process (all its threads), or undefined where /proc is not there. */
export function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces and parentheses; the fields after its last ')' do not.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return ((utime + stime) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

const selfCpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

export interface CpuMeter {
  /** CPU ms each named process used since the meter started. */
  read(): Record<string, number | undefined>;
}

/** Starts metering this process (`bench`) and the given child processes by pid. */
export function startCpuMeter(pids: Readonly<Record<string, number | undefined>>): CpuMeter {
  const start = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, processCpuMs(pid)]));
  const benchStart = selfCpuMs();
  return {
    read() {
      const used: Record<string, number | undefined> = { bench: selfCpuMs() - benchStart };
      for (const [name, pid] of Object.entries(pids)) {
        const now = processCpuMs(pid);
        const before = start[name];
        used[name] = now !== undefined && before !== undefined ? now - before : undefined;
      }
      return used;
    },
  };
}
