/**
 * What the event log (issue 30) costs: the gateway recording every event into the S3 store (the
 * AWS path, against gofakes3) and into the directory store (the local stacks), beside the same
 * gateway with no log, on the same dev server and the same pool of workflows.
 *
 * - Gateway CPU per signal and throughput at concurrency 32: three gateway child processes (off,
 *   s3, directory), autocannon against each in turn, the order rotating each round. gofakes3's CPU
 *   is metered apart: in AWS, S3 is not on the gateway's CPU.
 * - Failed log writes: the recorder logs one line per write that failed or ran past its timeout;
 *   the section counts those lines in each child's output.
 * - Storage: what each store holds after the run — objects (one PUT each) and bytes per event — so
 *   storage and PUT requests per million events come from the records the gateway really wrote.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout } from 'node:timers/promises';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { EventGatewayError } from '../contract/errors';
import { EVENT_LOG_ENV, PAYLOAD_ENV } from '../contract/env-names';
import { LOCAL_S3_CREDENTIALS, startLocalS3, type LocalS3 } from '../local/s3-server';
import type { InitCost } from './cpu-profile';
import {
  childPidNamed,
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
  type GatewayChild,
  type GatewaySidesContext,
  type PacedComparison,
} from './gateway-sides';
import { gatewayRate } from './signal-load';
import { round } from './stats';

/** S3 Standard in us-east-1, first tier, as published; a cost is only as current as this date. */
export const S3_PRICES = {
  date: '2026-03-13',
  source:
    'https://aws.amazon.com/s3/pricing/ as quoted (us-east-1, "as of March 2026") by ' +
    'https://cloudburn.io/blog/amazon-s3-pricing; not re-read on the run date',
  standardPerGbMonthUsd: 0.023,
  putPerThousandUsd: 0.005,
} as const;

/** What one store holds after the run. */
export interface StoredRecords {
  /** Objects (files) under `events/`: one PUT each. */
  objects: number;
  bytes: number;
  /** Events the side accepted (2xx, warm-up included): the records it should have written. */
  acceptedEvents: number;
  /**
   * Requests in flight when a run's clock stopped (one per connection and run): answered after
   * autocannon stopped counting, so not in `acceptedEvents`, yet recorded.
   */
  inFlightAtStop: number;
  bytesPerEvent: number;
  /** Objects per event sent (accepted + in flight at stop; 1: one write per event). */
  objectsPerEvent: number;
  /** Disk blocks the directory store's files take (4 KiB a small file on most file systems). */
  diskBytes?: number;
}

export interface EventLogSide {
  signalsPerSec: number;
  cpuMsPerSignal: Record<string, number>;
  errors: number;
  /** Lines "event log write failed" the gateway child logged. */
  failedWrites: number;
}

/** The figures of one run; report.ts renders them and checks the goal. */
export interface EventLogResult {
  concurrency: number;
  runsPerSide: number;
  secondsPerRun: number;
  off: EventLogSide;
  s3: EventLogSide;
  directory: EventLogSide;
  /** Gateway process CPU per signal, S3 store ÷ off (goal ≤ 1.1). */
  gatewayCpuRatio: number;
  /** Gateway process CPU per signal, directory store ÷ off. */
  directoryCpuRatio: number;
  /**
   * Off and the S3 store again, paced at one rate below saturation (comparePaced): the same work at
   * the same pace, the figure the goal is read from (a closed loop on two shared cores mixes the
   * code's cost with how the machine was shared).
   */
  paced: PacedComparison;
  stored: { s3: StoredRecords; directory: StoredRecords };
  perMillionEvents: {
    /** S3 storage of a million events' records, GB (2^30 bytes, as S3 bills). */
    storageGb: number;
    putRequests: number;
    /** Their storage for one month, and their PUT requests (S3_PRICES). */
    storageUsdPerMonth: number;
    putUsd: number;
    prices: typeof S3_PRICES;
  };
  /** Where the extra CPU goes, S3 store − off: self µs per signal by module (largest first). */
  extraCost?: { gatewayUnderLoad: InitCost[]; profileRuns: number };
  method: string;
}

/** The run's context: the event log's setting is overridden per side. */
export type EventLogContext = GatewaySidesContext;

export interface EventLogPlan {
  concurrency: number;
  rounds: number;
  seconds: number;
  /** Profiled load runs a side (off, S3); 0 = none. */
  profileRuns: number;
}

export class EventLogBenchError extends EventGatewayError {
  override readonly name = 'EventLogBenchError';
}

/** The recorder's line for a write that failed or timed out (functions/adapters/event-log-recorder.ts). */
const FAILED_WRITE_LINE = 'event log write failed';
const BUCKET = 'bench-event-log';
const SIDES = ['off', 's3', 'directory'] as const;
type Side = (typeof SIDES)[number];

/** Every object under `events/` in the emulator's bucket: count and bytes. */
async function s3Holdings(s3: LocalS3): Promise<{ objects: number; bytes: number }> {
  const client = s3.client();
  let objects = 0;
  let bytes = 0;
  let token: string | undefined;
  try {
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: 'events/', ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) {
        objects += 1;
        bytes += object.Size ?? 0;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  } finally {
    client.destroy();
  }
  return { objects, bytes };
}

/** Every record file under the directory: count, bytes, and the disk blocks they take. */
async function directoryHoldings(root: string) {
  const entries = await readdir(join(root, 'events'), { recursive: true, withFileTypes: true });
  let objects = 0;
  let bytes = 0;
  let diskBytes = 0;
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.endsWith('.json')) continue;
    const info = await stat(join(entry.parentPath, entry.name));
    objects += 1;
    bytes += info.size;
    diskBytes += info.blocks * 512;
  }
  return { objects, bytes, diskBytes };
}

const stored = (
  held: { objects: number; bytes: number; diskBytes?: number },
  accepted: number,
  inFlightAtStop: number,
): StoredRecords => ({
  ...held,
  acceptedEvents: accepted,
  inFlightAtStop,
  bytesPerEvent: round(held.bytes / Math.max(1, held.objects)),
  objectsPerEvent: round(held.objects / Math.max(1, accepted + inFlightAtStop), 3),
});

export async function eventLogSection(plan: EventLogPlan, ctx: EventLogContext): Promise<EventLogResult> {
  const { log } = ctx;
  const s3 = await startLocalS3({ bucket: BUCKET });
  const stoppers: (() => Promise<unknown>)[] = [() => s3.stop()];
  // startLocalS3 does not expose its process: the bench's own child named gofakes3.
  const s3Pid = childPidNamed('gofakes3');
  const directory = join(ctx.workDir, 'event-log', Date.now().toString(36));
  try {
    const offEnv = {
      ...ctx.gatewayEnv,
      [EVENT_LOG_ENV.bucket]: undefined,
      [EVENT_LOG_ENV.directory]: undefined,
    };
    const envs: Record<Side, Record<string, string | undefined>> = {
      off: offEnv,
      s3: {
        ...offEnv,
        [EVENT_LOG_ENV.bucket]: BUCKET,
        [PAYLOAD_ENV.s3Endpoint]: s3.endpoint,
        AWS_REGION: s3.region,
        AWS_ACCESS_KEY_ID: LOCAL_S3_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_S3_CREDENTIALS.secretAccessKey,
      },
      directory: { ...offEnv, [EVENT_LOG_ENV.directory]: directory },
    };
    const failedWrites: Record<Side, number> = { off: 0, s3: 0, directory: 0 };
    const gateways = {} as Record<Side, GatewayChild>;
    for (const side of SIDES) {
      const gateway = await startGatewayChild(ctx.repoRoot, envs[side]);
      stoppers.push(() => gateway.child.stop());
      for (const stream of [gateway.child.process.stdout, gateway.child.process.stderr])
        if (stream)
          createInterface({ input: stream }).on('line', (line) => {
            if (line.includes(FAILED_WRITE_LINE)) failedWrites[side] += 1;
          });
      gateways[side] = gateway;
    }

    log('eventLog: warm-up of the three gateways (the S3 one loads the SDK on its first record)');
    const warmUpConnections = 8;
    const accepted: Record<Side, number> = { off: 0, s3: 0, directory: 0 };
    for (const side of SIDES)
      accepted[side] += (
        await gatewayRate(gateways[side].url, ctx.loadTarget, warmUpConnections, 1)
      ).completed;
    const runs = await takeTurns(
      SIDES,
      plan.rounds,
      (side) =>
        meteredRun(
          {
            gateway: gateways[side].pid,
            temporal: ctx.temporalPid,
            ...(side === 's3' ? { s3: s3Pid } : {}),
          },
          () => gatewayRate(gateways[side].url, ctx.loadTarget, plan.concurrency, plan.seconds),
        ),
      (round_, so) =>
        log(
          `eventLog round ${round_ + 1}/${plan.rounds}: ` +
            SIDES.map((side) => `${side} ${so[side].at(-1)!.sample.signalsPerSec}/s`).join(', '),
        ),
    );
    for (const side of SIDES) accepted[side] += completedOf(runs[side]);
    // A write past the recorder's timeout still lands in the background: let it, before counting.
    await setTimeout(2_500);
    const inFlightAtStop = warmUpConnections + plan.concurrency * plan.rounds;
    const s3Stored = stored(await s3Holdings(s3), accepted.s3, inFlightAtStop);
    const directoryStored = stored(await directoryHoldings(directory), accepted.directory, inFlightAtStop);
    if (s3Stored.objects === 0)
      throw new EventLogBenchError('the S3 store holds no record: the log was not on');
    // After the stores were counted: the paced runs' records are not in the storage figures.
    const paced = await comparePaced(runs.off, runs.s3, plan.rounds, (side, rate) => {
      const name: Side = side === 'off' ? 'off' : 's3';
      return meteredRun({ gateway: gateways[name].pid, temporal: ctx.temporalPid }, () =>
        gatewayRate(gateways[name].url, ctx.loadTarget, plan.concurrency, plan.seconds, rate),
      );
    });
    log(`eventLog: paced at ${paced.rate}/s, gateway CPU S3 ÷ off ${paced.gatewayCpuRatio}`);

    const sideOf = (side: Side): EventLogSide => ({
      signalsPerSec: signalsPerSec(runs[side]),
      cpuMsPerSignal: cpuPerSignal(runs[side]),
      errors: errorsOf(runs[side]),
      failedWrites: failedWrites[side],
    });
    const [off, onS3, onDirectory] = SIDES.map(sideOf) as [EventLogSide, EventLogSide, EventLogSide];

    let extraCost: EventLogResult['extraCost'];
    if (plan.profileRuns > 0) {
      log(`eventLog: CPU profiles (${plan.profileRuns} a side, off and S3) of the gateways under load`);
      const profile = (side: Side, run: number) =>
        profileGatewayLoad({
          repoRoot: ctx.repoRoot,
          env: envs[side],
          file: join(ctx.workDir, 'event-log-profiles', `${side}-${run}.cpuprofile`),
          warmUp: (url) => gatewayRate(url, ctx.loadTarget, 8, 1),
          load: (url) => gatewayRate(url, ctx.loadTarget, plan.concurrency, plan.seconds),
        });
      const offProfiles: InitCost[][] = [];
      const s3Profiles: InitCost[][] = [];
      for (let run = 0; run < plan.profileRuns; run += 1) {
        offProfiles.push(await profile('off', run));
        s3Profiles.push(await profile('s3', run));
      }
      extraCost = { gatewayUnderLoad: extraByModule(offProfiles, s3Profiles), profileRuns: plan.profileRuns };
    }

    const storageGb = (s3Stored.bytesPerEvent * 1_000_000) / 2 ** 30;
    const putRequests = Math.round(s3Stored.objectsPerEvent * 1_000_000);
    return {
      concurrency: plan.concurrency,
      runsPerSide: plan.rounds,
      secondsPerRun: plan.seconds,
      off,
      s3: onS3,
      directory: onDirectory,
      gatewayCpuRatio: round((onS3.cpuMsPerSignal.gateway ?? NaN) / (off.cpuMsPerSignal.gateway ?? NaN), 3),
      directoryCpuRatio: round(
        (onDirectory.cpuMsPerSignal.gateway ?? NaN) / (off.cpuMsPerSignal.gateway ?? NaN),
        3,
      ),
      paced,
      stored: { s3: s3Stored, directory: directoryStored },
      perMillionEvents: {
        storageGb: round(storageGb, 3),
        putRequests,
        storageUsdPerMonth: round(storageGb * S3_PRICES.standardPerGbMonthUsd, 4),
        putUsd: round((putRequests / 1000) * S3_PRICES.putPerThousandUsd, 2),
        prices: S3_PRICES,
      },
      ...(extraCost ? { extraCost } : {}),
      method:
        `three gateway child processes on one dev server: off = no ${EVENT_LOG_ENV.bucket} or ` +
        `${EVENT_LOG_ENV.directory}; s3 = the bucket on a gofakes3 the bench starts (the S3 store, the AWS ` +
        'path: one signed PUT per event by the lean writer, as in Lambda); directory = a directory under dist/bench ' +
        `(the local stacks' store); autocannon at ${plan.concurrency} against each in turn, the order rotating ` +
        `each round, ${plan.rounds} × ${plan.seconds} s a side; CPU ms per signal from /proc (s3 = gofakes3, ` +
        "not on the gateway in AWS); then off and S3 again paced at 60 % of the slower side's rate, taking turns; " +
        'storage = what each store holds after the run; objects per event over the ' +
        "side's accepted events plus the requests in flight when each run's clock stopped (warm-up included)",
    };
  } finally {
    for (const stop of stoppers.reverse())
      await stop().catch((error: unknown) => log(`eventLog: stop failed: ${String(error)}`));
    await rm(directory, { recursive: true, force: true });
  }
}
