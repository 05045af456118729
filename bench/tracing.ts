/**
 * What tracing (issue 29) costs: the gateway exporting its spans over OTLP/HTTP beside the same
 * gateway without an OTLP endpoint (trace context only), on the same dev server and pool of workflows.
 *
 * - Gateway CPU per signal and throughput at concurrency 32: two gateway child processes (off, on),
 *   autocannon against each in turn (off, on, on, off, …). The spans go to a sink in the bench's own
 *   process that answers every export 200 and counts the spans' bytes: the collector's work is not on
 *   the gateway's CPU in AWS either (X-Ray's endpoint, or a sidecar).
 * - The ingest function's init: the same bundle with and without the endpoint in its environment,
 *   fresh processes taking turns; and where the OpenTelemetry SDK sits in that bundle — it must be in
 *   a chunk loaded on demand (the first request), never in a file the init phase reads.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { build } from 'esbuild';
import { EventGatewayError } from '../contract/errors';
import { OTEL_ENV } from '../functions/core/trace-context';
import { filesReadAtInit, handlerBuildOptions } from '../infra/lambda-handlers';
import type { InitCost } from './cpu-profile';
import {
  comparePaced,
  completedOf,
  cpuPerSignal,
  errorsOf,
  extraByModule,
  meteredRun,
  profileGatewayLoad,
  signalsPerSec,
  startGatewayChild,
  takeTurns,
  type GatewaySidesContext,
  type PacedComparison,
} from './gateway-sides';
import { bundleLambdas, LAMBDA_VARIANTS, measureInit, type BundledLambda } from './lambda-init';
import { gatewayRate } from './signal-load';
import { round } from './stats';

/** The figures of one run; report.ts renders them and checks the goals. */
export interface TracingResult {
  concurrency: number;
  runsPerSide: number;
  secondsPerRun: number;
  offSignalsPerSec: number;
  onSignalsPerSec: number;
  offCpuMsPerSignal: Record<string, number>;
  onCpuMsPerSignal: Record<string, number>;
  /** Gateway process CPU per signal, on ÷ off (goal ≤ 1.1). */
  gatewayCpuRatio: number;
  /**
   * The same A/B paced (autocannon's overallRate, still the same connections) at `rate` signals/s —
   * 60 % of the slower side's closed-loop rate, so neither side saturates the shared cores: CPU per
   * signal of the same work at the same pace (the figure to trust on a busy machine).
   */
  paced: PacedComparison;
  offErrors: number;
  onErrors: number;
  /** OTLP exports the sink received during the on runs, and their bytes per signal. */
  exportsDuringLoad: number;
  exportedBytesPerSignal: number;
  init: { offMs: number; onMs: number; ratio: number; offCpuMs: number; onCpuMs: number; runs: number };
  /** With `BENCH_TRACING_BASELINE`: the same paced A/B of another checkout's gateway, taking turns with this one's. */
  baseline?: BaselineComparison;
  /** Where the extra CPU goes, on − off: self µs per signal by module, profiled over one warm load run a side. */
  extraCost: { gatewayUnderLoad: InitCost[]; gatewayProfileRuns: number };
  bundle: {
    /** Input modules of the OpenTelemetry SDK (and the gateway's exporters) in files the init reads: must be none. */
    otelModulesReadAtInit: string[];
    /** KiB of the on-demand chunks holding them. */
    otelOnDemandKiB: number;
  };
  method: string;
}

/**
 * This checkout's off and on beside another checkout's (a clone at the commit before a change), all
 * four paced at one rate and taking turns, so a change's effect on on ÷ off is read within one run.
 */
export interface BaselineComparison {
  repoRoot: string;
  rate: number;
  rounds: number;
  /** Gateway CPU ms per signal of each side. */
  gatewayCpuMsPerSignal: { off: number; on: number; baseOff: number; baseOn: number };
  /** on ÷ off of this checkout and of the baseline's, over all rounds. */
  ratio: number;
  baselineRatio: number;
  /** The same two ratios round by round (each round: the four sides' runs of that round). */
  ratioPerRound: number[];
  baselineRatioPerRound: number[];
  errors: number;
}

/** What the section needs of the run; `gatewayEnv` is the gateway child's environment, tracing off. */
export type TracingContext = GatewaySidesContext;

export interface TracingPlan {
  concurrency: number;
  rounds: number;
  seconds: number;
  initRuns: number;
  /** CPU profiles of each side under load (gateway-child.ts's `BENCH_CPU_PROFILE`). @default 1 */
  profileRuns?: number;
}

export class TracingBenchError extends EventGatewayError {
  override readonly name = 'TracingBenchError';
}

/** What OpenTelemetry brings into the bundle: the SDK and the gateway's modules that import it. */
const OTEL_INPUT =
  /node_modules\/@opentelemetry\/|functions\/adapters\/(tracing-otel|tracing-otlp-json|tracing-otlp-json-export|tracing-otlp-post|xray-otlp-exporter)\.ts$/;

/** An OTLP/HTTP endpoint that takes every export: counts them and their bytes. */
async function startSpanSink() {
  const counts = { exports: 0, bytes: 0 };
  const server = createServer((request, response) => {
    request.on('data', (chunk: Buffer) => (counts.bytes += chunk.length));
    request.on('end', () => {
      counts.exports += 1;
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Which OpenTelemetry inputs the ingest bundle's init reads, and the size of the chunks that hold them. */
async function otelPlacement(repoRoot: string, outDir: string): Promise<TracingResult['bundle']> {
  const { metafile } = await build({
    ...handlerBuildOptions(join(repoRoot, LAMBDA_VARIANTS.ingest), outDir),
    metafile: true,
    absWorkingDir: repoRoot,
  });
  const entry = Object.keys(metafile.outputs).find((file) => file.endsWith('/index.mjs'));
  if (!entry) throw new TracingBenchError('the ingest bundle has no index.mjs');
  const atInit = new Set(filesReadAtInit(metafile, entry));
  const otelInputs = (file: string) =>
    Object.keys(metafile.outputs[file]?.inputs ?? {}).filter((input) => OTEL_INPUT.test(input));
  const onDemand = Object.keys(metafile.outputs).filter(
    (file) => file.endsWith('.mjs') && !atInit.has(file) && otelInputs(file).length > 0,
  );
  if (onDemand.length === 0)
    throw new TracingBenchError('no chunk of the ingest bundle holds the OpenTelemetry SDK');
  return {
    otelModulesReadAtInit: [...atInit].flatMap(otelInputs),
    otelOnDemandKiB: round(onDemand.reduce((a, file) => a + (metafile.outputs[file]?.bytes ?? 0), 0) / 1024),
  };
}

export async function tracingSection(plan: TracingPlan, ctx: TracingContext): Promise<TracingResult> {
  const { log } = ctx;
  const sink = await startSpanSink();
  const stoppers: (() => Promise<unknown>)[] = [() => sink.stop()];
  try {
    const onEnv = { [OTEL_ENV.endpoint]: sink.url };
    const startGateway = async (env: Record<string, string | undefined>) => {
      const gateway = await startGatewayChild(ctx.repoRoot, env);
      stoppers.push(() => gateway.child.stop());
      return gateway;
    };
    const offEnv = {
      ...ctx.gatewayEnv,
      [OTEL_ENV.endpoint]: undefined,
      [OTEL_ENV.tracesEndpoint]: undefined,
    };
    const off = await startGateway(offEnv);
    const on = await startGateway({ ...offEnv, ...onEnv });

    const measure = (gateway: { url: string; pid: number | undefined }, rate?: number) =>
      meteredRun({ gateway: gateway.pid, temporal: ctx.temporalPid }, () =>
        gatewayRate(gateway.url, ctx.loadTarget, plan.concurrency, plan.seconds, rate),
      );
    log(
      'tracing: warm-up of both gateways (the traced one loads the OpenTelemetry SDK on its first request)',
    );
    await gatewayRate(off.url, ctx.loadTarget, 8, 1);
    await gatewayRate(on.url, ctx.loadTarget, 8, 1);
    const before = { ...sink.counts };
    const { off: offRuns, on: onRuns } = await takeTurns(
      ['off', 'on'] as const,
      plan.rounds,
      (side) => measure(side === 'off' ? off : on),
      (round_, runs) =>
        log(
          `tracing round ${round_ + 1}/${plan.rounds}: off ${runs.off.at(-1)!.sample.signalsPerSec}/s, ` +
            `on ${runs.on.at(-1)!.sample.signalsPerSec}/s`,
        ),
    );
    // The batch processor exports every second: the last batch of the last on run lands after it.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const exportsDuringLoad = sink.counts.exports - before.exports;
    const bytesDuringLoad = sink.counts.bytes - before.bytes;
    if (exportsDuringLoad === 0) throw new TracingBenchError('the traced gateway exported no spans');
    const onCompleted = completedOf(onRuns);
    const offCpu = cpuPerSignal(offRuns);
    const onCpu = cpuPerSignal(onRuns);
    const paced = await comparePaced(offRuns, onRuns, plan.rounds, (side, rate) =>
      measure(side === 'off' ? off : on, rate),
    );
    log(`tracing: paced at ${paced.rate}/s, gateway CPU on ÷ off ${paced.gatewayCpuRatio}`);

    const baselineRoot = process.env.BENCH_TRACING_BASELINE;
    let baseline: BaselineComparison | undefined;
    if (baselineRoot) {
      const baseOff = await startGatewayChild(baselineRoot, offEnv);
      const baseOn = await startGatewayChild(baselineRoot, { ...offEnv, ...onEnv });
      stoppers.push(
        () => baseOff.child.stop(),
        () => baseOn.child.stop(),
      );
      // As warm as this checkout's two, which ran the closed-loop and paced turns already: a gateway
      // fresh from its warm-up second reads up to 40 % costlier per signal (code not yet optimized).
      for (const gateway of [baseOff, baseOn])
        await gatewayRate(gateway.url, ctx.loadTarget, plan.concurrency, 2 * plan.rounds * plan.seconds);
      const gateways = { off, on, baseOff, baseOn };
      const rounds = Number(process.env.BENCH_TRACING_BASELINE_ROUNDS) || plan.rounds * 2;
      const runs = await takeTurns(
        ['off', 'baseOff', 'on', 'baseOn'] as const,
        rounds,
        (side) => measure(gateways[side], paced.rate),
        (round_, sofar) => {
          const last = (side: keyof typeof gateways) => cpuPerSignal(sofar[side].slice(-1)).gateway;
          log(
            `tracing: baseline round ${round_ + 1}/${rounds}: gateway CPU ms/signal off ${last('off')}, ` +
              `on ${last('on')}, baseline off ${last('baseOff')}, on ${last('baseOn')}`,
          );
        },
      );
      const gatewayCpu = (side: keyof typeof gateways, from = 0, to = rounds) =>
        cpuPerSignal(runs[side].slice(from, to)).gateway ?? NaN;
      const perRound = (a: keyof typeof gateways, b: keyof typeof gateways) =>
        Array.from({ length: rounds }, (_, r) => round(gatewayCpu(a, r, r + 1) / gatewayCpu(b, r, r + 1), 3));
      baseline = {
        repoRoot: baselineRoot,
        rate: paced.rate,
        rounds,
        gatewayCpuMsPerSignal: {
          off: gatewayCpu('off'),
          on: gatewayCpu('on'),
          baseOff: gatewayCpu('baseOff'),
          baseOn: gatewayCpu('baseOn'),
        },
        ratio: round(gatewayCpu('on') / gatewayCpu('off'), 3),
        baselineRatio: round(gatewayCpu('baseOn') / gatewayCpu('baseOff'), 3),
        ratioPerRound: perRound('on', 'off'),
        baselineRatioPerRound: perRound('baseOn', 'baseOff'),
        errors: Object.values(runs).reduce((a, side) => a + errorsOf(side), 0),
      };
      log(
        `tracing: beside ${baselineRoot}: on ÷ off ${baseline.ratio}, baseline's ${baseline.baselineRatio}`,
      );
    }

    const profileRuns = plan.profileRuns ?? 1;
    log(`tracing: CPU profiles of both gateways under load (${profileRuns} a side)`);
    const profileOf = (env: Record<string, string | undefined>, name: string) =>
      profileGatewayLoad({
        repoRoot: ctx.repoRoot,
        env,
        file: join(ctx.workDir, 'tracing-profiles', `${name}.cpuprofile`),
        warmUp: (url) => gatewayRate(url, ctx.loadTarget, 8, 1),
        load: (url) => gatewayRate(url, ctx.loadTarget, plan.concurrency, plan.seconds, paced.rate),
      });
    const profilesOff: InitCost[][] = [];
    const profilesOn: InitCost[][] = [];
    for (let run = 0; run < profileRuns; run += 1) {
      profilesOff.push(await profileOf(offEnv, `off-${run}`));
      profilesOn.push(await profileOf({ ...offEnv, ...onEnv }, `on-${run}`));
    }

    const [ingest] = (await bundleLambdas(ctx.repoRoot, join(ctx.workDir, 'tracing'))).filter(
      (bundle) => bundle.variant === 'ingest',
    );
    if (!ingest) throw new TracingBenchError('no ingest bundle');
    const bundles: BundledLambda[] = [
      { ...ingest, label: 'ingestOff' },
      { ...ingest, label: 'ingestOn' },
    ];
    log(`tracing: ingest init, ${plan.initRuns} fresh processes each`);
    const init = await measureInit(bundles, plan.initRuns, true, (bundle) =>
      bundle.label === 'ingestOn' ? onEnv : {},
    );
    const bundle = await otelPlacement(ctx.repoRoot, join(ctx.workDir, 'tracing-placement'));
    const initOff = init.ingestOff!;
    const initOn = init.ingestOn!;
    return {
      concurrency: plan.concurrency,
      runsPerSide: plan.rounds,
      secondsPerRun: plan.seconds,
      offSignalsPerSec: signalsPerSec(offRuns),
      onSignalsPerSec: signalsPerSec(onRuns),
      offCpuMsPerSignal: offCpu,
      onCpuMsPerSignal: onCpu,
      gatewayCpuRatio: round((onCpu.gateway ?? NaN) / (offCpu.gateway ?? NaN), 3),
      paced,
      offErrors: errorsOf(offRuns),
      onErrors: errorsOf(onRuns),
      exportsDuringLoad,
      exportedBytesPerSignal: round(bytesDuringLoad / Math.max(1, onCompleted)),
      init: {
        offMs: initOff.initMs,
        onMs: initOn.initMs,
        ratio: round(initOn.initMs / initOff.initMs, 3),
        offCpuMs: initOff.cpuMs,
        onCpuMs: initOn.cpuMs,
        runs: plan.initRuns,
      },
      extraCost: {
        gatewayUnderLoad: extraByModule(profilesOff, profilesOn),
        gatewayProfileRuns: profileRuns,
      },
      bundle,
      ...(baseline ? { baseline } : {}),
      method:
        `two gateway child processes on one dev server, off = no ${OTEL_ENV.endpoint} (trace context only), on = ` +
        'an OTLP/HTTP sink in the bench process (BatchSpanProcessor, the OTLP/HTTP JSON exporter: the request span ' +
        `and its Temporal call's span a signal); autocannon at ${plan.concurrency} against each in turn (off, on, on, ` +
        `off, …), ${plan.rounds} × ${plan.seconds} s a side, then the same paced at 60 % of the slower side's rate; ` +
        'CPU ms per signal from /proc; a CPU profile of each side under the paced load (self µs per signal by ' +
        'module, on − off); ingest: the same bundle with and without the endpoint, fresh processes taking turns (init = process start → module loaded); the ' +
        "OpenTelemetry inputs of the files the init reads, from esbuild's metafile",
    };
  } finally {
    for (const stop of stoppers.reverse())
      await stop().catch((error: unknown) => log(`tracing: stop failed: ${String(error)}`));
  }
}
