/**
 * The event log's two stores, one layout: records appended under the event's receipt day, read back
 * merged by event id, by provider id and by time range / source / status — in a local directory and
 * in S3 (gofakes3) alike.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalS3, LOCAL_S3_CREDENTIALS, type LocalS3 } from '../../../local/s3-server';
import type { EventRecord } from '../../../functions/core/event-record';
import { createDirectoryEventLog } from '../../../functions/adapters/event-log-directory';
import { createS3EventLog } from '../../../functions/adapters/event-log-s3';
import type { EventLog } from '../../../functions/adapters/ports';

let s3: LocalS3;
/** A second emulator, so the lean writer's records are the only ones its reader sees. */
let s3ForLeanPut: LocalS3;
let directory: string;
beforeAll(async () => {
  [s3, s3ForLeanPut] = await Promise.all([
    startLocalS3({ bucket: 'event-log' }),
    startLocalS3({ bucket: 'event-log' }),
  ]);
  directory = await mkdtemp(join(tmpdir(), 'event-log-'));
});
afterAll(async () => {
  await Promise.all([s3?.stop(), s3ForLeanPut?.stop()]);
  if (directory) await rm(directory, { recursive: true, force: true });
});

const NOW = new Date('2026-12-07T12:00:00.000Z');

const received = (overrides: Partial<EventRecord> = {}): EventRecord => ({
  version: 1,
  eventId: 'stripe:evt_1',
  receivedAt: '2026-12-07T10:00:00.000Z',
  recordedAt: '2026-12-07T10:00:00.050Z',
  stage: 'received',
  entry: { kind: 'webhook', source: 'stripe' },
  eventType: 'payment_intent.succeeded',
  providerId: 'evt_1',
  body: { text: '{"id":"evt_1"}' },
  headers: { 'content-type': 'application/json' },
  verification: { result: 'verified', method: 'stripe' },
  status: 'queued',
  routes: [{ route: 'payments', kind: 'signal', workflowId: 'order-1', operation: 'paid', status: 'queued' }],
  traceId: 'a'.repeat(32),
  ...overrides,
});

const stores: [string, () => EventLog][] = [
  ['directory', () => createDirectoryEventLog(directory, { now: () => NOW })],
  [
    's3 (gofakes3)',
    () =>
      createS3EventLog({
        bucket: 'event-log',
        now: () => NOW,
        s3Config: {
          endpoint: s3.endpoint,
          forcePathStyle: true,
          region: 'us-east-1',
          credentials: LOCAL_S3_CREDENTIALS,
        },
      }),
  ],
  [
    's3 (gofakes3), records written by the lean signed PUT',
    () =>
      createS3EventLog({
        bucket: 'event-log',
        now: () => NOW,
        s3Config: {
          endpoint: s3ForLeanPut.endpoint,
          forcePathStyle: true,
          region: 'us-east-1',
          credentials: LOCAL_S3_CREDENTIALS,
        },
        leanPut: {
          bucket: 'event-log',
          region: 'us-east-1',
          endpoint: s3ForLeanPut.endpoint,
          credentials: () => LOCAL_S3_CREDENTIALS,
        },
      }),
  ],
];

describe.each(stores)('event log in %s', (_name, make) => {
  it('appends records and merges them: a queued event later delivered', async () => {
    const log = make();
    await log.record(received());
    await log.record(
      received({
        stage: 'queue',
        recordedAt: '2026-12-07T10:05:00.000Z',
        status: 'delivered',
        routes: [
          {
            route: 'payments',
            kind: 'signal',
            workflowId: 'order-1',
            operation: 'paid',
            runId: 'run-1',
            status: 'delivered',
          },
        ],
      }),
    );
    const view = await log.get('stripe:evt_1');
    expect(view).toMatchObject({
      eventId: 'stripe:evt_1',
      source: 'stripe',
      providerId: 'evt_1',
      status: 'delivered',
      body: { text: '{"id":"evt_1"}' },
      traceId: 'a'.repeat(32),
      routes: [{ route: 'payments', runId: 'run-1', status: 'delivered' }],
    });
    expect(view?.history.map((entry) => [entry.stage, entry.status])).toEqual([
      ['received', 'queued'],
      ['queue', 'delivered'],
    ]);
    expect(await log.get('stripe:evt_1', { receivedAt: '2026-12-07T10:00:00.000Z' })).toEqual(view);
    expect(await log.getByProviderId('stripe', 'evt_1')).toEqual(view);
    expect(await log.get('stripe:evt_404')).toBeUndefined();
  });

  it('lists by time range, source and status, newest first', async () => {
    const log = make();
    await log.record(
      received({
        eventId: '@http:signal:key/with:odd@chars',
        entry: { kind: 'http', route: 'signal' },
        providerId: undefined,
        receivedAt: '2026-12-06T23:59:59.000Z',
        recordedAt: '2026-12-06T23:59:59.010Z',
        status: 'refused',
        routes: [{ route: 'signal', kind: 'signal', workflowId: 'w', status: 'refused' }],
      }),
    );
    const all = await log.list({ since: '2026-12-06T00:00:00.000Z' });
    expect(all.map((view) => view.eventId)).toEqual(['stripe:evt_1', '@http:signal:key/with:odd@chars']);
    // By default the last day: both are within 24 hours of NOW.
    expect((await log.list({})).map((view) => view.eventId)).toEqual(all.map((view) => view.eventId));
    expect((await log.list({ since: '2026-12-07T00:00:00.000Z' })).map((v) => v.eventId)).toEqual([
      'stripe:evt_1',
    ]);
    expect(
      (await log.list({ since: '2026-12-06T00:00:00.000Z', source: 'http' })).map((v) => v.eventId),
    ).toEqual(['@http:signal:key/with:odd@chars']);
    expect(await log.list({ since: '2026-12-06T00:00:00.000Z', status: 'dead-lettered' })).toEqual([]);
    expect(
      await log.list({ since: '2026-12-06T00:00:00.000Z', until: '2026-12-07T00:00:00.000Z' }),
    ).toHaveLength(1);
  });
});

it('files a directory record under events/YYYY/MM/DD/<event id>/', async () => {
  const days = await readdir(join(directory, 'events', '2026', '12'));
  expect(days.sort()).toEqual(['06', '07']);
  expect(await readdir(join(directory, 'events', '2026', '12', '07'))).toEqual(['stripe%3Aevt_1']);
});
