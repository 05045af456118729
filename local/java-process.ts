/**
 * Runs a local Java server as a child process: waits until it answers, keeps the tail of its output
 * for error messages, stops it cleanly, and never leaves it running after this process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventGatewayError } from '../contract/errors';

export class JavaProcessError extends EventGatewayError {
  override readonly name = 'JavaProcessError';
}

/** A port the OS considers free right now (bound and released), on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new JavaProcessError('No free port found.'))));
    });
  });
}

/** True while something accepts TCP connections on host:port. */
export function portAcceptsConnections(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(true));
    server.listen(port, host, () => server.close(() => resolve(false)));
  });
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

// An 'exit' listener may only do synchronous work, and SIGKILL is synchronous: a test run or a dev
// stack that ends (normally or by an uncaught error) takes its JVMs with it instead of orphaning them.
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

export interface JavaProcessOptions {
  /** Short name for messages, e.g. `elasticmq`. */
  readonly name: string;
  readonly java: string;
  readonly args: readonly string[];
  /** Resolves true once the server answers. Called repeatedly until then. */
  readonly ready: () => Promise<boolean>;
  /** @default 60_000 — a cold JVM on two busy cores can take a while. */
  readonly startTimeoutMs?: number;
  /** Receives every output line, e.g. to show server logs in a dev stack. */
  readonly onOutput?: (line: string) => void;
  /**
   * Told when the server dies on its own after it answered (not by `stop`/`kill`), with its last
   * output. @default a note on stderr, since clients then only see refused connections
   */
  readonly onUnexpectedExit?: (code: number | null, outputTail: string) => void;
}

export interface JavaProcess {
  readonly pid: number;
  /** The last lines the process wrote, for diagnostics. */
  outputTail(): string;
  /** SIGTERM (lets the JVM run its shutdown hooks), then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL: what a crash or an OOM kill looks like to the server's storage. */
  kill(): Promise<void>;
  readonly exited: Promise<number | null>;
}

export async function startJavaProcess(options: JavaProcessOptions): Promise<JavaProcess> {
  installExitHook();
  const child = spawn(options.java, options.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  const tail: string[] = [];
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (!line.trim()) continue;
      tail.push(line);
      if (tail.length > 60) tail.shift();
      options.onOutput?.(line);
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  let spawnError: Error | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.on('error', (error) => {
      spawnError = error;
      live.delete(child);
      resolve(null);
    });
    child.on('exit', (code, signal) => {
      live.delete(child);
      resolve(code ?? (signal ? -1 : null));
    });
  });
  let hasExited = false;
  void exited.then(() => (hasExited = true));
  const outputTail = () => tail.join('\n');

  let stopping = false;
  let answered = false;
  void exited.then((code) => {
    if (stopping || !answered) return;
    const report =
      options.onUnexpectedExit ??
      ((exitCode, output) =>
        console.error(`[${options.name}] exited unexpectedly (code ${exitCode}). Last output:\n${output}`));
    report(code, outputTail());
  });

  const terminate = async (signal: NodeJS.Signals, graceMs: number) => {
    stopping = true;
    if (hasExited) return;
    child.kill(signal);
    // Unref'd: a pending grace timer must not keep a finished process alive.
    const timer = sleep(graceMs, undefined, { ref: false }).then(() => 'timeout' as const);
    if ((await Promise.race([exited, timer])) === 'timeout') {
      child.kill('SIGKILL');
      await exited;
    }
  };
  const handle: JavaProcess = {
    pid: child.pid ?? -1,
    outputTail,
    exited,
    stop: (graceMs = 10_000) => terminate('SIGTERM', graceMs),
    kill: () => terminate('SIGKILL', 5_000),
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  for (;;) {
    if (hasExited) {
      const code = await exited;
      throw new JavaProcessError(
        spawnError
          ? `Could not start ${options.java} for ${options.name}: ${spawnError.message}`
          : `${options.name} exited with code ${code} before it answered. Its output:\n${outputTail()}`,
        spawnError ? { cause: spawnError } : undefined,
      );
    }
    if (await options.ready().catch(() => false)) {
      answered = true;
      return handle;
    }
    if (Date.now() > deadline) {
      await handle.stop(2_000);
      throw new JavaProcessError(
        `${options.name} did not answer within ${options.startTimeoutMs ?? 60_000} ms. Its output:\n${outputTail()}`,
      );
    }
    await sleep(150);
  }
}
