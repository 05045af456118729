/**
 * `event-gateway send` against the real gateway (local server, real Temporal dev server) and, for
 * the exact headers it sends, against a capturing HTTP server checked with `standardwebhooks`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../functions/adapters/logger';
import { ANONYMOUS_CALLER, EVENT_ID_ENTRIES, NAMESPACE_MARK } from '../../functions/core/event-ids';
import { startGatewayServer, type GatewayServer } from '../../local/gateway-server';
import { countSignals, uniqueName } from '../support/staged-worker';
import { sharedTemporal, stopSharedTemporal } from '../support/temporal';
import { cli, startCaptureServer } from './support';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** The gateway namespaces an id an unauthenticated HTTP caller supplies (issue 23). */
const anonymousHttpId = (supplied: string) =>
  `${NAMESPACE_MARK}${EVENT_ID_ENTRIES.http}:${ANONYMOUS_CALLER}:${supplied}`;
// '@', ':' and the names are plain characters in a regular expression.
const ANONYMOUS_HTTP_UUID = new RegExp(`^${anonymousHttpId('')}${UUID.source.slice(1)}`);

let env: TestWorkflowEnvironment;
let gateway: GatewayServer;
let capture: Awaited<ReturnType<typeof startCaptureServer>>;

beforeAll(async () => {
  env = await sharedTemporal();
  // Signal-with-start records the signal without a worker: the history is what is checked.
  gateway = await startGatewayServer({ logger: silentLogger, env: { TEMPORAL_ADDRESS: env.address } });
  capture = await startCaptureServer();
});

afterAll(async () => {
  await capture?.close();
  await gateway?.close();
  await stopSharedTemporal();
});

const signal = (workflowId: string, payload: string, ...extra: string[]) => [
  'send',
  '--workflow-id',
  workflowId,
  '--signal',
  'advanceStage',
  '--payload',
  payload,
  ...extra,
];

/** The JSON document printed after the status line. */
const answer = (stdout: string[]) => JSON.parse(stdout.slice(1).join('\n')) as Record<string, unknown>;

describe('event-gateway send against the gateway', () => {
  it('delivers a signal the workflow records, and records a repeated event id once', async () => {
    const workflowId = uniqueName('staged-cli-send');
    const args = signal(workflowId, '{"stage":1}', '--event-id', 'cli-evt-1', '--url', gateway.url);

    const first = await cli(args);
    expect(first.code).toBe(0);
    expect(first.stdout[0]).toBe('HTTP 202 Accepted');
    expect(answer(first.stdout)).toEqual({
      status: 'delivered',
      workflowId,
      signal: 'advanceStage',
      eventId: anonymousHttpId('cli-evt-1'),
    });
    // A producer retrying the same event: accepted again, applied once.
    expect((await cli(args)).code).toBe(0);
    expect(await countSignals(env, workflowId, 'advanceStage')).toBe(1);
  });

  it('gives each send a fresh event id when none is given, so two sends are two signals', async () => {
    const workflowId = uniqueName('staged-cli-fresh');
    const runs = [
      await cli(signal(workflowId, '{"stage":1}'), { GATEWAY_PORT: String(gateway.port) }),
      await cli(signal(workflowId, '{"stage":2}'), { GATEWAY_PORT: String(gateway.port) }),
    ];
    const ids = runs.map((run) => answer(run.stdout).eventId);
    expect(ids[0]).toMatch(ANONYMOUS_HTTP_UUID);
    expect(ids[1]).toMatch(ANONYMOUS_HTTP_UUID);
    expect(ids[0]).not.toBe(ids[1]);
    expect(await countSignals(env, workflowId, 'advanceStage')).toBe(2);
  });

  it("prints the gateway's problem and exits 1 when it refuses the event", async () => {
    const run = await cli([
      'send',
      '--workflow-id',
      'payments-9',
      '--signal',
      'advanceStage',
      '--payload',
      '{"stage":1}',
      '--url',
      gateway.url,
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout[0]).toBe('HTTP 403 Forbidden');
    expect(answer(run.stdout)).toMatchObject({
      status: 403,
      type: expect.stringContaining('/problems/') as string,
    });
  });
});

describe('what event-gateway send puts on the wire', () => {
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const last = () => capture.requests.at(-1)!;
  const header = (name: string) => {
    const value = last().headers[name];
    return Array.isArray(value) ? value.join(',') : value;
  };

  it('signs a CloudEvent with Standard Webhooks headers that standardwebhooks verifies, the event id as webhook-id', async () => {
    const event = { id: 'evt-signed', type: 'com.example.stage.advanced', source: 'cli', data: { stage: 2 } };
    const run = await cli([
      'send',
      '--cloudevent',
      JSON.stringify(event),
      '--webhook-secret',
      secret,
      '--url',
      capture.url,
    ]);
    expect(run.code).toBe(0);
    const request = last();
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/v1/events');
    expect(header('webhook-id')).toBe('evt-signed');
    const headers = {
      'webhook-id': header('webhook-id') ?? '',
      'webhook-timestamp': header('webhook-timestamp') ?? '',
      'webhook-signature': header('webhook-signature') ?? '',
    };
    expect(new Webhook(secret).verify(request.body, headers)).toMatchObject({ id: 'evt-signed' });
    expect(() =>
      new Webhook(`whsec_${randomBytes(24).toString('base64')}`).verify(request.body, headers),
    ).toThrow();
  });

  it('never signs a path-addressed signal: the signature would not cover the path, and the gateway refuses it', async () => {
    const run = await cli(
      signal(
        'staged-signed',
        '{"stage":2}',
        '--event-id',
        'evt-1',
        '--webhook-secret',
        secret,
        '--url',
        capture.url,
      ),
    );
    expect(run.code).toBe(0);
    expect(last().url).toBe('/v1/workflows/staged-signed/signals/advanceStage');
    expect(header('idempotency-key')).toBe('evt-1');
    expect(header('webhook-signature')).toBeUndefined();
  });

  it('takes the CloudEvent secret from GATEWAY_WEBHOOK_SECRET, unless GATEWAY_AUTH names another mode', async () => {
    const event = JSON.stringify({ type: 'com.example.stage.advanced', source: 'cli', data: { stage: 1 } });
    await cli(['send', '--cloudevent', event, '--url', capture.url], { GATEWAY_WEBHOOK_SECRET: secret });
    const id = header('webhook-id') ?? '';
    expect(id).toMatch(UUID);
    expect(
      new Webhook(secret).verify(last().body, {
        'webhook-id': id,
        'webhook-timestamp': header('webhook-timestamp') ?? '',
        'webhook-signature': header('webhook-signature') ?? '',
      }),
    ).toMatchObject({ id });

    await cli(['send', '--cloudevent', event, '--url', capture.url], {
      GATEWAY_WEBHOOK_SECRET: 'a-github-secret',
      GATEWAY_AUTH: 'github',
    });
    expect(header('webhook-signature')).toBeUndefined();
  });

  it('sends x-api-key from --api-key, else the first key of GATEWAY_API_KEYS', async () => {
    await cli(signal('staged-key', '{"stage":1}', '--url', capture.url, '--api-key', 'flag-key-0123456789'));
    expect(header('x-api-key')).toBe('flag-key-0123456789');
    await cli(signal('staged-key', '{"stage":1}', '--url', capture.url), {
      GATEWAY_API_KEYS: ' first-key-0123456789 , second-key-0123456789',
    });
    expect(header('x-api-key')).toBe('first-key-0123456789');
    await cli(signal('staged-key', '{"stage":1}', '--url', capture.url));
    expect(header('x-api-key')).toBeUndefined();
    expect(header('webhook-signature')).toBeUndefined();
  });

  it('posts a CloudEvent in structured mode to /v1/events, from JSON or a file, filling in id and specversion', async () => {
    const event = {
      type: 'com.example.stage.advanced',
      source: 'cli-test',
      data: { workflowKey: 'k1', stage: 1 },
    };
    const run = await cli([
      'send',
      '--cloudevent',
      JSON.stringify(event),
      '--url',
      capture.url,
      '--webhook-secret',
      secret,
    ]);
    expect(run.code).toBe(0);
    expect(last().url).toBe('/v1/events');
    expect(header('content-type')).toBe('application/cloudevents+json');
    const sent = JSON.parse(last().body) as Record<string, unknown>;
    expect(sent).toMatchObject({ ...event, specversion: '1.0' });
    expect(sent.id).toMatch(UUID);
    expect(header('webhook-id')).toBe(sent.id);
    expect(header('idempotency-key')).toBeUndefined();

    const dir = await mkdtemp(join(tmpdir(), 'cli-event-'));
    try {
      const file = join(dir, 'event.json');
      await writeFile(file, JSON.stringify({ ...event, id: 'ce-from-file', specversion: '1.0' }));
      expect((await cli(['send', '--cloudevent', file, '--url', capture.url])).code).toBe(0);
      expect(JSON.parse(last().body)).toMatchObject({ id: 'ce-from-file', source: 'cli-test' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
