/**
 * How the ingest function's cost grows with its configuration (issue 31): generated routings of 10,
 * 100 and 1,000 routes — several webhook sources (Stripe-signed, each route matching one event type
 * and a body field, as the demo's routes do) and CloudEvent routes, one target per source — sealed
 * as the synth seals them (validated, defaults filled in, its SHA-256 recorded) and given to the
 * ingest bundle as its configuration file.
 *
 * Measured per size: init (fresh `node` per sample, the sizes taking turns, like lambdaInit), the
 * bytes read at init (the bundle's init files plus the sealed file), and the CPU of routing one
 * verified webhook and one CloudEvent — to a route in the middle of the configuration and to its
 * last one — through the functions' own routing (`identifyWebhook` + `decideWebhook`,
 * `routeCloudEvent`) on the configuration compiled as the function compiles it.
 */
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DEFAULT_GATEWAY_CHECKS_FILE_NAME,
  GATEWAY_CHECKS_FILE_NAME,
  gatewayConfigDigest,
} from '../functions/adapters/gateway-config-file';
import { GATEWAY_ENV } from '../functions/core/env-names';
import { EVENT_ID_ENTRIES } from '../functions/core/event-ids';
import { compileValidatedGatewayConfigJson, type GatewayConfigInput } from '../functions/core/gateway-config';
import type { GatewayConfig } from '../functions/core/gateway-config-model';
import { routeCloudEvent } from '../functions/core/routes';
import { decideWebhook, identifyWebhook } from '../functions/core/webhook-routing';
import { routingChecksModule, routingToConfigJson } from '../infra/props/routing';
import { bundleLambda, LAMBDA_VARIANTS, measureInit } from './lambda-init';
import { median, round } from './stats';

export const ROUTE_COUNTS = [10, 100, 1_000] as const;

/** A fifth of the routes are CloudEvent routes, the rest webhook routes spread over the sources. */
const CLOUD_EVENT_SHARE = 0.2;
/** Sources grow with the routes (a platform team adds teams, not only routes): 2, 4 and 40. */
const sourcesFor = (routes: number) => Math.max(2, Math.round(routes / 25));
const SIGNALS_PER_TARGET = 5;
const SECRET_ENV = 'BENCH_SOURCE_SECRET';

const stageSchema = {
  type: 'object',
  properties: { stage: { type: 'integer', minimum: 0, maximum: 9 } },
  required: ['stage'],
  additionalProperties: false,
};

interface Shape {
  routes: number;
  sources: number;
  webhookRoutesPerSource: number;
  cloudEventRoutes: number;
}

function shapeOf(routes: number): Shape {
  const sources = sourcesFor(routes);
  const cloudEventRoutes = Math.round(routes * CLOUD_EVENT_SHARE);
  return {
    routes,
    sources,
    webhookRoutesPerSource: Math.round((routes - cloudEventRoutes) / sources),
    cloudEventRoutes,
  };
}

const signalName = (route: number) => `event${route % SIGNALS_PER_TARGET}`;
const webhookType = (route: number) => `resource${route}.updated`;
const cloudEventType = (team: number, route: number) => `com.example.team${team}.thing${route}`;

/** The routing a platform team would write: one target and one webhook source per team. */
export function generatedRouting(shape: Shape): GatewayConfigInput {
  const teams = Array.from({ length: shape.sources }, (_, team) => team);
  const signals = Object.fromEntries(
    Array.from({ length: SIGNALS_PER_TARGET }, (_, i) => [signalName(i), { schema: stageSchema }]),
  );
  return {
    targets: teams.map((team) => ({
      name: `team${team}`,
      workflowIdPattern: `^team${team}-[A-Za-z0-9._:-]{1,120}$`,
      workflowType: `team${team}Workflow`,
      taskQueue: `team${team}`,
      signals,
      startIfMissing: true,
    })),
    sources: teams.map((team) => ({
      name: `source${team}`,
      verifier: { preset: 'stripe' },
      secret: { env: SECRET_ENV },
      routes: Array.from({ length: shape.webhookRoutesPerSource }, (_, route) => ({
        name: `team${team}-route${route}`,
        match: { type: webhookType(route), fields: { 'data.object.status': { in: ['active', 'done'] } } },
        workflowId: `team${team}-{data.object.metadata.key}`,
        signal: signalName(route),
        payload: { stage: { value: 1 } },
      })),
    })),
    routes: Array.from({ length: shape.cloudEventRoutes }, (_, route) => {
      const team = route % shape.sources;
      return {
        name: `cloud-event-${route}`,
        match: { type: cloudEventType(team, route) },
        workflowId: `team${team}-{data.key}`,
        signal: signalName(route),
        payload: { stage: 'data.stage' },
      };
    }),
  };
}

/** Median CPU µs of one call over `batches` batches of `perBatch` calls, after a warm-up batch. */
function cpuMicrosPerCall(call: () => void, perBatch: number, batches: number): number {
  for (let i = 0; i < perBatch; i += 1) call();
  const perCall: number[] = [];
  for (let b = 0; b < batches; b += 1) {
    const start = process.cpuUsage();
    for (let i = 0; i < perBatch; i += 1) call();
    const used = process.cpuUsage(start);
    perCall.push((used.user + used.system) / perBatch);
  }
  return round(median(perCall), 2);
}

/** One webhook to `team`'s route `route`, routed as the ingest function routes a verified request. */
function webhookRouting(config: GatewayConfig, team: number, route: number): () => void {
  const sources = new Map(config.sources.map((source) => [source.name, source]));
  const document = {
    headers: { 'content-type': 'application/json' },
    body: {
      id: `evt_${team}_${route}`,
      type: webhookType(route),
      data: { object: { status: 'active', metadata: { key: `order-${route}` } } },
    },
  };
  return () => {
    const source = sources.get(`source${team}`);
    if (!source) throw new Error(`no source${team}`);
    const identity = identifyWebhook(source, document, 'ab'.repeat(32));
    const decision = decideWebhook(config, source, document, identity);
    if (decision.kind !== 'routed' || decision.deliveries.length !== 1)
      throw new Error(`webhook to source${team} route${route} was ${decision.kind}`);
  };
}

function cloudEventRouting(config: GatewayConfig, shape: Shape, route: number): () => void {
  const team = route % shape.sources;
  const event = {
    specversion: '1.0',
    id: `ce-${route}`,
    source: 'bench',
    type: cloudEventType(team, route),
    data: { key: `order-${route}`, stage: 1 },
  };
  return () => {
    const routed = routeCloudEvent(config, event, {
      namespace: { entry: EVENT_ID_ENTRIES.cloudEvent, caller: 'bench' },
    });
    if (!routed.ok || routed.value.length !== 1) throw new Error(`CloudEvent route ${route} did not route`);
  };
}

export interface RouteScalingPlan {
  initRuns: number;
  cpuBatches: number;
  cpuCallsPerBatch: number;
}

/** Slope of `value` per 100 routes, from the smallest to the largest configuration. */
function slopePer100<Row extends { routes: number }>(
  rows: readonly Row[],
  value: (row: Row) => number,
): number {
  const first = rows[0]!;
  const last = rows[rows.length - 1]!;
  return round((value(last) - value(first)) / ((last.routes - first.routes) / 100), 3);
}

export async function routeScalingSection(
  plan: RouteScalingPlan,
  paths: { repoRoot: string; workDir: string },
  log: (line: string) => void,
) {
  const dir = join(paths.workDir, 'route-scaling');
  await mkdir(dir, { recursive: true });
  const bundle = await bundleLambda(
    join(paths.repoRoot, LAMBDA_VARIANTS.ingest),
    join(dir, 'ingest'),
    'ingest',
    'ingest',
  );
  const sizes = await Promise.all(
    ROUTE_COUNTS.map(async (routes) => {
      const shape = shapeOf(routes);
      const json = routingToConfigJson(generatedRouting(shape));
      // Each size in its own folder with the synth's argument checks beside its file, as the
      // construct's asset has them (without them the function would build its checks with zod).
      const sizeDir = join(dir, `routes-${routes}`);
      await mkdir(sizeDir, { recursive: true });
      const file = join(sizeDir, 'gateway-config.json');
      const checks = routingChecksModule(json);
      await Promise.all([writeFile(file, json), writeFile(join(sizeDir, GATEWAY_CHECKS_FILE_NAME), checks)]);
      return { shape, json, file, checksBytes: Buffer.byteLength(checks), label: `routes${routes}` };
    }),
  );
  log(`routeScaling: init of the ingest bundle with ${ROUTE_COUNTS.join(', ')} routes, taking turns`);
  const labelled = sizes.map((size) => ({ ...bundle, label: size.label }));
  const byLabel = new Map(sizes.map((size) => [size.label, size]));
  const init = await measureInit(labelled, plan.initRuns, true, (labelledBundle) => {
    const size = byLabel.get(labelledBundle.label)!;
    return {
      [GATEWAY_ENV.configFile]: size.file,
      [GATEWAY_ENV.configSha256]: gatewayConfigDigest(size.json),
      [GATEWAY_ENV.config]: '',
      [SECRET_ENV]: 'whsec_bench0123456789',
    };
  });
  // The bundle's count includes the default configuration's checks, which a configuration's own replace.
  const defaultChecksBytes = (await stat(join(dir, 'ingest', DEFAULT_GATEWAY_CHECKS_FILE_NAME))).size;
  const rows = sizes.map(({ shape, json, checksBytes, label }) => {
    const config = compileValidatedGatewayConfigJson(json);
    const middleTeam = Math.floor(shape.sources / 2);
    const middleRoute = Math.floor(shape.webhookRoutesPerSource / 2);
    const cpu = (call: () => void) => cpuMicrosPerCall(call, plan.cpuCallsPerBatch, plan.cpuBatches);
    const times = init[label]!;
    return {
      routes: shape.routes,
      sources: shape.sources,
      webhookRoutesPerSource: shape.webhookRoutesPerSource,
      cloudEventRoutes: shape.cloudEventRoutes,
      targets: shape.sources,
      configBytes: Buffer.byteLength(json),
      checksBytes,
      bytesReadAtInit: bundle.bytes - defaultChecksBytes + Buffer.byteLength(json) + checksBytes,
      initMs: times.initMs,
      initCpuMs: times.cpuMs,
      importMs: times.importMs,
      webhookCpuUs: {
        middle: cpu(webhookRouting(config, middleTeam, middleRoute)),
        last: cpu(webhookRouting(config, shape.sources - 1, shape.webhookRoutesPerSource - 1)),
      },
      cloudEventCpuUs: {
        middle: cpu(cloudEventRouting(config, shape, Math.floor(shape.cloudEventRoutes / 2))),
        last: cpu(cloudEventRouting(config, shape, shape.cloudEventRoutes - 1)),
      },
    };
  });
  const slope = (value: (row: (typeof rows)[number]) => number) => slopePer100(rows, value);
  const result = {
    rows,
    slopePer100Routes: {
      initMs: slope((row) => row.initMs),
      initCpuMs: slope((row) => row.initCpuMs),
      configKiB: round(slope((row) => row.configBytes) / 1024, 2),
      webhookLastCpuUs: slope((row) => row.webhookCpuUs.last),
      cloudEventLastCpuUs: slope((row) => row.cloudEventCpuUs.last),
    },
    bundleBytes: bundle.bytes,
    runs: plan.initRuns,
    method:
      'generated routings (one target and one Stripe-signed webhook source per team, 80 % webhook routes ' +
      'matching a type and a body field, 20 % CloudEvent routes by type), sealed by routingToConfigJson with ' +
      'their digest and given to the ingest bundle as GATEWAY_CONFIG_FILE; init = median of fresh node ' +
      'processes, sizes taking turns; routing CPU = median over batches of process.cpuUsage per call of ' +
      'identifyWebhook + decideWebhook (source by name from a Map, as the HTTP app does) and routeCloudEvent ' +
      'on the configuration compiled as the function compiles it (compileValidatedGatewayConfigJson)',
  };
  log(
    `routeScaling: ${JSON.stringify(result.rows)}; slope per 100 routes ${JSON.stringify(result.slopePer100Routes)}`,
  );
  return result;
}

export type RouteScalingResult = Awaited<ReturnType<typeof routeScalingSection>>;
