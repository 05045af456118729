/**
 * `npm run bench [-- --quick] [-- --only <section,…>]`: the gateway against the physical limit
 * (calling Temporal directly) and the AWS-native alternative (a Step Functions callback Lambda),
 * measured side by side in one run on this machine. Never part of `npm test`.
 *
 * Writes bench/results/latest.json, a dated copy, and bench/results/latest.md (the table that
 * docs/benchmarks.md shows). Everything runs for real: a Temporal dev server, ElasticMQ, the gateway
 * in a child process, the built worker in child processes.
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { silentLogger } from '../functions/adapters/logger';
import { createGatewayRuntime, type GatewayRuntime } from '../functions/runtime/gateway-runtime';
import { DEFAULT_GATEWAY_CONFIG } from '../functions/core/default-config';
import { GATEWAY_ENV, TEMPORAL_ENV } from '../functions/core/env-names';
import type { GatewayConfigInput } from '../functions/core/gateway-config';
import { createLocalSqsClient, startElasticMq, type ElasticMq } from '../local/elasticmq';
import { freePort } from '../local/java-process';
import { ensureGatewayQueues } from '../local/sqs-queues';
import { startTemporalDevServer } from '../local/temporal-dev-server';
import { ensureTemporalCli } from '../local/temporal-cli';
import { SIGNALS, WORKFLOW_TYPES } from '../contract';
import type { InitCost } from './cpu-profile';
import { startCpuMeter } from './cpu-usage';
import { measureColdStarts } from './cold-start';
import { encryptionSection } from './encryption';
import { eventLogSection } from './event-log';
import { costPerMillion } from './cost-per-million';
import { routeScalingSection } from './route-scaling';
import { tracingSection } from './tracing';
import {
  bundleLambdas,
  LAYER_VARIANTS,
  measureInit,
  profileInit,
  type InitTimes,
  type LambdaVariant,
} from './lambda-init';
import { startBundledGatewayChild } from './gateway-bundle';
import { renderMarkdown, type BenchOutput } from './report';
import {
  directRate,
  gatewayRate,
  signalLatency,
  startPool,
  type LoadTarget,
  type RateSample,
} from './signal-load';
import { sqsBatchSpeedup, sqsPathRate } from './sqs-load';
import { round } from './stats';
import { buildWorkerVariants, endToEnd, startWorkerProcess, workerStart } from './worker-load';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const resultsDir = join(repoRoot, 'bench', 'results');
/** Inside the repo: built bundles resolve their packages from its node_modules. */
const workDir = join(repoRoot, 'dist', 'bench');

const SECTIONS = [
  'lambdaInit',
  'coldStart',
  'workerStart',
  'throughput',
  'latency',
  'sqsBatch',
  'endToEnd',
  'encryption',
  'routeScaling',
  'costPerMillion',
  'tracing',
  'eventLog',
] as const;
type Section = (typeof SECTIONS)[number];

/** Sizes of each measurement; quick stays well under three minutes on two busy cores. */
const PLANS = {
  quick: {
    initRuns: 9,
    coldRuns: 5,
    profileRuns: 1,
    workerRuns: 3,
    throughputSeconds: 3,
    concurrencies: [1, 8, 32, 64],
    poolSize: 256,
    sqsPathMessages: 1_000,
    latencySamples: 300,
    sqsBatchReps: 9,
    endToEndSamples: 30,
    encryptionRounds: 3,
    encryptionInitRuns: 15,
    encryptionColdRuns: 9,
    routeScalingCpuBatches: 5,
    routeScalingCallsPerBatch: 2_000,
    tracingRounds: 3,
    tracingInitRuns: 15,
    eventLogRounds: 3,
  },
  full: {
    initRuns: 21,
    coldRuns: 11,
    profileRuns: 3,
    workerRuns: 5,
    throughputSeconds: 8,
    concurrencies: [1, 8, 32, 64],
    poolSize: 512,
    sqsPathMessages: 5_000,
    latencySamples: 1_000,
    sqsBatchReps: 31,
    endToEndSamples: 100,
    encryptionRounds: 6,
    encryptionInitRuns: 31,
    encryptionColdRuns: 21,
    routeScalingCpuBatches: 9,
    routeScalingCallsPerBatch: 5_000,
    tracingRounds: 6,
    tracingInitRuns: 31,
    eventLogRounds: 6,
  },
} as const;
type Plan = (typeof PLANS)[keyof typeof PLANS];

/** The concurrency whose figures are the headline `throughput` fields (issue 7). */
const HEADLINE_CONCURRENCY = 32;
const DEADLINE_MS = 5_000;
const API_KEY = 'bench-api-key-0123456789';
const SQS_PATH_POLLERS = 3;

const log = (line: string) => console.log(`[bench] ${line}`);

/** What `temporal --version` says (a CLI built from source reports its server version there). */
async function temporalVersion(): Promise<string> {
  try {
    return execFileSync(await ensureTemporalCli(), ['--version'])
      .toString()
      .trim();
  } catch {
    return 'unknown';
  }
}

function gitDescription(): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'functions', 'local', 'worker'], {
      cwd: repoRoot,
    }).toString();
    return dirty.trim() ? `${commit} (functions/, local/ or worker/ with uncommitted changes)` : commit;
  } catch {
    return 'unknown';
  }
}

/** Mean self time per module over several profiles, the largest `top`. */
function meanCosts(profiles: readonly InitCost[][], top: number): InitCost[] {
  const totals = new Map<string, number>();
  for (const costs of profiles)
    for (const c of costs) totals.set(c.module, (totals.get(c.module) ?? 0) + c.selfMs);
  const all = [...totals.values()].reduce((a, b) => a + b, 0);
  return [...totals.entries()]
    .map(([module, ms]) => ({ module, selfMs: round(ms / profiles.length), share: round(ms / all, 3) }))
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, top);
}

/** The named variant's times; every bundled variant is measured, so a gap is a bug here. */
function timesOf(all: Record<string, InitTimes>, variant: LambdaVariant): InitTimes {
  const times = all[variant];
  if (!times) throw new Error(`no init times for ${variant}`);
  return times;
}

/** The headline figures of one measurement set (with or without source maps). */
function initSummary(all: Record<string, InitTimes>) {
  const [ingest, queue, sfnAnchor, bareClient, leanClient] = (
    ['ingest', 'queue', 'sfnAnchor', 'bareClient', 'leanClient'] as const
  ).map((variant) => timesOf(all, variant)) as [InitTimes, InitTimes, InitTimes, InitTimes, InitTimes];
  return {
    ingestMs: ingest.initMs,
    queueMs: queue.initMs,
    sfnAnchorMs: sfnAnchor.initMs,
    bareClientMs: bareClient.initMs,
    leanClientMs: leanClient.initMs,
    leanClientRatioToAnchor: round(leanClient.initMs / sfnAnchor.initMs, 2),
    ratioToAnchor: round(ingest.initMs / sfnAnchor.initMs, 2),
    ratioToBareClient: round(ingest.initMs / bareClient.initMs, 2),
    queueRatioToBareClient: round(queue.initMs / bareClient.initMs, 2),
    importOnlyMs: {
      ingest: ingest.importMs,
      queue: queue.importMs,
      sfnAnchor: sfnAnchor.importMs,
      bareClient: bareClient.importMs,
      leanClient: leanClient.importMs,
    },
    cpuMs: {
      ingest: ingest.cpuMs,
      queue: queue.cpuMs,
      sfnAnchor: sfnAnchor.cpuMs,
      bareClient: bareClient.cpuMs,
      leanClient: leanClient.cpuMs,
    },
    cpuRatioToAnchor: round(ingest.cpuMs / sfnAnchor.cpuMs, 2),
    cpuRatioToBareClient: round(ingest.cpuMs / bareClient.cpuMs, 2),
    layers: Object.fromEntries(
      LAYER_VARIANTS.map((variant) => {
        const times = timesOf(all, variant);
        return [variant, { initMs: times.initMs, importMs: times.importMs, cpuMs: times.cpuMs }];
      }),
    ),
  };
}

async function lambdaInitSection(plan: Plan) {
  const dir = join(workDir, 'lambdas');
  await rm(dir, { recursive: true, force: true });
  const bundles = await bundleLambdas(repoRoot, join(dir, 'minified'));
  const bytes = Object.fromEntries(bundles.map((b) => [b.variant, b.bytes])) as Record<LambdaVariant, number>;
  const allBytes = Object.fromEntries(bundles.map((b) => [b.variant, b.allBytes])) as Record<
    LambdaVariant,
    number
  >;
  log(
    `lambda bundles (read at init / with on-demand chunks): ${bundles
      .map((b) => `${b.variant} ${(b.bytes / 1024).toFixed(0)} / ${(b.allBytes / 1024).toFixed(0)} KiB`)
      .join(', ')}`,
  );
  const deployedTimes = await measureInit(bundles, plan.initRuns, true);
  const deployed = initSummary(deployedTimes);
  const noMaps = initSummary(await measureInit(bundles, plan.initRuns, false));
  const profiled = await bundleLambdas(repoRoot, join(dir, 'profiled'), { minify: false });
  const initCosts: Record<string, InitCost[]> = {};
  for (const bundle of profiled) {
    if ((LAYER_VARIANTS as readonly string[]).includes(bundle.variant)) continue;
    const runs: InitCost[][] = [];
    for (let i = 0; i < plan.profileRuns; i += 1) runs.push(await profileInit(bundle, join(dir, 'profiles')));
    initCosts[bundle.variant] = meanCosts(runs, 12);
  }
  const result = {
    ingestBytes: bytes.ingest,
    ingestMs: deployed.ingestMs,
    queueBytes: bytes.queue,
    queueMs: deployed.queueMs,
    sfnAnchorMs: deployed.sfnAnchorMs,
    bareClientMs: deployed.bareClientMs,
    ratioToAnchor: deployed.ratioToAnchor,
    sfnAnchorBytes: bytes.sfnAnchor,
    bareClientBytes: bytes.bareClient,
    leanClientMs: deployed.leanClientMs,
    leanClientBytes: bytes.leanClient,
    allBytes,
    layers: deployed.layers,
    leanClientRatioToAnchor: deployed.leanClientRatioToAnchor,
    ratioToBareClient: deployed.ratioToBareClient,
    queueRatioToBareClient: deployed.queueRatioToBareClient,
    runs: plan.initRuns,
    method:
      'median over fresh node processes of performance.now() when `await import(bundle)` resolved ' +
      '(process start → handler module ready, like Lambda Init Duration), NODE_OPTIONS=--enable-source-maps ' +
      'as the GatewayFunction construct sets it; variants interleaved',
    importOnlyMs: deployed.importOnlyMs,
    cpuMs: deployed.cpuMs,
    cpuRatioToAnchor: deployed.cpuRatioToAnchor,
    cpuRatioToBareClient: deployed.cpuRatioToBareClient,
    samplesMs: Object.fromEntries(bundles.map((b) => [b.variant, timesOf(deployedTimes, b.variant).samples])),
    withoutSourceMaps: noMaps,
    initCosts,
  };
  log(
    `lambdaInit: ingest ${result.ingestMs} ms, queue ${result.queueMs} ms, sfn anchor ${result.sfnAnchorMs} ms, ` +
      `bare client ${result.bareClientMs} ms → ratio to anchor ${result.ratioToAnchor}, to bare ${result.ratioToBareClient}`,
  );
  return result;
}

/** Process start → first signal acknowledged, the gateway's ingest bundle beside the bare client's. */
async function coldStartSection(plan: Plan, client: Client, loadTarget: LoadTarget, temporalAddress: string) {
  const bundles = (await bundleLambdas(repoRoot, join(workDir, 'cold'))).filter(
    (bundle) =>
      bundle.variant === 'ingest' || bundle.variant === 'bareClient' || bundle.variant === 'leanClient',
  );
  const runId = Date.now().toString(36);
  // staged-…: the ingest function's default target; pre-started, as the bare client only signals.
  const workflowId = (label: string, run: number) => `staged-cold-${runId}-${label}-${run}`;
  const workflowIds = bundles.flatMap((bundle) =>
    Array.from({ length: plan.coldRuns }, (_, run) => workflowId(bundle.label, run)),
  );
  await startPool(client, { ...loadTarget, workflowIds }, DEADLINE_MS);
  log(`coldStart: ${plan.coldRuns} cold starts each of ingest and the bare client, to the first signal`);
  const times = await measureColdStarts(bundles, plan.coldRuns, temporalAddress, API_KEY, workflowId);
  const ingest = times.ingest!;
  const bare = times.bareClient!;
  const result = {
    ingestMs: ingest.toFirstSignalMs,
    bareClientMs: bare.toFirstSignalMs,
    ratioToBareClient: round(ingest.toFirstSignalMs / bare.toFirstSignalMs, 2),
    ingestInitMs: ingest.initMs,
    bareClientInitMs: bare.initMs,
    leanClientMs: times.leanClient?.toFirstSignalMs,
    runs: plan.coldRuns,
    samplesMs: { ingest: ingest.samples, bareClient: bare.samples, leanClient: times.leanClient?.samples },
    method:
      'fresh node per sample: import the bundle, then invoke its handler once with a real-shaped HTTP API ' +
      'event signalling a running workflow; performance.now() when the handler answered 2xx (process start → ' +
      'connect → signal acknowledged); variants taking turns',
  };
  log(`coldStart: ${JSON.stringify(result)}`);
  return result;
}

/** Two targets: a pool nobody works on (pure signal load), and workflows a real worker runs. */
function gatewayConfig(loadTaskQueue: string, e2eTaskQueue: string): GatewayConfigInput {
  const [staged] = DEFAULT_GATEWAY_CONFIG.targets;
  if (!staged) throw new Error('the default gateway configuration declares no target');
  return {
    targets: [
      {
        ...staged,
        name: 'bench-load',
        workflowIdPattern: '^bench-[A-Za-z0-9._:-]{1,120}$',
        taskQueue: loadTaskQueue,
      },
      { ...staged, taskQueue: e2eTaskQueue },
    ],
  };
}

function stamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } },
  });
  const mode = values.quick ? 'quick' : 'full';
  const plan: Plan = PLANS[mode];
  const only = values.only ? (values.only.split(',') as Section[]) : [...SECTIONS];
  const unknown = only.filter((s) => !SECTIONS.includes(s));
  if (unknown.length > 0)
    throw new Error(`unknown section(s) ${unknown.join(', ')}; choose from ${SECTIONS.join(', ')}`);
  // The cost per million events is computed from these sections' figures of the same run.
  if (only.includes('costPerMillion'))
    for (const input of ['coldStart', 'latency', 'sqsBatch'] as const)
      if (!only.includes(input)) only.push(input);
  const want = (section: Section) => only.includes(section);
  const startedAt = new Date();
  const wallStart = performance.now();
  const loadBefore = loadavg();
  log(`mode ${mode}, sections ${only.join(', ')}`);

  const results: Omit<BenchOutput, 'environment'> = {};
  if (want('lambdaInit')) results.lambdaInit = await lambdaInitSection(plan);
  if (want('routeScaling'))
    results.routeScaling = await routeScalingSection(
      {
        initRuns: plan.initRuns,
        cpuBatches: plan.routeScalingCpuBatches,
        cpuCallsPerBatch: plan.routeScalingCallsPerBatch,
      },
      { repoRoot, workDir },
      log,
    );

  const needsTemporal = SECTIONS.filter((s) => s !== 'lambdaInit' && s !== 'routeScaling').some(want);
  const runId = `${Date.now().toString(36)}`;
  const loadTaskQueue = `bench-load-${runId}`;
  const e2eTaskQueue = `bench-e2e-${runId}`;
  const stoppers: (() => Promise<unknown>)[] = [];
  try {
    if (needsTemporal) {
      const needsWorker = want('workerStart') || want('endToEnd');
      const needsSqs = want('throughput') || want('sqsBatch');
      log(
        'starting the Temporal dev server' +
          (needsSqs ? ', ElasticMQ' : '') +
          (needsWorker ? ', building the worker' : ''),
      );
      const started = await Promise.allSettled([
        startTemporalDevServer({ port: await freePort(), ui: false }),
        needsSqs ? startElasticMq({ port: 0 }) : Promise.resolve(undefined),
        needsWorker ? buildWorkerVariants(repoRoot, join(workDir, 'worker')) : Promise.resolve(undefined),
      ]);
      // Whatever started is stopped in `finally` even when another start failed (a failed worker
      // build used to leave the dev server and ElasticMQ running and the bench hanging).
      const [temporalStart, sqsStart, buildStart] = started;
      if (temporalStart.status === 'fulfilled') stoppers.push(() => temporalStart.value.stop());
      if (sqsStart.status === 'fulfilled' && sqsStart.value) stoppers.push(() => sqsStart.value!.stop());
      for (const result of started) if (result.status === 'rejected') throw result.reason;
      const temporal = (
        temporalStart as PromiseFulfilledResult<Awaited<ReturnType<typeof startTemporalDevServer>>>
      ).value;
      const sqs = sqsStart.status === 'fulfilled' ? sqsStart.value : undefined;
      const build = buildStart.status === 'fulfilled' ? buildStart.value : undefined;
      const connection = await Connection.connect({ address: temporal.address });
      stoppers.push(() => connection.close());
      const client = new Client({ connection, namespace: 'default' });

      if (build && want('workerStart')) {
        log('workerStart: prebundled vs runtime bundling');
        results.workerStart = await workerStart(
          build,
          temporal.address,
          `bench-start-${runId}`,
          plan.workerRuns,
        );
        log(`workerStart: ${JSON.stringify(results.workerStart)}`);
      }

      const env = {
        ...process.env,
        [TEMPORAL_ENV.address]: temporal.address,
        [GATEWAY_ENV.config]: JSON.stringify(gatewayConfig(loadTaskQueue, e2eTaskQueue)),
        [GATEWAY_ENV.auth]: 'api-key',
        [GATEWAY_ENV.apiKeys]: API_KEY,
        [GATEWAY_ENV.queueUrl]: undefined,
        [GATEWAY_ENV.sqsEndpoint]: undefined,
      };
      // Bundled, as `event-gateway dev` and the Lambda run the gateway (gateway-bundle.ts says why).
      const gateway = await startBundledGatewayChild(repoRoot, env);
      stoppers.push(() => gateway.child.stop());
      const gatewayUrl = gateway.url;
      const runtime = await createGatewayRuntime(env, silentLogger);
      stoppers.push(() => runtime.clients.close());

      const loadTarget: LoadTarget = {
        namespace: 'default',
        workflowType: WORKFLOW_TYPES.staged,
        taskQueue: loadTaskQueue,
        signal: SIGNALS.advanceStage,
        payload: { stage: 1 },
        workflowIds: Array.from({ length: plan.poolSize }, (_, i) => `bench-${runId}-${i}`),
        httpHeaders: { 'x-api-key': API_KEY },
      };
      log(`starting ${plan.poolSize} workflows for the signal load`);
      await startPool(client, loadTarget, DEADLINE_MS);

      if (want('coldStart')) {
        results.coldStart = await coldStartSection(plan, client, loadTarget, temporal.address);
      }
      if (want('throughput')) {
        results.throughput = await throughputSection(plan, client, gatewayUrl, loadTarget, sqs!, runtime, {
          gateway: gateway.pid,
          temporal: temporal.process.pid,
        });
      }
      if (want('latency')) {
        log(`latency: ${plan.latencySamples} signals each way, one at a time`);
        results.latency = await signalLatency(
          client,
          gatewayUrl,
          loadTarget,
          plan.latencySamples,
          DEADLINE_MS,
        );
        log(`latency: ${JSON.stringify(results.latency)}`);
      }
      if (want('sqsBatch')) {
        const sqsClient = createLocalSqsClient(sqs!.endpoint);
        const queues = await ensureGatewayQueues(sqsClient, { namePrefix: `bench-batch-${runId}-` });
        log(`sqsBatch: ${plan.sqsBatchReps} batches of 1, of 10 sequential, of 10 concurrent`);
        results.sqsBatch = await sqsBatchSpeedup(
          client,
          sqsClient,
          queues,
          runtime,
          loadTarget,
          plan.sqsBatchReps,
        );
        sqsClient.destroy();
        log(`sqsBatch: ${JSON.stringify(results.sqsBatch)}`);
      }
      if (want('encryption')) {
        results.encryption = await encryptionSection(
          {
            concurrency: HEADLINE_CONCURRENCY,
            rounds: plan.encryptionRounds,
            seconds: plan.throughputSeconds,
            initRuns: plan.encryptionInitRuns,
            coldRuns: plan.encryptionColdRuns,
            profileRuns: plan.profileRuns,
          },
          {
            repoRoot,
            workDir,
            client,
            temporalAddress: temporal.address,
            temporalPid: temporal.process.pid,
            gatewayEnv: env,
            loadTarget,
            apiKey: API_KEY,
            deadlineMs: DEADLINE_MS,
            log,
          },
        );
        log(`encryption: ${JSON.stringify(results.encryption)}`);
      }
      if (want('tracing')) {
        results.tracing = await tracingSection(
          {
            concurrency: HEADLINE_CONCURRENCY,
            rounds: plan.tracingRounds,
            seconds: plan.throughputSeconds,
            initRuns: plan.tracingInitRuns,
          },
          { repoRoot, workDir, temporalPid: temporal.process.pid, gatewayEnv: env, loadTarget, log },
        );
        log(`tracing: ${JSON.stringify(results.tracing)}`);
      }
      if (want('eventLog')) {
        results.eventLog = await eventLogSection(
          {
            concurrency: HEADLINE_CONCURRENCY,
            rounds: plan.eventLogRounds,
            seconds: plan.throughputSeconds,
            profileRuns: plan.profileRuns,
          },
          { repoRoot, workDir, temporalPid: temporal.process.pid, gatewayEnv: env, loadTarget, log },
        );
        log(`eventLog: ${JSON.stringify(results.eventLog)}`);
      }
      if (build && want('endToEnd')) {
        const worker = await startWorkerProcess(build.prebundledMain, temporal.address, e2eTaskQueue);
        stoppers.push(() => worker.stop());
        const e2eTarget: LoadTarget = {
          ...loadTarget,
          taskQueue: e2eTaskQueue,
          workflowIds: [`staged-bench-${runId}`],
        };
        log(`endToEnd: ${plan.endToEndSamples} events`);
        results.endToEnd = await endToEnd(client, gatewayUrl, e2eTarget, plan.endToEndSamples);
        log(`endToEnd: ${JSON.stringify(results.endToEnd)}`);
      }
    }
  } finally {
    for (const stop of stoppers.reverse())
      await stop().catch((error: unknown) => log(`stop failed: ${String(error)}`));
  }

  if (want('costPerMillion')) {
    const { latency, coldStart, sqsBatch } = results;
    if (!latency || !coldStart || !sqsBatch)
      throw new Error('costPerMillion needs latency, coldStart and sqsBatch');
    results.costPerMillion = costPerMillion({
      ingestRequestMs: latency.gatewayP50Ms,
      ingestColdStartMs: coldStart.ingestMs,
      queueBatchMs: sqsBatch.concurrentMs,
    });
    log(`costPerMillion: ${JSON.stringify(results.costPerMillion.rows)}`);
  }

  const output = {
    environment: {
      mode,
      sections: only,
      date: startedAt.toISOString(),
      durationSeconds: round((performance.now() - wallStart) / 1000),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cpuCount: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      loadAverageBefore: loadBefore.map((v) => round(v, 2)),
      loadAverageAfter: loadavg().map((v) => round(v, 2)),
      commit: gitDescription(),
      temporal: `temporal server start-dev, in-memory, headless: ${await temporalVersion()}`,
      gateway:
        "local HTTP server (@hono/node-server, the ingest Lambda's app) in its own Node process, bundled as `event-gateway dev` runs it (bench/gateway-bundle.ts); load from the bench process",
      note: 'a shared 2-core machine: compare figures within this run, not across runs',
    },
    ...results,
  };
  await mkdir(resultsDir, { recursive: true });
  const json = `${JSON.stringify(output, null, 2)}\n`;
  await writeFile(join(resultsDir, 'latest.json'), json);
  await writeFile(join(resultsDir, `${stamp()}-${mode}.json`), json);
  await writeFile(join(resultsDir, 'latest.md'), renderMarkdown(output));
  log(`wrote bench/results/latest.json and latest.md in ${output.environment.durationSeconds} s`);
}

/** CPU ms per completed signal of each metered process, over several runs. */
function cpuPerSignal(runs: readonly { sample: RateSample; cpu: Record<string, number | undefined> }[]) {
  const completed = runs.reduce((a, r) => a + r.sample.completed, 0);
  const names = Object.keys(runs[0]?.cpu ?? {});
  const perSignal: Record<string, number> = {};
  for (const name of names) {
    const values = runs.map((r) => r.cpu[name]);
    if (completed === 0 || !values.every((v): v is number => v !== undefined)) continue;
    perSignal[name] = round(values.reduce((a, v) => a + v, 0) / completed, 3);
  }
  perSignal.total = round(
    Object.values(perSignal).reduce((a, v) => a + v, 0),
    3,
  );
  return perSignal;
}

/** One concurrency: direct, gateway, gateway, direct, so a drift in the machine's load cancels out. */
async function throughputRow(
  plan: Plan,
  client: Client,
  gatewayUrl: string,
  target: LoadTarget,
  pids: { gateway: number | undefined; temporal: number | undefined },
  concurrency: number,
) {
  const metered = async (run: () => Promise<RateSample>, meteredPids: Record<string, number | undefined>) => {
    const meter = startCpuMeter(meteredPids);
    const sample = await run();
    return { sample, cpu: meter.read() };
  };
  const direct = () =>
    metered(() => directRate(client, target, concurrency, plan.throughputSeconds, DEADLINE_MS), {
      temporal: pids.temporal,
    });
  const gateway = () =>
    metered(() => gatewayRate(gatewayUrl, target, concurrency, plan.throughputSeconds), pids);
  const directRuns = [await direct()];
  const gatewayRuns = [await gateway(), await gateway()];
  directRuns.push(await direct());
  const rate = (runs: { sample: RateSample }[]) =>
    round(runs.reduce((a, r) => a + r.sample.completed, 0) / runs.reduce((a, r) => a + r.sample.seconds, 0));
  return {
    concurrency,
    directSignalsPerSec: rate(directRuns),
    gatewaySignalsPerSec: rate(gatewayRuns),
    ratio: round(rate(gatewayRuns) / rate(directRuns), 3),
    directErrors: directRuns.reduce((a, r) => a + r.sample.errors, 0),
    gatewayErrors: gatewayRuns.reduce((a, r) => a + r.sample.errors, 0),
    // `bench` is the caller: the direct client loop, or autocannon.
    directCpuMsPerSignal: cpuPerSignal(directRuns),
    gatewayCpuMsPerSignal: cpuPerSignal(gatewayRuns),
  };
}

async function throughputSection(
  plan: Plan,
  client: Client,
  gatewayUrl: string,
  target: LoadTarget,
  sqs: ElasticMq,
  runtime: GatewayRuntime,
  pids: { gateway: number | undefined; temporal: number | undefined },
) {
  log('throughput: warm-up');
  await directRate(client, target, 8, 1, DEADLINE_MS);
  await gatewayRate(gatewayUrl, target, 8, 1);
  const table = [];
  for (const concurrency of plan.concurrencies) {
    const row = await throughputRow(plan, client, gatewayUrl, target, pids, concurrency);
    log(`throughput c=${concurrency}: ${JSON.stringify(row)}`);
    table.push(row);
  }
  const sqsClient = createLocalSqsClient(sqs.endpoint);
  const queues = await ensureGatewayQueues(sqsClient, {
    namePrefix: `bench-path-${Date.now().toString(36)}-`,
  });
  log(`throughput: SQS path, ${plan.sqsPathMessages} messages`);
  const sqsPath = await sqsPathRate(
    sqsClient,
    queues,
    runtime,
    target,
    plan.sqsPathMessages,
    SQS_PATH_POLLERS,
    120_000,
  );
  sqsClient.destroy();
  log(`throughput SQS path: ${JSON.stringify(sqsPath)}`);
  const headline = table.find((row) => row.concurrency === HEADLINE_CONCURRENCY) ?? table[table.length - 1]!;
  return {
    concurrency: headline.concurrency,
    directSignalsPerSec: headline.directSignalsPerSec,
    gatewaySignalsPerSec: headline.gatewaySignalsPerSec,
    ratio: headline.ratio,
    /** If the machine were only CPU-bound: direct CPU per signal / gateway CPU per signal. */
    cpuBoundRatio: round(
      (headline.directCpuMsPerSignal.total ?? 0) / (headline.gatewayCpuMsPerSignal.total ?? 1),
      3,
    ),
    table,
    sqsPath,
    secondsPerRun: plan.throughputSeconds,
    method:
      "direct: N async callers of raw signalWithStartWorkflowExecution (the gateway's call) from the bench process; " +
      'gateway: autocannon with N keep-alive connections against the gateway child process; the same pool of ' +
      'started workflows (no worker on their task queue); order direct, gateway, gateway, direct per N; ' +
      'CPU ms per signal from /proc (bench = the caller: client loop or autocannon)',
  };
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
