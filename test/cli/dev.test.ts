/**
 * `event-gateway dev` in a setup it cannot run: each gets one clear message on stderr and an exit
 * code — never a stack trace of ours. The bin runs as a shell runs it, in a scratch app directory.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port';

const bin = fileURLToPath(new URL('../../bin/event-gateway.js', import.meta.url));
const cdkLib = fileURLToPath(new URL('../../node_modules/aws-cdk-lib/index.js', import.meta.url));
const dirs: string[] = [];

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function appDir(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'teg-dev-setup-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** Free ports for every flag, so a developer's running stack never decides the outcome. */
async function portFlags(): Promise<string[]> {
  return [
    ['--port', await freePort()],
    ['--temporal-port', await freePort()],
    ['--temporal-ui-port', await freePort()],
    ['--sqs-port', await freePort()],
  ].flatMap(([flag, port]) => [String(flag), String(port)]);
}

async function dev(cwd: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  const child = spawn(process.execPath, [bin, 'dev', ...args], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, stdout, stderr };
}

/** No frame of ours: a stack trace would name the dev stack's modules. */
const OUR_FRAMES = /at .*(local[/\\](dev-app|cli)|dev-app\.mjs)/;

describe('event-gateway dev in a bad setup', () => {
  it('refuses a directory without cdk.json, saying where to run it (exit 1)', async () => {
    const result = await dev(appDir(), await portFlags());
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/No cdk\.json in .*run event-gateway dev in your CDK app's directory/);
    expect(result.stderr).not.toMatch(OUR_FRAMES);
  }, 120_000);

  it("reports a synth that fails with the app's own error (exit 1)", async () => {
    const dir = appDir({
      'cdk.json': JSON.stringify({ app: 'node app.mjs' }),
      'app.mjs': "console.error('Orders: context temporalAddress is required'); process.exit(3);\n",
    });
    const result = await dev(dir, await portFlags());
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Your app failed to synthesize (`node app.mjs` exited with code 3)');
    expect(result.stderr).toContain('Orders: context temporalAddress is required');
    expect(result.stderr).not.toMatch(OUR_FRAMES);
  }, 120_000);

  it('says so when the app has no TemporalEventGateway (exit 1)', async () => {
    const dir = appDir({
      'cdk.json': JSON.stringify({ app: 'node app.mjs' }),
      'app.mjs':
        `import cdk from ${JSON.stringify(cdkLib)};\n` +
        "const app = new cdk.App(); new cdk.Stack(app, 'Empty'); app.synth();\n",
    });
    const result = await dev(dir, await portFlags());
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Your app has no TemporalEventGateway');
    expect(result.stderr).not.toMatch(OUR_FRAMES);
  }, 180_000);

  it('names a port in use and the flag that moves it, before starting anything (exit 1)', async () => {
    const taken: Server = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
    try {
      const flags = await portFlags();
      flags[flags.indexOf('--temporal-port') + 1] = String(port);
      const result = await dev(appDir(), flags);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        `port ${port} (Temporal's gRPC frontend) is in use: stop what listens there, or pick another with --temporal-port <port>`,
      );
    } finally {
      taken.close();
    }
  }, 120_000);

  it('names the Java it needs and how to get it when there is none (exit 1)', async () => {
    const emptyPath = appDir();
    const env: NodeJS.ProcessEnv = { HOME: process.env.HOME, PATH: emptyPath };
    const result = await dev(appDir(), await portFlags(), env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Java is not installed');
    expect(result.stderr).toMatch(/Install a JDK or JRE >= \d+ \(e\.g\. `apt-get install/);
    expect(result.stderr).not.toMatch(OUR_FRAMES);
  }, 120_000);

  it('refuses a port that is not one as a usage error (exit 2)', async () => {
    const result = await dev(appDir(), ['--port', '99999']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--port must be a port number from 1 to 65535 (got "99999")');
  }, 120_000);
});
