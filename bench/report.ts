/**
 * The markdown of a run: the goals of issue 7 with their measured values, then the detail tables.
 * docs/benchmarks.md copies it, so it says what was measured and nothing more.
 */
import type { InitCost } from './cpu-profile';
import type { CostPerMillionResult } from './cost-per-million';
import type { EncryptionResult } from './encryption';
import type { EventLogResult } from './event-log';
import type { RouteScalingResult } from './route-scaling';
import type { TracingResult } from './tracing';

interface ThroughputRow {
  concurrency: number;
  directSignalsPerSec: number;
  gatewaySignalsPerSec: number;
  ratio: number;
  directErrors: number;
  gatewayErrors: number;
  directCpuMsPerSignal: Record<string, number>;
  gatewayCpuMsPerSignal: Record<string, number>;
}

interface WorkerPhases {
  loadMs: number;
  connectAndCreateMs: number;
  firstPollMs: number;
}

const phases = (p: WorkerPhases | undefined) =>
  p ? `load ${p.loadMs} + connect/create ${p.connectAndCreateMs} + first poll ${p.firstPollMs} ms` : 'n/a';

/** What the report reads from the result file; every section may be absent (`--only`). */
export interface BenchOutput {
  environment: {
    mode: string;
    date: string;
    node: string;
    cpuCount: number;
    cpuModel: string;
    loadAverageBefore: number[];
    loadAverageAfter: number[];
    commit: string;
    durationSeconds: number;
  };
  throughput?: {
    concurrency: number;
    directSignalsPerSec: number;
    gatewaySignalsPerSec: number;
    ratio: number;
    cpuBoundRatio: number;
    table: ThroughputRow[];
    sqsPath: { signalsPerSec: number; messages: number; pollers: number; batchConcurrency: number };
  };
  latency?: {
    directP50Ms: number;
    gatewayP50Ms: number;
    addedP50Ms: number;
    addedP99Ms: number;
    directP99Ms: number;
    gatewayP99Ms: number;
    samples: number;
  };
  sqsBatch?: {
    singleSignalMs: number;
    sequentialMs: number;
    concurrentMs: number;
    speedup: number;
    directSequentialMs: number;
    directConcurrentMs: number;
    directSpeedup: number;
  };
  lambdaInit?: {
    ingestBytes: number;
    ingestMs: number;
    queueBytes: number;
    queueMs: number;
    sfnAnchorMs: number;
    bareClientMs: number;
    ratioToAnchor: number;
    sfnAnchorBytes: number;
    bareClientBytes: number;
    ratioToBareClient: number;
    runs: number;
    importOnlyMs: Record<string, number>;
    cpuMs: Record<string, number>;
    cpuRatioToAnchor: number;
    cpuRatioToBareClient: number;
    withoutSourceMaps: {
      ingestMs: number;
      queueMs: number;
      sfnAnchorMs: number;
      bareClientMs: number;
      leanClientMs?: number;
    };
    /** Older result files have no lean-client variant. */
    leanClientMs?: number;
    leanClientBytes?: number;
    leanClientRatioToAnchor?: number;
    /** The layers of the bound, each bundled alone (older result files: absent). */
    layers?: Record<string, { initMs: number; importMs: number; cpuMs: number }>;
    /** Every chunk of each bundle, those loaded on first use included (older result files: absent). */
    allBytes?: Record<string, number>;
    initCosts: Record<string, InitCost[]>;
  };
  coldStart?: {
    ingestMs: number;
    bareClientMs: number;
    ratioToBareClient: number;
    ingestInitMs: number;
    bareClientInitMs: number;
    leanClientMs?: number;
    runs: number;
  };
  workerStart?: {
    prebundledMs: number;
    runtimeBundlingMs: number;
    ratio: number;
    prebundledSpawnMs: number;
    runtimeBundlingSpawnMs: number;
    prebundledPhases?: WorkerPhases;
    runtimeBundlingPhases?: WorkerPhases;
    runs: number;
  };
  endToEnd?: { p50Ms: number; p99Ms: number; directP50Ms: number; directP99Ms: number; samples: number };
  /** Payload encryption on ÷ off (issue 28). */
  encryption?: EncryptionResult;
  /** Ingest init and routing CPU for 10, 100 and 1,000 generated routes (issue 31). */
  routeScaling?: RouteScalingResult;
  /** USD per million events by path, from this run's figures (issue 31). */
  costPerMillion?: CostPerMillionResult;
  /** Tracing (OTLP export) on ÷ off (issue 29). */
  tracing?: TracingResult;
  /** The event log on (S3 store, directory store) ÷ off, and its storage per million events (issue 30). */
  eventLog?: EventLogResult;
}

export interface GoalCheck {
  goal: string;
  measured: string;
  holds: boolean;
}

const LAYER_NAMES: Record<string, string> = {
  routingConfig: 'zod + the routing configuration validated and compiled (the validation layer alone)',
  routingSealed:
    'the synth’s sealed routing compiled with its generated checks, no zod (what the functions do)',
  grpcJsTransport:
    '`@grpc/grpc-js` + `protobufjs/minimal` alone (the lean client’s transport until issue 31)',
  http2GrpcTransport:
    'the lean client’s own gRPC framing over `node:http2` + `protobufjs/minimal` alone (its transport)',
  connectTransport: '`@connectrpc/connect-node` + `@bufbuild/protobuf` alone (the other kept transport)',
  http2Builtin: '`node:http2` + `node:tls` alone (what any gRPC client loads)',
  httpsBuiltin: '`node:https` alone (what the AWS SDK’s HTTP handler loads)',
};

/** The layers of the bound, each bundled and measured alone in the same rounds as the functions. */
function layerLines(lambdaInit: NonNullable<BenchOutput['lambdaInit']>): string[] {
  const layers = lambdaInit.layers;
  if (!layers) return [];
  return [
    'Layers of the bound, each alone (same rounds):',
    '',
    '| layer | init ms | × anchor | of which import | CPU ms |',
    '|---|---:|---:|---:|---:|',
    ...Object.entries(layers).map(
      ([variant, t]) =>
        `| ${LAYER_NAMES[variant] ?? variant} | ${t.initMs} | ${(t.initMs / lambdaInit.sfnAnchorMs).toFixed(2)} | ${t.importMs} | ${t.cpuMs} |`,
    ),
    '',
  ];
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

/** `a + b + c = total` of the named processes' CPU ms per signal. */
const cpu = (perSignal: Record<string, number> | undefined, names: readonly string[]) =>
  perSignal && names.every((name) => perSignal[name] !== undefined)
    ? `${names.map((name) => perSignal[name]!.toFixed(2)).join(' + ')} = ${perSignal.total?.toFixed(2)}`
    : 'n/a';

/** Gateway process CPU per signal ÷ the direct caller's, at the headline concurrency. */
export function gatewayCpuRatio(throughput: NonNullable<BenchOutput['throughput']>): number | undefined {
  const row = throughput.table.find((r) => r.concurrency === throughput.concurrency);
  const gateway = row?.gatewayCpuMsPerSignal?.gateway;
  const direct = row?.directCpuMsPerSignal?.bench;
  return gateway === undefined || !direct ? undefined : Math.round((gateway / direct) * 100) / 100;
}

/** The goals (issues 7, 15 and 31, the strictest where they overlap) against this run's figures. */
export function checkGoals(output: BenchOutput): GoalCheck[] {
  const checks: GoalCheck[] = [];
  const { throughput, latency, sqsBatch, lambdaInit, workerStart } = output;
  if (throughput) {
    checks.push({
      goal: `throughput ratio (gateway / direct) at ${throughput.concurrency} ≥ 0.9`,
      measured: String(throughput.ratio),
      holds: throughput.ratio >= 0.9,
    });
    const cpuRatio = gatewayCpuRatio(throughput);
    if (cpuRatio !== undefined)
      checks.push({
        goal: `gateway CPU per signal ≤ 1.1 × a direct client's (at ${throughput.concurrency})`,
        measured: `${cpuRatio}×`,
        holds: cpuRatio <= 1.1,
      });
  }
  if (latency)
    checks.push({
      goal: 'added p50 latency ≤ 2 ms',
      measured: `${latency.addedP50Ms} ms`,
      holds: latency.addedP50Ms <= 2,
    });
  if (sqsBatch)
    checks.push({
      goal: 'SQS batch speedup ≥ 5',
      measured: `${sqsBatch.speedup}×`,
      holds: sqsBatch.speedup >= 5,
    });
  if (lambdaInit) {
    const queueRatio = Math.round((lambdaInit.queueMs / lambdaInit.sfnAnchorMs) * 100) / 100;
    checks.push({
      goal: 'ingest init / Step Functions anchor ≤ 1.0',
      measured: String(lambdaInit.ratioToAnchor),
      holds: lambdaInit.ratioToAnchor <= 1.0,
    });
    checks.push({
      goal: 'queue init / Step Functions anchor ≤ 0.9',
      measured: String(queueRatio),
      holds: queueRatio <= 0.9,
    });
    const largest = Math.max(lambdaInit.ingestBytes, lambdaInit.queueBytes);
    checks.push({
      goal: 'ingest and queue bundles ≤ 600 KiB',
      measured: `${kib(lambdaInit.ingestBytes)} / ${kib(lambdaInit.queueBytes)}`,
      holds: largest <= 600 * 1024,
    });
    checks.push({
      goal: 'ingest init ≤ bare @temporalio/client + 10 %',
      measured: String(lambdaInit.ratioToBareClient),
      holds: lambdaInit.ratioToBareClient <= 1.1,
    });
  }
  const { encryption } = output;
  if (encryption) {
    checks.push({
      goal: `gateway CPU per signal, encryption on ÷ off ≤ 1.1 (at ${encryption.concurrency})`,
      measured: String(encryption.gatewayCpuRatio),
      holds: encryption.gatewayCpuRatio <= 1.1,
    });
    if (encryption.paced) {
      checks.push({
        goal: `gateway CPU per signal, encryption on ÷ off ≤ 1.1 (at ${encryption.concurrency}, paced at ${encryption.paced.rate}/s)`,
        measured: String(encryption.paced.gatewayCpuRatio),
        holds: encryption.paced.gatewayCpuRatio <= 1.1 && encryption.paced.errors === 0,
      });
    }
    checks.push({
      goal: 'ingest cold start (to the first signal), encryption on ÷ off ≤ 1.05',
      measured: String(encryption.coldStart.ratio),
      holds: encryption.coldStart.ratio <= 1.05,
    });
    checks.push({
      goal: 'ingest init, encryption on ÷ off ≤ 1.05',
      measured: String(encryption.init.ratio),
      holds: encryption.init.ratio <= 1.05,
    });
  }
  const { eventLog } = output;
  if (eventLog) {
    checks.push({
      goal: `gateway CPU per signal, event log (S3) on ÷ off ≤ 1.1 (at ${eventLog.concurrency}, closed loop)`,
      measured: `${eventLog.gatewayCpuRatio} (directory store ${eventLog.directoryCpuRatio})`,
      holds: eventLog.gatewayCpuRatio <= 1.1,
    });
    if (eventLog.paced)
      checks.push({
        goal: `gateway CPU per signal, event log (S3) on ÷ off ≤ 1.1 (at ${eventLog.concurrency}, paced at ${eventLog.paced.rate}/s)`,
        measured: String(eventLog.paced.gatewayCpuRatio),
        holds: eventLog.paced.gatewayCpuRatio <= 1.1 && eventLog.paced.errors === 0,
      });
  }
  const { tracing } = output;
  if (tracing) {
    checks.push({
      goal: `gateway CPU per signal, tracing on ÷ off ≤ 1.1 (at ${tracing.concurrency})`,
      measured: String(tracing.gatewayCpuRatio),
      holds: tracing.gatewayCpuRatio <= 1.1,
    });
    if (tracing.paced)
      checks.push({
        goal: `gateway CPU per signal, tracing on ÷ off ≤ 1.1 (at ${tracing.concurrency}, paced at ${tracing.paced.rate}/s)`,
        measured: String(tracing.paced.gatewayCpuRatio),
        holds: tracing.paced.gatewayCpuRatio <= 1.1 && tracing.paced.errors === 0,
      });
    checks.push({
      goal: 'ingest init, tracing on ÷ off ≤ 1.1 (the OpenTelemetry SDK in on-demand chunks only)',
      measured: `${tracing.init.ratio}; ${tracing.bundle.otelModulesReadAtInit.length} OpenTelemetry module(s) read at init`,
      holds: tracing.init.ratio <= 1.1 && tracing.bundle.otelModulesReadAtInit.length === 0,
    });
  }
  if (workerStart)
    checks.push({
      goal: 'worker start prebundled / runtime bundling ≤ 0.25',
      measured: String(workerStart.ratio),
      holds: workerStart.ratio <= 0.25,
    });
  return checks;
}

function throughputTable(rows: readonly ThroughputRow[]): string[] {
  return [
    '| concurrency | direct client | gateway (HTTP) | ratio | CPU ms/signal direct: client + Temporal | CPU ms/signal gateway: load generator + gateway + Temporal |',
    '|---:|---:|---:|---:|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.concurrency} | ${r.directSignalsPerSec} | ${r.gatewaySignalsPerSec} | ${r.ratio}` +
        `${r.directErrors + r.gatewayErrors > 0 ? ` (errors ${r.directErrors}/${r.gatewayErrors})` : ''} | ` +
        `${cpu(r.directCpuMsPerSignal, ['bench', 'temporal'])} | ${cpu(r.gatewayCpuMsPerSignal, ['bench', 'gateway', 'temporal'])} |`,
    ),
  ];
}

export function renderMarkdown(output: BenchOutput): string {
  const env = output.environment;
  const lines: string[] = [
    `Run of ${env.date} (${env.mode}), Node ${env.node}, ${env.cpuCount} × ${env.cpuModel}, ` +
      `load average ${env.loadAverageBefore[0]} → ${env.loadAverageAfter[0]}, commit ${env.commit}, ${env.durationSeconds} s.`,
    '',
    '| goal | measured | holds |',
    '|---|---|---|',
    ...checkGoals(output).map((c) => `| ${c.goal} | ${c.measured} | ${c.holds ? 'yes' : '**no**'} |`),
    '',
  ];
  const { throughput, latency, sqsBatch, lambdaInit, workerStart, endToEnd } = output;
  if (throughput) {
    lines.push(
      '**Throughput** (signals/s, same dev server, same workflows; all processes share the 2 cores)',
      '',
      ...throughputTable(throughput.table),
      '',
      `CPU-bound prediction of the ratio at ${throughput.concurrency} (direct CPU per signal / gateway CPU per signal): ` +
        `${throughput.cpuBoundRatio}.`,
      '',
    );
    lines.push(
      `SQS path (local event source mapping, ${throughput.sqsPath.pollers} pollers × batch concurrency ` +
        `${throughput.sqsPath.batchConcurrency}, ${throughput.sqsPath.messages} messages): ` +
        `${throughput.sqsPath.signalsPerSec} signals/s.`,
      '',
    );
  }
  if (latency)
    lines.push(
      `**Latency** (one at a time, ${latency.samples} each, interleaved): direct p50 ${latency.directP50Ms} ms / ` +
        `p99 ${latency.directP99Ms} ms; gateway p50 ${latency.gatewayP50Ms} ms / p99 ${latency.gatewayP99Ms} ms; ` +
        `added p50 ${latency.addedP50Ms} ms, p99 ${latency.addedP99Ms} ms.`,
      '',
    );
  if (sqsBatch)
    lines.push(
      `**SQS batch of 10** through the queue handler: one record ${sqsBatch.singleSignalMs} ms; ten sequential ` +
        `${sqsBatch.sequentialMs} ms; ten with the default concurrency ${sqsBatch.concurrentMs} ms; speedup ${sqsBatch.speedup}×. ` +
        `The same ten signals sent straight to Temporal: ${sqsBatch.directSequentialMs} ms one after another, ` +
        `${sqsBatch.directConcurrentMs} ms all at once, ${sqsBatch.directSpeedup}× (the most this Temporal allows).`,
      '',
    );
  if (lambdaInit) {
    const rows = [
      [
        'ingest (HTTP)',
        'ingest',
        lambdaInit.ingestBytes,
        lambdaInit.ingestMs,
        lambdaInit.withoutSourceMaps.ingestMs,
      ],
      [
        'queue (SQS)',
        'queue',
        lambdaInit.queueBytes,
        lambdaInit.queueMs,
        lambdaInit.withoutSourceMaps.queueMs,
      ],
      [
        'bare @temporalio/client',
        'bareClient',
        lambdaInit.bareClientBytes,
        lambdaInit.bareClientMs,
        lambdaInit.withoutSourceMaps.bareClientMs,
      ],
      [
        'lean client only (the gateway’s Temporal layer)',
        'leanClient',
        lambdaInit.leanClientBytes ?? 0,
        lambdaInit.leanClientMs ?? 0,
        lambdaInit.withoutSourceMaps.leanClientMs ?? 0,
      ],
      [
        'Step Functions SendTaskSuccess (anchor)',
        'sfnAnchor',
        lambdaInit.sfnAnchorBytes,
        lambdaInit.sfnAnchorMs,
        lambdaInit.withoutSourceMaps.sfnAnchorMs,
      ],
    ] as const;
    lines.push(
      `**Lambda init** (median of ${lambdaInit.runs} fresh processes each, variants interleaved; ms from process start to the handler module loaded)`,
      '',
      '| function | bundle read at init | with on-demand chunks | init ms | × anchor | × bare client | of which import | CPU ms | init ms without source maps |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...rows.map(
        ([name, key, bytes, ms, noMaps]) =>
          `| ${name} | ${kib(bytes)} | ${lambdaInit.allBytes?.[key] === undefined ? '' : kib(lambdaInit.allBytes[key])} | ` +
          `${ms} | ${(ms / lambdaInit.sfnAnchorMs).toFixed(2)} | ` +
          `${(ms / lambdaInit.bareClientMs).toFixed(2)} | ${lambdaInit.importOnlyMs[key] ?? ''} | ` +
          `${lambdaInit.cpuMs[key] ?? ''} | ${noMaps} |`,
      ),
      '',
      ...layerLines(lambdaInit),
      'Top init costs (self time in a `--cpu-prof` profile of the unminified bundle, by source package):',
      '',
      ...Object.entries(lambdaInit.initCosts).map(
        ([variant, costs]) =>
          `- ${variant}: ${costs
            .slice(0, 8)
            .map((c) => `${c.module} ${c.selfMs} ms`)
            .join(', ')}`,
      ),
      '',
    );
  }
  const { coldStart } = output;
  if (coldStart)
    lines.push(
      `**Cold start to the first signal** (fresh process: import the bundle, invoke the handler once; median of ${coldStart.runs} each, taking turns): ` +
        `ingest ${coldStart.ingestMs} ms (init ${coldStart.ingestInitMs} ms), bare @temporalio/client ${coldStart.bareClientMs} ms ` +
        `(init ${coldStart.bareClientInitMs} ms), ratio ${coldStart.ratioToBareClient}` +
        (coldStart.leanClientMs === undefined ? '.' : `; lean client alone ${coldStart.leanClientMs} ms.`),
      '',
    );
  if (workerStart)
    lines.push(
      `**Worker start** (process start → first poll, median of ${workerStart.runs}): prebundled ${workerStart.prebundledMs} ms, ` +
        `bundling at start ${workerStart.runtimeBundlingMs} ms, ratio ${workerStart.ratio} ` +
        `(from outside, spawn → log line: ${workerStart.prebundledSpawnMs} / ${workerStart.runtimeBundlingSpawnMs} ms). ` +
        `Phases, prebundled: ${phases(workerStart.prebundledPhases)}; bundling at start: ${phases(workerStart.runtimeBundlingPhases)}.`,
      '',
    );
  if (endToEnd)
    lines.push(
      `**End to end** (HTTP 202 → \`progress\` query shows the stage, ${endToEnd.samples} events): p50 ${endToEnd.p50Ms} ms, ` +
        `p99 ${endToEnd.p99Ms} ms; with the signal sent straight to Temporal instead: p50 ${endToEnd.directP50Ms} ms, ` +
        `p99 ${endToEnd.directP99Ms} ms.`,
      '',
    );
  if (output.encryption) lines.push(...encryptionLines(output.encryption));
  if (output.routeScaling) lines.push(...routeScalingLines(output.routeScaling));
  if (output.costPerMillion) lines.push(...costLines(output.costPerMillion));
  if (output.tracing) lines.push(...tracingLines(output.tracing));
  if (output.eventLog) lines.push(...eventLogLines(output.eventLog));
  return `${lines.join('\n')}`;
}

const costList = (costs: readonly InitCost[], unit: string) =>
  costs.map((c) => `${c.module} +${c.selfMs} ${unit}`).join(', ') || 'none';

const perSignal = (cpuMs: Record<string, number>, name: string) => cpuMs[name]?.toFixed(3) ?? 'n/a';

/** Tracing on beside off: the gateway under load, the ingest function's init, the SDK's place in the bundle. */
function tracingLines(t: TracingResult): string[] {
  return [
    `**Tracing** (OTLP/HTTP export to a sink, on ÷ off; ${t.runsPerSide} × ${t.secondsPerRun} s a side at ` +
      `concurrency ${t.concurrency}, taking turns)`,
    '',
    '| | off | on | on ÷ off |',
    '|---|---:|---:|---:|',
    `| gateway signals/s | ${t.offSignalsPerSec} | ${t.onSignalsPerSec} | ${round3(t.onSignalsPerSec / t.offSignalsPerSec)} |`,
    `| gateway process CPU ms/signal | ${perSignal(t.offCpuMsPerSignal, 'gateway')} | ${perSignal(t.onCpuMsPerSignal, 'gateway')} | ${t.gatewayCpuRatio} |`,
    ...(t.paced
      ? [
          `| paced at ${t.paced.rate}/s: gateway signals/s | ${t.paced.offSignalsPerSec} | ${t.paced.onSignalsPerSec} | |`,
          `| paced at ${t.paced.rate}/s: gateway process CPU ms/signal | ${perSignal(t.paced.offCpuMsPerSignal, 'gateway')} | ${perSignal(t.paced.onCpuMsPerSignal, 'gateway')} | ${t.paced.gatewayCpuRatio} |`,
        ]
      : []),
    `| Temporal CPU ms/signal | ${perSignal(t.offCpuMsPerSignal, 'temporal')} | ${perSignal(t.onCpuMsPerSignal, 'temporal')} | |`,
    `| ingest init ms (median of ${t.init.runs}) | ${t.init.offMs} | ${t.init.onMs} | ${t.init.ratio} |`,
    `| ingest init CPU ms | ${t.init.offCpuMs} | ${t.init.onCpuMs} | ${round3(t.init.onCpuMs / t.init.offCpuMs)} |`,
    '',
    `Errors off/on: ${t.offErrors}/${t.onErrors}. Exports during the on runs: ${t.exportsDuringLoad}, ` +
      `${t.exportedBytesPerSignal} bytes a signal. OpenTelemetry modules in files the ingest init reads: ` +
      `${t.bundle.otelModulesReadAtInit.length === 0 ? 'none' : t.bundle.otelModulesReadAtInit.join(', ')}; ` +
      `in on-demand chunks: ${t.bundle.otelOnDemandKiB} KiB.`,
    ...(t.extraCost
      ? [
          '',
          `Extra gateway CPU of tracing, µs per signal by module (on − off, median of ${t.extraCost.gatewayProfileRuns} ` +
            `profile(s) a side under the paced load): ${costList(t.extraCost.gatewayUnderLoad, 'µs')}`,
        ]
      : []),
    '',
  ];
}

const round3 = (value: number) => value.toFixed(3);

/** Payload encryption on beside off: the gateway under load, then the ingest function's start. */
function encryptionLines(e: EncryptionResult): string[] {
  return [
    `**Payload encryption** (built-in KMS codec against local-kms, on ÷ off; ${e.runsPerSide} × ${e.secondsPerRun} s a side ` +
      `at concurrency ${e.concurrency}, taking turns; the signal stored as \`${e.storedEncoding}\`)`,
    '',
    '| | off | on | on ÷ off |',
    '|---|---:|---:|---:|',
    `| gateway signals/s | ${e.offSignalsPerSec} | ${e.onSignalsPerSec} | ${e.throughputRatio} |`,
    `| gateway process CPU ms/signal | ${perSignal(e.offCpuMsPerSignal, 'gateway')} | ${perSignal(e.onCpuMsPerSignal, 'gateway')} | ${e.gatewayCpuRatio} |`,
    ...(e.paced
      ? [
          `| paced at ${e.paced.rate}/s: gateway signals/s | ${e.paced.offSignalsPerSec} | ${e.paced.onSignalsPerSec} | |`,
          `| paced at ${e.paced.rate}/s: gateway process CPU ms/signal | ${perSignal(e.paced.offCpuMsPerSignal, 'gateway')} | ${perSignal(e.paced.onCpuMsPerSignal, 'gateway')} | ${e.paced.gatewayCpuRatio} |`,
        ]
      : []),
    `| Temporal CPU ms/signal | ${perSignal(e.offCpuMsPerSignal, 'temporal')} | ${perSignal(e.onCpuMsPerSignal, 'temporal')} | |`,
    `| load generator CPU ms/signal | ${perSignal(e.offCpuMsPerSignal, 'bench')} | ${perSignal(e.onCpuMsPerSignal, 'bench')} | |`,
    `| local-kms CPU ms/signal | | ${perSignal(e.onCpuMsPerSignal, 'kms')} | |`,
    `| ingest init ms (median of ${e.init.runs}) | ${e.init.offMs} | ${e.init.onMs} | ${e.init.ratio} |`,
    `| ingest init CPU ms | ${e.init.offCpuMs} | ${e.init.onCpuMs} | ${(e.init.onCpuMs / e.init.offCpuMs).toFixed(3)} |`,
    `| ingest cold start to the first signal ms (median of ${e.coldStart.runs}) | ${e.coldStart.offMs} | ${e.coldStart.onMs} | ${e.coldStart.ratio} |`,
    `| ingest cold start CPU ms | ${e.coldStart.offCpuMs} | ${e.coldStart.onCpuMs} | ${(e.coldStart.onCpuMs / e.coldStart.offCpuMs).toFixed(3)} |`,
    '',
    `Errors off/on: ${e.offErrors}/${e.onErrors}. Data keys generated: ${e.dataKeysDuringLoad} during the load, ` +
      `${e.dataKeysDuringInit} during the init-only runs (no KMS call at init), ${e.dataKeysDuringColdStart} during ` +
      `the ${e.coldStart.runs} encrypted cold starts (one each, on the first signal).`,
    '',
    'Where the extra CPU goes, on − off (self time by module in CPU profiles, largest increases):',
    '',
    `- gateway under load, µs per signal (profiled over one warm ${e.secondsPerRun} s run a side, ` +
      `${e.extraCost.gatewayProfileRuns} pair(s)): ${costList(e.extraCost.gatewayUnderLoad, 'µs')}`,
    `- ingest init, ms (median of ${e.extraCost.initProfileRuns} \`--cpu-prof\` imports a side; the bundle's ` +
      `on-demand chunks: ${e.ingestOnDemandKiB} KiB): ${costList(e.extraCost.ingestInit, 'ms')}`,
    '',
  ];
}

/** Init, bytes and routing CPU of the ingest function for 10, 100 and 1,000 generated routes. */
function routeScalingLines(r: RouteScalingResult): string[] {
  const s = r.slopePer100Routes;
  return [
    `**Route-count scaling** (ingest bundle with a generated sealed routing file; init median of ${r.runs}, sizes taking turns; routing CPU per request, µs)`,
    '',
    '| routes | sources × webhook routes | CloudEvent routes | sealed file | read at init | init ms | init CPU ms | webhook: middle route | webhook: last route | CloudEvent: middle | CloudEvent: last |',
    '| -----: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...r.rows.map(
      (row) =>
        `| ${row.routes} | ${row.sources} × ${row.webhookRoutesPerSource} | ${row.cloudEventRoutes} | ` +
        `${(row.configBytes / 1024).toFixed(1)} KiB | ${(row.bytesReadAtInit / 1024).toFixed(0)} KiB | ${row.initMs} | ` +
        `${row.initCpuMs} | ${row.webhookCpuUs.middle} | ${row.webhookCpuUs.last} | ${row.cloudEventCpuUs.middle} | ` +
        `${row.cloudEventCpuUs.last} |`,
    ),
    '',
    `Slope per 100 routes: init ${s.initMs} ms (CPU ${s.initCpuMs} ms), sealed file ${s.configKiB} KiB, ` +
      `webhook to the last route ${s.webhookLastCpuUs} µs, CloudEvent to the last route ${s.cloudEventLastCpuUs} µs.`,
    '',
  ];
}

/** USD per million events by path, from this run's figures and the stated prices. */
function costLines(c: CostPerMillionResult): string[] {
  const r = c.rows;
  const usd = (value: number) => `$${value.toFixed(3)}`;
  return [
    `**Cost per million events** (${c.prices.region}, prices of ${c.prices.date}; Lambda ${c.memoryMb} MB ${c.architecture}; ` +
      `cold-start share ${c.assumptions.coldStartShare * 100} %, SQS fallback share ${c.assumptions.fallbackShare * 100} %, ` +
      `batches of ${c.assumptions.batchSize}; measured: request ${c.measured.ingestRequestMs} ms, cold start ` +
      `${c.measured.ingestColdStartMs} ms, batch of ten ${c.measured.queueBatchMs} ms; each 10 ms more per request adds ` +
      `${usd(c.per10MsMoreLatency)})`,
    '',
    '| path | API Gateway | Lambda requests | Lambda duration | queue / orchestrator | total |',
    '| ---- | ---: | ---: | ---: | ---: | ---: |',
    `| gateway: HTTP API + ingest + SQS fallback share | ${usd(r.gatewayWebhook.apiGateway)} | ${usd(r.gatewayWebhook.lambdaRequests)} | ${usd(r.gatewayWebhook.lambdaDuration)} | ${usd(r.gatewayWebhook.sqsFallback)} | **${usd(r.gatewayWebhook.total)}** |`,
    `| gateway: queue path (SQS + queue function) | — | — | — | ${usd(r.gatewayQueuePath.sqsAndQueueFunction)} | **${usd(r.gatewayQueuePath.total)}** |`,
    `| Step Functions standard: HTTP API + callback Lambda + SendTaskSuccess | ${usd(r.stepFunctionsSendTaskSuccess.apiGateway)} | ${usd(r.stepFunctionsSendTaskSuccess.callbackLambda)} (requests + duration) | | ${usd(r.stepFunctionsSendTaskSuccess.stateTransition)} | **${usd(r.stepFunctionsSendTaskSuccess.total)}** |`,
    `| Lambda durable function: HTTP API + callback Lambda + callback + resume | ${usd(r.lambdaDurableCallback.apiGateway)} | ${usd(r.lambdaDurableCallback.callbackLambda)} (requests + duration) | ${usd(r.lambdaDurableCallback.resumeInvocation)} (resume) | ${usd(r.lambdaDurableCallback.durableOperations)} | **${usd(r.lambdaDurableCallback.total)}** |`,
    '',
  ];
}

/** The event log's stores beside no log: the gateway under load, then what the stores hold. */
function eventLogLines(e: EventLogResult): string[] {
  const cpu = (side: EventLogResult['off'], name: string) => perSignal(side.cpuMsPerSignal, name);
  const m = e.perMillionEvents;
  return [
    `**Event log** (S3 store on gofakes3 and directory store, each ÷ off; ${e.runsPerSide} × ${e.secondsPerRun} s a ` +
      `side at concurrency ${e.concurrency}, taking turns)`,
    '',
    '| | off | S3 store | directory store |',
    '|---|---:|---:|---:|',
    `| gateway signals/s | ${e.off.signalsPerSec} | ${e.s3.signalsPerSec} | ${e.directory.signalsPerSec} |`,
    `| gateway process CPU ms/signal | ${cpu(e.off, 'gateway')} | ${cpu(e.s3, 'gateway')} | ${cpu(e.directory, 'gateway')} |`,
    `| ÷ off | | ${e.gatewayCpuRatio} | ${e.directoryCpuRatio} |`,
    ...(e.paced
      ? [
          `| paced at ${e.paced.rate}/s: gateway signals/s | ${e.paced.offSignalsPerSec} | ${e.paced.onSignalsPerSec} | |`,
          `| paced at ${e.paced.rate}/s: gateway process CPU ms/signal (÷ off) | ${perSignal(e.paced.offCpuMsPerSignal, 'gateway')} | ${perSignal(e.paced.onCpuMsPerSignal, 'gateway')} (${e.paced.gatewayCpuRatio}) | |`,
        ]
      : []),
    `| Temporal CPU ms/signal | ${cpu(e.off, 'temporal')} | ${cpu(e.s3, 'temporal')} | ${cpu(e.directory, 'temporal')} |`,
    `| gofakes3 CPU ms/signal (not on the gateway in AWS) | | ${cpu(e.s3, 's3')} | |`,
    `| errors / failed log writes | ${e.off.errors} / ${e.off.failedWrites} | ${e.s3.errors} / ${e.s3.failedWrites} | ${e.directory.errors} / ${e.directory.failedWrites} |`,
    `| records held / events accepted + in flight at stop | | ${e.stored.s3.objects} / ${e.stored.s3.acceptedEvents} + ${e.stored.s3.inFlightAtStop} | ${e.stored.directory.objects} / ${e.stored.directory.acceptedEvents} + ${e.stored.directory.inFlightAtStop} |`,
    `| bytes per event | | ${e.stored.s3.bytesPerEvent} | ${e.stored.directory.bytesPerEvent} |`,
    '',
    `Per million events in S3: ${m.storageGb} GB of records (${m.prices.standardPerGbMonthUsd} USD per GB-month: ` +
      `$${m.storageUsdPerMonth} a month kept), ${m.putRequests.toLocaleString('en-US')} PUT requests ($${m.putUsd}); ` +
      `S3 Standard us-east-1 prices of ${m.prices.date}.` +
      (e.extraCost
        ? ` Extra CPU of the S3 store, µs per signal by module (median of ${e.extraCost.profileRuns} profile(s) a side): ` +
          costList(e.extraCost.gatewayUnderLoad, 'µs') +
          '.'
        : ''),
    '',
  ];
}
