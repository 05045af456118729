/**
 * What the built-in payload encryption (issue 28) costs: the gateway with
 * `EVENT_GATEWAY_PAYLOAD_KMS_KEY_ID` set against a local-kms the bench starts, beside the same
 * gateway without it, on the same dev server and the same pool of workflows.
 *
 * - Gateway CPU per signal and throughput at concurrency 32: two gateway child processes (off, on),
 *   autocannon against each in turn (off, on, on, off, …: a drift of the shared machine's load falls
 *   on both alike). The KMS emulator's CPU is metered apart: in AWS, KMS is not on the gateway's CPU.
 * - The ingest function's init and cold start to the first signal: the same ingest bundle with and
 *   without the key in its environment, fresh processes taking turns. Init must not call KMS (the
 *   codec and the KMS client are imported at init, the data key is generated on the first signal);
 *   the emulator's log counts the data keys it generated during the init-only runs.
 *
 * The load's workflows have no worker (as in the throughput section), so nothing decodes here; the
 * section checks instead that the encrypted gateway's signal is stored `binary/encrypted`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { EventGatewayError } from '../contract/errors';
import { PAYLOAD_ENV } from '../contract/env-names';
import { LOCAL_KMS_CREDENTIALS, startLocalKms } from '../local/kms-server';
import { measureColdStarts } from './cold-start';
import { startCpuMeter } from './cpu-usage';
import { costsByModule, type InitCost } from './cpu-profile';
import { bundleLambdas, measureInit, profileInit, type BundledLambda } from './lambda-init';
import { GATEWAY_READY_PREFIX, startAndWaitFor } from './processes';
import { gatewayRate, startPool, type LoadTarget, type RateSample } from './signal-load';
import { median, round } from './stats';

/** The figures of one run; report.ts renders them and checks the goals. */
export interface EncryptionResult {
  concurrency: number;
  /** Runs per side, each `secondsPerRun` long. */
  runsPerSide: number;
  secondsPerRun: number;
  offSignalsPerSec: number;
  onSignalsPerSec: number;
  /** on ÷ off */
  throughputRatio: number;
  offCpuMsPerSignal: Record<string, number>;
  onCpuMsPerSignal: Record<string, number>;
  /** Gateway process CPU per signal, on ÷ off (goal ≤ 1.1). */
  gatewayCpuRatio: number;
  offErrors: number;
  onErrors: number;
  /** Data keys local-kms generated during the on runs (the codec caches one per environment). */
  dataKeysDuringLoad: number;
  /** The last signal the encrypted gateway sent, as stored in the history. */
  storedEncoding: string;
  init: { offMs: number; onMs: number; ratio: number; offCpuMs: number; onCpuMs: number; runs: number };
  /** Data keys generated while only the init phase ran (must be 0: no KMS call at cold start). */
  dataKeysDuringInit: number;
  coldStart: {
    offMs: number;
    onMs: number;
    ratio: number;
    offInitMs: number;
    onInitMs: number;
    /** CPU ms of the process to the first signal (median): the same cost, less moved by the machine's load. */
    offCpuMs: number;
    onCpuMs: number;
    runs: number;
  };
  /** Data keys generated during the cold starts: one per encrypted process (its first signal). */
  dataKeysDuringColdStart: number;
  /** Where the extra time goes, on − off: self ms by module in `--cpu-prof` profiles (largest first). */
  extraCost: {
    /** µs per signal (not ms), over one warm load run a side. */
    gatewayUnderLoad: InitCost[];
    /** ms of one init. */
    ingestInit: InitCost[];
    gatewayProfileRuns: number;
    initProfileRuns: number;
  };
  /** KiB of the ingest bundle's on-demand chunks (the codec and the KMS client among them). */
  ingestOnDemandKiB: number;
  method: string;
}

export interface EncryptionContext {
  repoRoot: string;
  workDir: string;
  client: Client;
  temporalAddress: string;
  temporalPid: number | undefined;
  /** The environment the unencrypted gateway child runs with. */
  gatewayEnv: Record<string, string | undefined>;
  loadTarget: LoadTarget;
  apiKey: string;
  deadlineMs: number;
  log: (line: string) => void;
}

export interface EncryptionPlan {
  concurrency: number;
  /** Runs per side (off and on each). */
  rounds: number;
  seconds: number;
  initRuns: number;
  coldRuns: number;
  profileRuns: number;
}

export class EncryptionBenchError extends EventGatewayError {
  override readonly name = 'EncryptionBenchError';
}

/** local-kms logs this line for every GenerateDataKey it answers. */
const DATA_KEY_LINE = 'Data key generated';
/** gateway-child.ts prints this once its profiler runs (after SIGUSR2). */
const PROFILING_LINE = 'bench-gateway-profiling';
/** Init profiles are short and noisy: a few a side whatever the plan. */
const INIT_PROFILE_RUNS = 5;

interface MeteredRun {
  sample: RateSample;
  cpu: Record<string, number | undefined>;
}

/** CPU ms per completed signal of each metered process over several runs. */
function cpuPerSignal(runs: readonly MeteredRun[]): Record<string, number> {
  const completed = runs.reduce((a, r) => a + r.sample.completed, 0);
  const perSignal: Record<string, number> = {};
  for (const name of Object.keys(runs[0]?.cpu ?? {})) {
    const values = runs.map((r) => r.cpu[name]);
    if (completed === 0 || !values.every((v): v is number => v !== undefined)) continue;
    perSignal[name] = round(values.reduce((a, v) => a + v, 0) / completed, 3);
  }
  return perSignal;
}

const rate = (runs: readonly MeteredRun[]) =>
  round(runs.reduce((a, r) => a + r.sample.completed, 0) / runs.reduce((a, r) => a + r.sample.seconds, 0));

/**
 * The emulator's pid, to meter its CPU apart: startLocalKms does not expose its process, so the
 * bench's own child named `local-kms` (Linux /proc; undefined elsewhere, the meter then skips it).
 */
function localKmsPid(): number | undefined {
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (comm === 'local-kms' && ppid === process.pid) return Number(entry);
      } catch {
        // A process that exited while we looked.
      }
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/**
 * Self time by module, on − off, the `top` largest increases. Per module the median over the runs
 * (a module absent from a profile counts 0): one busy moment of the shared machine in one profile
 * does not move it, as it moves a mean.
 */
function extraByModule(off: readonly InitCost[][], on: readonly InitCost[][], top = 8): InitCost[] {
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

/** The `encoding` metadata of the last signal's first payload in a workflow's history. */
async function lastSignalEncoding(client: Client, workflowId: string): Promise<string> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const signals = (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes);
  const payload = signals.at(-1)?.workflowExecutionSignaledEventAttributes?.input?.payloads?.[0];
  const encoding = payload?.metadata?.encoding;
  return encoding ? new TextDecoder().decode(encoding) : 'none';
}

export async function encryptionSection(
  plan: EncryptionPlan,
  ctx: EncryptionContext,
): Promise<EncryptionResult> {
  const { log } = ctx;
  let dataKeys = 0;
  const kms = await startLocalKms({
    onOutput: (line) => {
      if (line.includes(DATA_KEY_LINE)) dataKeys += 1;
    },
  });
  const stoppers: (() => Promise<unknown>)[] = [() => kms.stop()];
  const kmsPid = localKmsPid();
  try {
    const keyEnv = {
      [PAYLOAD_ENV.kmsKeyId]: kms.keyId,
      [PAYLOAD_ENV.kmsEndpoint]: kms.endpoint,
      AWS_REGION: kms.region,
      AWS_ACCESS_KEY_ID: LOCAL_KMS_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_KMS_CREDENTIALS.secretAccessKey,
    };
    const startGateway = async (env: Record<string, string | undefined>) => {
      const started = await startAndWaitFor(
        {
          command: process.execPath,
          args: ['--import', 'tsx', join(ctx.repoRoot, 'bench', 'gateway-child.ts')],
          env,
          cwd: ctx.repoRoot,
        },
        (line) =>
          line.startsWith(GATEWAY_READY_PREFIX) ? line.slice(GATEWAY_READY_PREFIX.length).trim() : undefined,
        60_000,
      );
      stoppers.push(() => started.child.stop());
      return { url: started.value, pid: started.child.process.pid, child: started.child };
    };
    const off = await startGateway({ ...ctx.gatewayEnv, [PAYLOAD_ENV.kmsKeyId]: undefined });
    const on = await startGateway({ ...ctx.gatewayEnv, ...keyEnv });

    const measure = async (gateway: { url: string; pid: number | undefined }, withKms: boolean) => {
      const meter = startCpuMeter({
        gateway: gateway.pid,
        temporal: ctx.temporalPid,
        ...(withKms ? { kms: kmsPid } : {}),
      });
      const sample = await gatewayRate(gateway.url, ctx.loadTarget, plan.concurrency, plan.seconds);
      return { sample, cpu: meter.read() };
    };
    log('encryption: warm-up of both gateways (the encrypted one generates its first data key)');
    await gatewayRate(off.url, ctx.loadTarget, 8, 1);
    await gatewayRate(on.url, ctx.loadTarget, 8, 1);
    const offRuns: MeteredRun[] = [];
    const onRuns: MeteredRun[] = [];
    const keysBeforeLoad = dataKeys;
    for (let round_ = 0; round_ < plan.rounds; round_ += 1) {
      const order = round_ % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const);
      for (const side of order) {
        if (side === 'off') offRuns.push(await measure(off, false));
        else onRuns.push(await measure(on, true));
      }
      log(
        `encryption round ${round_ + 1}/${plan.rounds}: off ${offRuns.at(-1)!.sample.signalsPerSec}/s, ` +
          `on ${onRuns.at(-1)!.sample.signalsPerSec}/s`,
      );
    }
    const dataKeysDuringLoad = dataKeys - keysBeforeLoad;
    const storedEncoding = await lastSignalEncoding(ctx.client, ctx.loadTarget.workflowIds[0]!);
    if (storedEncoding !== 'binary/encrypted')
      throw new EncryptionBenchError(
        `the encrypted gateway's signal is stored as ${storedEncoding}, not binary/encrypted: encryption was not on`,
      );
    const offCpu = cpuPerSignal(offRuns);
    const onCpu = cpuPerSignal(onRuns);

    // The ingest function: one bundle, two labels, the key in the environment or not.
    const [ingest] = (await bundleLambdas(ctx.repoRoot, join(ctx.workDir, 'encryption'))).filter(
      (bundle) => bundle.variant === 'ingest',
    );
    if (!ingest) throw new EncryptionBenchError('no ingest bundle');
    const bundles: BundledLambda[] = [
      { ...ingest, label: 'ingestOff' },
      { ...ingest, label: 'ingestOn' },
    ];
    const envOf = (bundle: BundledLambda) => (bundle.label === 'ingestOn' ? keyEnv : {});
    log(`encryption: ingest init, ${plan.initRuns} fresh processes each`);
    const keysBeforeInit = dataKeys;
    const init = await measureInit(bundles, plan.initRuns, true, envOf);
    const dataKeysDuringInit = dataKeys - keysBeforeInit;
    if (dataKeysDuringInit !== 0)
      throw new EncryptionBenchError(
        `the ingest init generated ${dataKeysDuringInit} data keys: it calls KMS`,
      );

    log(`encryption: ingest cold start to the first signal, ${plan.coldRuns} each`);
    const runId = Date.now().toString(36);
    const workflowId = (label: string, run: number) => `staged-enc-${runId}-${label}-${run}`;
    await startPool(
      ctx.client,
      {
        ...ctx.loadTarget,
        workflowIds: bundles.flatMap((b) =>
          Array.from({ length: plan.coldRuns }, (_, run) => workflowId(b.label, run)),
        ),
      },
      ctx.deadlineMs,
    );
    const keysBeforeCold = dataKeys;
    const cold = await measureColdStarts(
      bundles,
      plan.coldRuns,
      ctx.temporalAddress,
      ctx.apiKey,
      workflowId,
      envOf,
    );
    const dataKeysDuringColdStart = dataKeys - keysBeforeCold;

    log(
      `encryption: CPU profiles (${plan.profileRuns} a side) of the gateways under load and of the ingest init`,
    );
    const profileDir = join(ctx.workDir, 'encryption-profiles');
    /** Self µs per signal by module of one gateway, profiled over one load run (warm, after start-up). */
    const gatewayProfile = async (env: Record<string, string | undefined>, name: string) => {
      const file = join(profileDir, `${name}.cpuprofile`);
      await mkdir(profileDir, { recursive: true });
      await rm(file, { force: true });
      const gateway = await startGateway({ ...env, BENCH_CPU_PROFILE: file });
      await gatewayRate(gateway.url, ctx.loadTarget, 8, 1);
      gateway.child.process.kill('SIGUSR2');
      const deadline = Date.now() + 10_000;
      while (!gateway.child.tail.includes(PROFILING_LINE)) {
        if (Date.now() > deadline)
          throw new EncryptionBenchError('the gateway child did not start profiling');
        await setTimeout(20);
      }
      const sample = await gatewayRate(gateway.url, ctx.loadTarget, plan.concurrency, plan.seconds);
      await gateway.child.stop();
      const costs = await costsByModule(file, ctx.repoRoot);
      // ms over the run → µs per signal, so a slower side's fewer signals do not read as savings.
      return costs.map((c) => ({ ...c, selfMs: (c.selfMs * 1000) / Math.max(1, sample.completed) }));
    };
    const profiled = (
      await bundleLambdas(ctx.repoRoot, join(ctx.workDir, 'encryption-profiled'), { minify: false })
    ).find((bundle) => bundle.variant === 'ingest')!;
    const gatewayOff: InitCost[][] = [];
    const gatewayOn: InitCost[][] = [];
    const initProfOff: InitCost[][] = [];
    const initProfOn: InitCost[][] = [];
    for (let run = 0; run < plan.profileRuns; run += 1) {
      gatewayOff.push(
        await gatewayProfile({ ...ctx.gatewayEnv, [PAYLOAD_ENV.kmsKeyId]: undefined }, `off-${run}`),
      );
      gatewayOn.push(await gatewayProfile({ ...ctx.gatewayEnv, ...keyEnv }, `on-${run}`));
      initProfOff.push(await profileInit({ ...profiled, label: 'ingestOff' }, profileDir));
      initProfOn.push(await profileInit({ ...profiled, label: 'ingestOn' }, profileDir, keyEnv));
    }
    const initOff = init.ingestOff!;
    const initOn = init.ingestOn!;
    const coldOff = cold.ingestOff!;
    const coldOn = cold.ingestOn!;
    return {
      concurrency: plan.concurrency,
      runsPerSide: plan.rounds,
      secondsPerRun: plan.seconds,
      offSignalsPerSec: rate(offRuns),
      onSignalsPerSec: rate(onRuns),
      throughputRatio: round(rate(onRuns) / rate(offRuns), 3),
      offCpuMsPerSignal: offCpu,
      onCpuMsPerSignal: onCpu,
      gatewayCpuRatio: round((onCpu.gateway ?? NaN) / (offCpu.gateway ?? NaN), 3),
      offErrors: offRuns.reduce((a, r) => a + r.sample.errors, 0),
      onErrors: onRuns.reduce((a, r) => a + r.sample.errors, 0),
      dataKeysDuringLoad,
      storedEncoding,
      init: {
        offMs: initOff.initMs,
        onMs: initOn.initMs,
        ratio: round(initOn.initMs / initOff.initMs, 3),
        offCpuMs: initOff.cpuMs,
        onCpuMs: initOn.cpuMs,
        runs: plan.initRuns,
      },
      dataKeysDuringInit,
      dataKeysDuringColdStart,
      ingestOnDemandKiB: round((ingest.allBytes - ingest.bytes) / 1024),
      extraCost: {
        gatewayUnderLoad: extraByModule(gatewayOff, gatewayOn),
        ingestInit: extraByModule(initProfOff, initProfOn),
        gatewayProfileRuns: plan.profileRuns,
        initProfileRuns: INIT_PROFILE_RUNS,
      },
      coldStart: {
        offMs: coldOff.toFirstSignalMs,
        onMs: coldOn.toFirstSignalMs,
        ratio: round(coldOn.toFirstSignalMs / coldOff.toFirstSignalMs, 3),
        offInitMs: coldOff.initMs,
        onInitMs: coldOn.initMs,
        offCpuMs: coldOff.cpuMs,
        onCpuMs: coldOn.cpuMs,
        runs: plan.coldRuns,
      },
      method:
        `two gateway child processes on one dev server, off = no ${PAYLOAD_ENV.kmsKeyId}, on = the key of a ` +
        'local-kms the bench starts (the built-in AES-256-GCM codec, KMS data keys); autocannon at ' +
        `${plan.concurrency} against each in turn (off, on, on, off, …), ${plan.rounds} × ${plan.seconds} s a side; ` +
        'CPU ms per signal from /proc (kms = the emulator, not on the gateway in AWS); ingest: the same bundle ' +
        'with and without the key, fresh processes taking turns (init = process start → module loaded; cold ' +
        'start = → the first signal acknowledged, the first GenerateDataKey included)',
    };
  } finally {
    for (const stop of stoppers.reverse())
      await stop().catch((error: unknown) => log(`encryption: stop failed: ${String(error)}`));
  }
}
