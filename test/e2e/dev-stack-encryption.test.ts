/**
 * The local stack encrypts by default (issue 28): a signal sent over HTTP is stored in the history
 * as `binary/encrypted` with no plaintext of its argument, so are the worker's own payloads, and the
 * gateway's query still answers in plaintext. Read through the bare gRPC service: no codec.
 *
 * And the local UI and CLI show it decoded: the dev server's UI names the gateway's codec server in
 * its settings, the codec server answers the UI's origin (CORS preflight and decode, no credential
 * on loopback) and refuses another origin, and the Temporal CLI the stack built prints the signal's
 * plaintext with `--codec-endpoint`, none without.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port';
import { workflowShow } from './workflow-show';

const dataDir = mkdtempSync(join(tmpdir(), 'dev-stack-encryption-'));
let dev: ChildProcess | undefined;

afterAll(async () => {
  if (dev?.pid !== undefined && dev.exitCode === null && dev.signalCode === null) {
    dev.kill('SIGINT');
    const exited = new Promise((resolve) => dev!.once('exit', resolve));
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20_000))]);
  }
  if (dev?.pid !== undefined) {
    try {
      process.kill(-dev.pid, 'SIGKILL'); // anything the stack left behind shares its group
    } catch {
      // already gone
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
}, 30_000);

const utf8 = new TextDecoder();
const encodingOf = (payload: temporal.api.common.v1.IPayload) =>
  utf8.decode(payload.metadata?.encoding ?? new Uint8Array());

describe('npm run dev encrypts payloads', () => {
  it(
    'stores an HTTP signal and the worker’s payloads as binary/encrypted; the gateway’s query answers in plaintext',
    { timeout: 180_000 },
    async () => {
      const [gatewayPort, temporalPort, uiPort, sqsPort] = [
        await freePort(),
        await freePort(),
        await freePort(),
        await freePort(),
      ];
      const { TEMPORAL_ADDRESS: _a, SQS_ENDPOINT: _b, ...inherited } = process.env;
      dev = spawn(process.execPath, ['--import', 'tsx', 'local/dev.ts'], {
        env: {
          ...inherited,
          GATEWAY_PORT: String(gatewayPort),
          TEMPORAL_DEV_PORT: String(temporalPort),
          TEMPORAL_UI_PORT: String(uiPort),
          TEMPORAL_DEV_DB: join(dataDir, 'temporal.db'),
          SQS_PORT: String(sqsPort),
          SQS_DEV_DATA: join(dataDir, 'elasticmq'),
          HANDSHAKE_OUTBOX_DIR: join(dataDir, 'outbox'),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      let output = '';
      dev.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      dev.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      for (let i = 0; i < 600 && !output.includes('[dev] ready') && dev.exitCode === null; i++)
        await new Promise((resolve) => setTimeout(resolve, 250));
      expect(output).toContain('[dev] ready');
      expect(output).toMatch(/kms\s+http:\/\/127\.0\.0\.1:\d+\s+payloads encrypted under alias\//);
      expect(output).toMatch(/s3\s+http:\/\/127\.0\.0\.1:\d+\s+payloads of 256 KiB and more go to bucket /);
      const gateway = `http://127.0.0.1:${gatewayPort}`;
      const codecEndpoint = `${gateway}/v1/codec`;
      expect(output).toContain(`codec        ${codecEndpoint}`);

      const workflowId = `staged-encrypted-${Date.now().toString(36)}`;
      // The argument as the JSON payload converter writes it: it must not appear in the history.
      const argument = JSON.stringify({ stage: 1 });
      const sent = await fetch(`${gateway}/v1/workflows/${workflowId}/signals/advanceStage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'Idempotency-Key': `${workflowId}-1` },
        body: argument,
      });
      const answer = (await sent.json()) as { status?: string };
      expect({ status: sent.status, answer: answer.status }).toEqual({ status: 202, answer: 'delivered' });

      // The gateway decodes the worker's encrypted query answer.
      let progress: { stage?: number; activitiesCompleted?: number } = {};
      for (let i = 0; i < 600 && !(progress.activitiesCompleted && progress.activitiesCompleted >= 1); i++) {
        const queried = await fetch(`${gateway}/v1/workflows/${workflowId}/queries/progress`);
        if (queried.ok) progress = ((await queried.json()) as { result: typeof progress }).result;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(progress.stage).toBe(1);
      expect(progress.activitiesCompleted).toBeGreaterThanOrEqual(1);

      const connection = await Connection.connect({ address: `127.0.0.1:${temporalPort}` });
      try {
        const { history } = await connection.workflowService.getWorkflowExecutionHistory({
          namespace: 'default',
          execution: { workflowId },
        });
        const events = history?.events ?? [];
        const signals = events.flatMap(
          (e) => e.workflowExecutionSignaledEventAttributes?.input?.payloads ?? [],
        );
        const workerWritten = events.flatMap((e) => [
          ...(e.activityTaskScheduledEventAttributes?.input?.payloads ?? []),
          ...(e.activityTaskCompletedEventAttributes?.result?.payloads ?? []),
        ]);
        expect(signals).toHaveLength(1);
        expect(workerWritten.length).toBeGreaterThan(0);
        for (const payload of [...signals, ...workerWritten])
          expect(encodingOf(payload)).toBe('binary/encrypted');
        const raw = Buffer.from(temporal.api.history.v1.History.encode(history!).finish());
        expect(raw.includes(Buffer.from(argument))).toBe(false);

        // The UI's browser decodes the signal through the codec server its settings name.
        const uiOrigin = `http://localhost:${uiPort}`;
        const settings = await fetch(`http://127.0.0.1:${uiPort}/api/v1/settings`);
        expect(settings.status).toBe(200);
        expect(((await settings.json()) as { Codec?: { Endpoint?: string } }).Codec?.Endpoint).toBe(
          codecEndpoint,
        );
        const preflight = await fetch(`${codecEndpoint}/decode`, {
          method: 'OPTIONS',
          headers: {
            origin: uiOrigin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'content-type,x-namespace',
          },
        });
        expect(preflight.status).toBe(204);
        expect(preflight.headers.get('access-control-allow-origin')).toBe(uiOrigin);
        const asJson = (payload: temporal.api.common.v1.IPayload) => ({
          metadata: Object.fromEntries(
            Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
          ),
          data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
        });
        const decode = (origin: string) =>
          fetch(`${codecEndpoint}/decode`, {
            method: 'POST',
            headers: { origin, 'content-type': 'application/json', 'x-namespace': 'default' },
            body: JSON.stringify({ payloads: signals.map(asJson) }),
          });
        const decoded = await decode(uiOrigin);
        expect(decoded.status).toBe(200);
        expect(decoded.headers.get('access-control-allow-origin')).toBe(uiOrigin);
        const [plain] = ((await decoded.json()) as { payloads: Array<{ data: string }> }).payloads;
        expect(JSON.parse(Buffer.from(plain!.data, 'base64').toString('utf8'))).toMatchObject({ stage: 1 });
        expect((await decode('https://elsewhere.example.com')).status).toBe(403);
      } finally {
        await connection.close();
      }

      // The CLI the stack built: ciphertext alone without the codec, the argument with it.
      const withoutCodec = await workflowShow(temporalPort, workflowId);
      expect(withoutCodec).toContain(Buffer.from('binary/encrypted').toString('base64'));
      expect(withoutCodec).not.toContain('input[0].stage');
      expect(await workflowShow(temporalPort, workflowId, '--codec-endpoint', codecEndpoint)).toMatch(
        /input\[0\]\.stage: 1\b/,
      );

      dev.kill('SIGINT');
      expect(await new Promise((resolve) => dev!.once('exit', resolve))).toBe(0);
    },
  );
});
