/**
 * Where the gateway's CPU per signal goes, and what a change to its request path saved, in one run:
 * `npx tsx bench/throughput-profile.ts [--baseline <dir>] [--rounds 4] [--seconds 4] [--profile] [--tsx]
 * [--rate <signals/s>]`.
 *
 * One Temporal dev server; the gateway child of this tree (`current`) and, with `--baseline`, the
 * gateway child of another copy of the repository (say the commit before the change, its
 * `node_modules` linked to this one's) side by side. Each round runs the direct client, then each
 * gateway, at concurrency 32 (the headline), and reads every process's CPU from /proc: the figure
 * compared is CPU ms per signal of the gateway process against the direct client's (the bench
 * process during the direct run), so a busy minute of the shared machine falls on all sides.
 * `--profile` adds one profiled run per gateway (gateway-child.ts, SIGUSR2 → SIGTERM) and prints
 * its self time by module in µs per signal. Each gateway child runs bundled, as users run the
 * gateway (gateway-bundle.ts); `--tsx` runs the sources under tsx instead.
 *
 * `--rate <signals/s>` paces the gateways' runs (not the direct client's) to that rate: on a loaded
 * machine a closed loop gives each side the rate its share of the cores allows, and CPU per signal
 * falls with the rate (more requests per event-loop turn), so a paced A/B compares the same work.
 */
import { setTimeout } from 'node:timers/promises';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { SIGNALS, WORKFLOW_TYPES } from '../contract';
import { DEFAULT_GATEWAY_CONFIG } from '../functions/core/default-config';
import { GATEWAY_ENV, TEMPORAL_ENV } from '../functions/core/env-names';
import { freePort } from '../local/java-process';
import { startTemporalDevServer } from '../local/temporal-dev-server';
import { costsByModule, type InitCost } from './cpu-profile';
import { bundledGatewayChild } from './gateway-bundle';
import { startCpuMeter } from './cpu-usage';
import { GATEWAY_READY_PREFIX, startAndWaitFor, type BenchChild } from './processes';
import { directRate, gatewayRate, startPool, type LoadTarget, type RateSample } from './signal-load';
import { median, round } from './stats';

const CONCURRENCY = 32;
const DEADLINE_MS = 5_000;
const API_KEY = 'bench-api-key-0123456789';
const PROFILING_LINE = 'bench-gateway-profiling';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    baseline: { type: 'string' },
    rounds: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '4' },
    profile: { type: 'boolean', default: false },
    tsx: { type: 'boolean', default: false },
    rate: { type: 'string' },
  },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
/** Gateways paced to this many signals per second (all connections together), else closed loop. */
const pacedRate = values.rate === undefined ? undefined : Number(values.rate);
const log = (line: string) => console.log(`[profile] ${line}`);
const PROFILE_OPTIONS = { maxSampleMicros: 2_000, nodeInternalsByFolder: true };

/**
 * A profile's self time by module as µs per signal: shares of the busy (non-idle) samples scaled to
 * the CPU per signal /proc measured in the metered runs, so neither the profiler's own cost nor a
 * loaded machine's preemptions inflate a figure.
 */
function logProfile(name: string, all: readonly InitCost[], cpuMsPerSignal: number, sample: RateSample) {
  const costs = all.filter((c) => c.module !== '(idle)');
  const busy = costs.reduce((total, c) => total + c.selfMs, 0);
  const cpuMicros = cpuMsPerSignal * 1000;
  const rows = costs.map((c) => `${c.module} ${round((c.selfMs / busy) * cpuMicros, 1)}`).slice(0, 30);
  log(
    `${name} profile (µs per signal of ${round(cpuMicros)}, ${sample.completed} signals): ${rows.join('; ')}`,
  );
}

const temporal = await startTemporalDevServer({ port: await freePort(), ui: false });
const children: BenchChild[] = [];
try {
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection, namespace: 'default' });
  const taskQueue = `bench-profile-${Date.now().toString(36)}`;
  const [staged] = DEFAULT_GATEWAY_CONFIG.targets;
  const config = {
    targets: [
      { ...staged, name: 'bench-load', workflowIdPattern: '^bench-[A-Za-z0-9._:-]{1,120}$', taskQueue },
    ],
  };
  const env = {
    ...process.env,
    [TEMPORAL_ENV.address]: temporal.address,
    [GATEWAY_ENV.config]: JSON.stringify(config),
    [GATEWAY_ENV.auth]: 'api-key',
    [GATEWAY_ENV.apiKeys]: API_KEY,
    [GATEWAY_ENV.queueUrl]: undefined,
    [GATEWAY_ENV.sqsEndpoint]: undefined,
  };
  const startGateway = async (root: string, extra: Record<string, string> = {}) => {
    const { command, args } = values.tsx
      ? { command: process.execPath, args: ['--import', 'tsx', join(root, 'bench', 'gateway-child.ts')] }
      : await bundledGatewayChild(root);
    const started = await startAndWaitFor(
      {
        command,
        args,
        env: { ...env, ...extra },
        cwd: root,
      },
      (line) =>
        line.startsWith(GATEWAY_READY_PREFIX) ? line.slice(GATEWAY_READY_PREFIX.length).trim() : undefined,
      60_000,
    );
    children.push(started.child);
    return { url: started.value, child: started.child };
  };
  const roots: Record<string, string> = { current: repoRoot };
  if (values.baseline) roots.baseline = values.baseline;
  const gateways = Object.fromEntries(
    await Promise.all(
      Object.entries(roots).map(async ([name, root]) => [name, await startGateway(root)] as const),
    ),
  );
  const target: LoadTarget = {
    namespace: 'default',
    workflowType: WORKFLOW_TYPES.staged,
    taskQueue,
    signal: SIGNALS.advanceStage,
    payload: { stage: 1 },
    workflowIds: Array.from({ length: 256 }, (_, i) => `bench-${taskQueue}-${i}`),
    httpHeaders: { 'x-api-key': API_KEY },
  };
  await startPool(client, target, DEADLINE_MS);
  log(
    `warm-up; load average ${loadavg()
      .map((v) => round(v, 2))
      .join(' ')}`,
  );
  await directRate(client, target, 8, 2, DEADLINE_MS);
  for (const gateway of Object.values(gateways)) await gatewayRate(gateway.url, target, 8, 2);

  const perSignal: Record<string, number[]> = { direct: [] };
  const rates: Record<string, number[]> = { direct: [] };
  const metered = async (pid: number | undefined, run: () => Promise<RateSample>) => {
    const meter = startCpuMeter({ process: pid });
    const sample = await run();
    const cpu = meter.read();
    return { sample, cpuMs: (pid === undefined ? cpu.bench : cpu.process) ?? 0 };
  };
  const record = (name: string, { sample, cpuMs }: { sample: RateSample; cpuMs: number }) => {
    (perSignal[name] ??= []).push(cpuMs / Math.max(1, sample.completed));
    (rates[name] ??= []).push(sample.signalsPerSec);
  };
  for (let round_ = 0; round_ < rounds; round_ += 1) {
    // Alternate the order so neither gateway always runs right after the direct client.
    const names = Object.keys(gateways);
    if (round_ % 2 === 1) names.reverse();
    record(
      'direct',
      await metered(undefined, () => directRate(client, target, CONCURRENCY, seconds, DEADLINE_MS)),
    );
    for (const name of names) {
      const gateway = gateways[name]!;
      record(
        name,
        await metered(gateway.child.process.pid, () =>
          gatewayRate(gateway.url, target, CONCURRENCY, seconds, pacedRate),
        ),
      );
    }
  }
  const direct = median(perSignal.direct!);
  log(
    `load average after ${loadavg()
      .map((v) => round(v, 2))
      .join(' ')}`,
  );
  for (const [name, values_] of Object.entries(perSignal)) {
    const cpu = median(values_);
    log(
      `${name}: CPU µs/signal median ${round(cpu * 1000)} (runs ${values_.map((v) => round(v * 1000)).join(', ')}), ` +
        `× direct ${round(cpu / direct, 3)}, signals/s median ${round(median(rates[name]!))}`,
    );
  }
  if (values.baseline) {
    // Each round's own ratio too: the two sides of a round ran seconds apart, so a drift of the
    // shared machine's load, which moves whole rounds, cancels out of it.
    const perRound = perSignal.current!.map((cpu, i) => cpu / perSignal.baseline![i]!);
    log(
      `current ÷ baseline CPU per signal: ${round(median(perSignal.current!) / median(perSignal.baseline!), 3)}; ` +
        `per round median ${round(median(perRound), 3)}, lower in ${perRound.filter((r) => r < 1).length} of ${perRound.length}`,
    );
  }

  if (values.profile) {
    const dir = join(repoRoot, 'dist', 'bench', 'throughput-profiles');
    await mkdir(dir, { recursive: true });
    // The direct client's side: this process (its client loop and grpc-js) over one direct run.
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    const directSample = await directRate(client, target, CONCURRENCY, seconds, DEADLINE_MS);
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    const directFile = join(dir, 'direct.cpuprofile');
    await writeFile(directFile, JSON.stringify(profile));
    logProfile('direct', await costsByModule(directFile, repoRoot, PROFILE_OPTIONS), direct, directSample);
    for (const [name, root] of Object.entries(roots)) {
      const file = join(dir, `${name}.cpuprofile`);
      await rm(file, { force: true });
      const gateway = await startGateway(root, { BENCH_CPU_PROFILE: file });
      await gatewayRate(gateway.url, target, 8, 2);
      gateway.child.process.kill('SIGUSR2');
      while (!gateway.child.tail.includes(PROFILING_LINE)) await setTimeout(20);
      const sample = await gatewayRate(gateway.url, target, CONCURRENCY, seconds);
      await gateway.child.stop();
      logProfile(name, await costsByModule(file, root, PROFILE_OPTIONS), median(perSignal[name]!), sample);
    }
  }
  await connection.close();
} finally {
  for (const child of children) await child.stop().catch(() => undefined);
  await temporal.stop();
}
