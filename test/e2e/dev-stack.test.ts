/**
 * The one-command local stack, end to end: `npm run dev` (local/dev.ts) starts Temporal, the worker
 * and the gateway; `npm run demo` completes a workflow through it; Ctrl-C (even twice) stops every child.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isPortOpen } from '../../local/temporal-dev-server';
import { freePort } from '../support/free-port';

const tsx = (
  entry: string,
  env: Record<string, string>,
  args: string[] = [],
  options: { ownProcessGroup?: boolean } = {},
) => {
  // The stack must start its own Temporal: drop any address the developer's shell has.
  const { TEMPORAL_ADDRESS: _ignored, SQS_ENDPOINT: _ignoredToo, ...inherited } = process.env;
  return spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // A group of its own: if the test fails before the orderly stop, afterAll can still take down
    // every server the stack started (ElasticMQ, Temporal, worker, gateway), not just its parent.
    detached: options.ownProcessGroup ?? false,
  });
};

function collect(child: ChildProcess): { text: () => string } {
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { text: () => text };
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

const dataDir = mkdtempSync(join(tmpdir(), 'dev-stack-'));
let dev: ChildProcess | undefined;

afterAll(async () => {
  if (dev?.pid !== undefined && dev.exitCode === null && dev.signalCode === null) {
    // The test did not get to its own stop: ask once, then end the whole process group.
    dev.kill('SIGINT');
    const stopped = await Promise.race([
      exitOf(dev).then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 20_000)),
    ]);
    if (!stopped) process.kill(-dev.pid, 'SIGKILL');
  }
  if (dev?.pid !== undefined) {
    try {
      // Children left behind by a stack that exited early share its group.
      process.kill(-dev.pid, 'SIGKILL');
    } catch {
      // ESRCH: the group is gone, as it should be.
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
}, 30_000);

describe('npm run dev + npm run demo', () => {
  it(
    'completes a workflow through the local stack, redeems a callback URL once, and stops every child on a repeated Ctrl-C',
    { timeout: 180_000 },
    async () => {
      const [gatewayPort, temporalPort, uiPort, sqsPort] = [
        await freePort(),
        await freePort(),
        await freePort(),
        await freePort(),
      ];
      const env = {
        GATEWAY_PORT: String(gatewayPort),
        TEMPORAL_DEV_PORT: String(temporalPort),
        TEMPORAL_UI_PORT: String(uiPort),
        TEMPORAL_DEV_DB: join(dataDir, 'temporal.db'),
        SQS_PORT: String(sqsPort),
        SQS_DEV_DATA: join(dataDir, 'elasticmq'),
        // Where the worker hands out callback URLs (never its log): the demo and this test read them there.
        HANDSHAKE_OUTBOX_DIR: join(dataDir, 'outbox'),
      };
      dev = tsx('local/dev.ts', env, [], { ownProcessGroup: true });
      const devOutput = collect(dev);
      const deadline = Date.now() + 150_000;
      while (!devOutput.text().includes('[dev] ready') && Date.now() < deadline && dev.exitCode === null) {
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(devOutput.text()).toContain('[dev] ready');
      expect(devOutput.text()).toContain(`curl -i -X POST http://127.0.0.1:${gatewayPort}`);

      const demo = tsx('local/demo.ts', { GATEWAY_URL: `http://127.0.0.1:${gatewayPort}` });
      const demoOutput = collect(demo);
      expect(await exitOf(demo)).toBe(0);
      expect(demoOutput.text()).toMatch(/COMPLETED/);
      expect(demoOutput.text()).toContain('4 activities completed');
      // A workflow hands out a callback URL; POSTing it moves the workflow on, a second POST changes nothing.
      const handshake = tsx(
        'local/demo-handshake.ts',
        { TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`, HANDSHAKE_OUTBOX_DIR: env.HANDSHAKE_OUTBOX_DIR },
        ['--auto'],
      );
      const handshakeOutput = collect(handshake);
      // The warehouse step completes an activity by its own callback URL, handed over in the outbox.
      const warehouseFile = /now the warehouse step waits on an activity callback: its URL is in (\S+);/;
      while (!warehouseFile.test(handshakeOutput.text()) && handshake.exitCode === null) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const readWarehouse = () => {
        try {
          return (
            JSON.parse(readFileSync(warehouseFile.exec(handshakeOutput.text())![1]!, 'utf8')) as {
              url: string;
            }
          ).url;
        } catch {
          return undefined;
        }
      };
      let warehouseUrl = readWarehouse();
      for (let i = 0; i < 600 && !warehouseUrl && handshake.exitCode === null; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        warehouseUrl = readWarehouse();
      }
      expect(warehouseUrl?.startsWith(`http://127.0.0.1:${gatewayPort}/v1/callbacks/`)).toBe(true);
      const warehouse = await fetch(warehouseUrl!, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"trackingNumber":"TRK-1"}',
      });
      expect(warehouse.status).toBe(200);
      expect(await exitOf(handshake)).toBe(0);
      expect(handshakeOutput.text()).toMatch(/→ POST: 202 .*"status":"delivered"/);
      expect(handshakeOutput.text()).toMatch(/→ POST again: 202 .*"status":"delivered"/);
      expect(handshakeOutput.text()).toContain(
        'COMPLETED: {"acknowledgement":{"ok":true,"by":"demo"},"warehouseReceipt":{"trackingNumber":"TRK-1"}}',
      );
      // A callback URL is a bearer capability: the worker logs its id, never the URL.
      expect(devOutput.text()).toMatch(/callback \S+ handed to the partner/);
      expect(devOutput.text()).not.toContain(`127.0.0.1:${gatewayPort}/v1/callbacks/`);
      expect(devOutput.text()).toMatch(/\[worker\]/);
      expect(devOutput.text()).toMatch(/\[gateway\]/);

      // Ctrl-C in a terminal reaches the stack twice (directly and relayed by tsx/npm): the second
      // signal must not cut the orderly stop short and orphan the servers.
      dev.kill('SIGINT');
      await new Promise((resolve) => setTimeout(resolve, 100));
      dev.kill('SIGINT');
      expect(await exitOf(dev)).toBe(0);
      expect(await isPortOpen(gatewayPort)).toBe(false);
      expect(await isPortOpen(temporalPort)).toBe(false);
      expect(await isPortOpen(sqsPort)).toBe(false);
    },
  );
});
