/**
 * The recorder the handlers write through: a signature or credential header is never recorded (an
 * allow-list), the body goes through the gateway's payload codecs when there are any (kept as a
 * Temporal Payload, not the plain text), and a store that fails never fails the event — it is
 * logged and counted.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDirectoryEventLog } from '../../../functions/adapters/event-log-directory';
import { createEventRecorder } from '../../../functions/adapters/event-log-recorder';
import type { GatewayLogger } from '../../../functions/adapters/logger';
import { createDataConverter } from '../../../functions/adapters/temporal-data-converter';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'event-recorder-'));
});
afterAll(async () => {
  if (directory) await rm(directory, { recursive: true, force: true });
});

/** A codec that reverses the bytes and marks the encoding: enough to tell encoded from plain. */
const reversing: PayloadCodec = {
  encode: (payloads: Payload[]) =>
    Promise.resolve(
      payloads.map((p) => ({
        metadata: { encoding: new TextEncoder().encode('binary/reversed') },
        data: Uint8Array.from(p.data ?? []).reverse(),
      })),
    ),
  decode: (payloads: Payload[]) => Promise.resolve(payloads),
};

const lines: { level: string; message: string }[] = [];
const logger: GatewayLogger = {
  info: (message) => lines.push({ level: 'info', message }),
  warn: (message) => lines.push({ level: 'warn', message }),
  error: (message) => lines.push({ level: 'error', message }),
};

const HEADERS: [string, string][] = [
  ['Content-Type', 'application/json'],
  ['Stripe-Signature', 't=1,v1=abc'],
  ['Authorization', 'Bearer secret'],
  ['X-Api-Key', 'k'],
  ['Cookie', 'a=b'],
  ['X-Partner-Signature', 'sig'],
  ['X-Forwarded-For', '203.0.113.9'],
  ['ce-id', 'c1'],
  ['ce-authorization', 'nope'],
];

it('keeps allow-listed headers only, and the body through the codecs', async () => {
  const log = createDirectoryEventLog(directory);
  const recorder = createEventRecorder({
    writer: log,
    logger,
    dataConverter: createDataConverter('default', [reversing]),
  });
  await recorder
    .begin({
      eventId: 'partner:evt_9',
      entry: { kind: 'webhook', source: 'partner' },
      body: new TextEncoder().encode('{"secret":"card 4242"}'),
      headers: HEADERS,
      signatureHeader: 'x-partner-signature',
      verification: { result: 'verified', method: 'hmac' },
    })
    .finish({ routes: [], status: 'ignored' });
  const view = await log.get('partner:evt_9');
  expect(view?.headers).toEqual({ 'content-type': 'application/json', 'ce-id': 'c1' });
  expect(view?.providerId).toBe('evt_9');
  expect(view?.body).toHaveProperty('payload');
  expect(JSON.stringify(view)).not.toContain('card 4242');
  const { payload } = view!.body as { payload: { metadata: Record<string, string>; data: string } };
  expect(Buffer.from(payload.metadata.encoding!, 'base64').toString()).toBe('binary/reversed');
  expect(Buffer.from(payload.data, 'base64').reverse().toString()).toBe('{"secret":"card 4242"}');
});

it('keeps the body as text without a codec', async () => {
  const log = createDirectoryEventLog(directory);
  const recorder = createEventRecorder({
    writer: log,
    logger,
    dataConverter: createDataConverter('default'),
  });
  await recorder
    .begin({ eventId: '@http:anonymous:k1', entry: { kind: 'http', route: 'signal' }, body: '{"a":1}' })
    .finish({ routes: [], status: 'ignored' });
  expect((await log.get('@http:anonymous:k1'))?.body).toEqual({ text: '{"a":1}' });
});

it('logs and counts a failed write, and resolves all the same', async () => {
  lines.length = 0;
  const recorder = createEventRecorder({
    writer: { record: () => Promise.reject(new Error('bucket gone')) },
    logger,
  });
  await expect(
    recorder.begin({ eventId: 'x:1', entry: { kind: 'callback' } }).finish({ routes: [] }),
  ).resolves.toBeUndefined();
  expect(recorder.failedWrites).toBe(1);
  expect(lines).toEqual([
    { level: 'error', message: 'event log write failed: the event itself is unaffected' },
  ]);
});

it('gives up waiting for a write after the timeout', async () => {
  const recorder = createEventRecorder({
    writer: { record: () => new Promise(() => {}) },
    logger,
    writeTimeoutMs: 20,
  });
  await recorder.begin({ eventId: 'x:2', entry: { kind: 'callback' } }).finish({ routes: [] });
  expect(recorder.failedWrites).toBe(1);
});
