/**
 * `npx event-gateway dev` in an installed app, as a developer runs it from a shell: in its own
 * process group (so the test presses Ctrl-C on all of it, as a terminal does), its output collected,
 * on free ports.
 */
import { spawn, spawnSync } from 'node:child_process';
import { freePort } from '../support/free-port';

/** What a developer's shell has: no AWS credentials, no Temporal or gateway variables. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  for (const name of [
    'npm_config_cache',
    'EVENT_GATEWAY_CACHE',
    'XDG_CACHE_HOME',
    'JAVA_HOME',
    'TEMPORAL_CLI',
  ])
    if (process.env[name]) env[name] = process.env[name];
  return env;
}

export interface DevPorts {
  readonly gateway: number;
  readonly temporal: number;
  readonly ui: number;
  readonly sqs: number;
}

export async function devPorts(): Promise<DevPorts> {
  return {
    gateway: await freePort(),
    temporal: await freePort(),
    ui: await freePort(),
    sqs: await freePort(),
  };
}

export interface DevProcess {
  output(): string;
  /** Resolves once the output matches; rejects with the output when it exits or times out first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Ctrl-C to the whole group; resolves once every output stream closed. */
  interrupt(): Promise<void>;
  /** Whether any process of the group is left. */
  groupAlive(): boolean;
  kill(): void;
}

export function startDev(appDir: string, args: readonly string[], ports: DevPorts): DevProcess {
  const child = spawn(
    'npx',
    [
      '--no-install',
      'event-gateway',
      'dev',
      ...args,
      '--port',
      String(ports.gateway),
      '--temporal-port',
      String(ports.temporal),
      '--temporal-ui-port',
      String(ports.ui),
      '--sqs-port',
      String(ports.sqs),
    ],
    { cwd: appDir, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const group = -(child.pid ?? 0);
  return {
    output: () => output,
    async waitFor(pattern, timeoutMs = 600_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(output)) {
        if (child.exitCode !== null)
          throw new Error(`event-gateway dev exited (${child.exitCode}):\n${output}`);
        if (Date.now() > deadline) throw new Error(`event-gateway dev did not print ${pattern}:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
    async interrupt() {
      process.kill(group, 'SIGINT');
      await closed;
    },
    groupAlive() {
      try {
        process.kill(group, 0);
        return true;
      } catch {
        return false;
      }
    },
    kill() {
      try {
        process.kill(group, 'SIGKILL');
      } catch {
        // Already gone.
      }
    },
  };
}

/** `npx event-gateway …` run to completion in the app directory. */
export function eventGateway(appDir: string, args: readonly string[]) {
  return spawnSync('npx', ['--no-install', 'event-gateway', ...args], {
    cwd: appDir,
    env: cleanEnv(),
    encoding: 'utf8',
    timeout: 120_000,
  });
}
