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
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { EventGatewayError } from '../contract/errors';
import { PAYLOAD_ENV } from '../contract/env-names';
import { LOCAL_KMS_CREDENTIALS, startLocalKms } from '../local/kms-server';
import { measureColdStarts } from './cold-start';
import type { InitCost } from './cpu-profile';
import {
  childPidNamed,
  comparePaced,
  cpuPerSignal,
  errorsOf,
  extraByModule,
  meteredRun,
  profileGatewayLoad,
  signalsPerSec,
  startGatewayChild,
  takeTurns,
  type PacedComparison,
} from './gateway-sides';
import { bundleLambdas, measureInit, profileInit, type BundledLambda } from './lambda-init';
import { gatewayRate, startPool, type LoadTarget } from './signal-load';
import { round } from './stats';

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
  /**
   * The same A/B paced (autocannon's overallRate, still 32 connections) at `rate` signals/s — 60 %
   * of the slower side's closed-loop rate, so neither side saturates the machine: CPU per signal
   * of the same work at the same pace.
   */
  paced: PacedComparison;
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
    /** µs per signal (not ms), over one warm load run a side at the paced rate. */
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
/** Init profiles are short and noisy: a few a side whatever the plan. */
const INIT_PROFILE_RUNS = 5;

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
  // startLocalKms does not expose its process: the bench's own child named local-kms.
  const kmsPid = childPidNamed('local-kms');
  try {
    const keyEnv = {
      [PAYLOAD_ENV.kmsKeyId]: kms.keyId,
      [PAYLOAD_ENV.kmsEndpoint]: kms.endpoint,
      AWS_REGION: kms.region,
      AWS_ACCESS_KEY_ID: LOCAL_KMS_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_KMS_CREDENTIALS.secretAccessKey,
    };
    const startGateway = async (env: Record<string, string | undefined>) => {
      const gateway = await startGatewayChild(ctx.repoRoot, env);
      stoppers.push(() => gateway.child.stop());
      return gateway;
    };
    const off = await startGateway({ ...ctx.gatewayEnv, [PAYLOAD_ENV.kmsKeyId]: undefined });
    const on = await startGateway({ ...ctx.gatewayEnv, ...keyEnv });

    const measure = (gateway: { url: string; pid: number | undefined }, withKms: boolean, rate?: number) =>
      meteredRun(
        { gateway: gateway.pid, temporal: ctx.temporalPid, ...(withKms ? { kms: kmsPid } : {}) },
        () => gatewayRate(gateway.url, ctx.loadTarget, plan.concurrency, plan.seconds, rate),
      );
    log('encryption: warm-up of both gateways (the encrypted one generates its first data key)');
    await gatewayRate(off.url, ctx.loadTarget, 8, 1);
    await gatewayRate(on.url, ctx.loadTarget, 8, 1);
    const keysBeforeLoad = dataKeys;
    const { off: offRuns, on: onRuns } = await takeTurns(
      ['off', 'on'] as const,
      plan.rounds,
      (side) => (side === 'off' ? measure(off, false) : measure(on, true)),
      (round_, runs) =>
        log(
          `encryption round ${round_ + 1}/${plan.rounds}: off ${runs.off.at(-1)!.sample.signalsPerSec}/s, ` +
            `on ${runs.on.at(-1)!.sample.signalsPerSec}/s`,
        ),
    );
    const paced = await comparePaced(offRuns, onRuns, plan.rounds, (side, rate) =>
      side === 'off' ? measure(off, false, rate) : measure(on, true, rate),
    );
    log(`encryption: the same A/B paced at ${paced.rate} signals/s (60 % of the slower side)`);
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
    /** Self µs per signal by module of one gateway, profiled over one paced load run (warm, after start-up). */
    const gatewayProfile = (env: Record<string, string | undefined>, name: string) =>
      profileGatewayLoad({
        repoRoot: ctx.repoRoot,
        env,
        file: join(profileDir, `${name}.cpuprofile`),
        warmUp: (url) => gatewayRate(url, ctx.loadTarget, 8, 1),
        // At the paced A/B's rate: the profile explains the figure that counts, not saturation.
        load: (url) => gatewayRate(url, ctx.loadTarget, plan.concurrency, plan.seconds, paced.rate),
      });
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
      offSignalsPerSec: signalsPerSec(offRuns),
      onSignalsPerSec: signalsPerSec(onRuns),
      throughputRatio: round(signalsPerSec(onRuns) / signalsPerSec(offRuns), 3),
      offCpuMsPerSignal: offCpu,
      onCpuMsPerSignal: onCpu,
      gatewayCpuRatio: round((onCpu.gateway ?? NaN) / (offCpu.gateway ?? NaN), 3),
      paced,
      offErrors: errorsOf(offRuns),
      onErrors: errorsOf(onRuns),
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
