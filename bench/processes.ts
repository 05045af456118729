/**
 * Child processes of the benchmarks: each is started, watched for the one line that says it is
 * ready, and stopped by the benchmark that started it (SIGTERM, then SIGKILL), by its own handle.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { EventGatewayError } from '../contract/errors';

/** The gateway child prints this, then its URL. */
export const GATEWAY_READY_PREFIX = 'bench-gateway-ready ';

export class ChildStartError extends EventGatewayError {
  override readonly name = 'ChildStartError';
}

export interface BenchChild {
  readonly process: ChildProcess;
  /** Lines printed so far (stdout and stderr), newest last; kept short for error messages. */
  readonly tail: string[];
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  command: string;
  args: readonly string[];
  env: Record<string, string | undefined>;
  cwd?: string;
  /** Called with each line; return a value to resolve `waitFor` with it. */
  onLine?: (line: string, at: number) => void;
}

export function startProcess(options: StartOptions): BenchChild {
  const child = spawn(options.command, options.args, {
    env: options.env,
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  const onLine = (line: string) => {
    const at = performance.now();
    tail.push(line);
    if (tail.length > 40) tail.shift();
    options.onLine?.(line, at);
  };
  createInterface({ input: child.stdout }).on('line', onLine);
  createInterface({ input: child.stderr }).on('line', onLine);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    child.once('exit', () => resolve());
  });
  return {
    process: child,
    tail,
    async stop(graceMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Starts a process and resolves with the first line `match` accepts, and when it was printed
 * (`performance.now()` of this process); rejects if the process exits first or the time runs out.
 */
export function startAndWaitFor<T>(
  options: Omit<StartOptions, 'onLine'>,
  match: (line: string) => T | undefined,
  timeoutMs: number,
): Promise<{ child: BenchChild; value: T; at: number; spawnedAt: number }> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const spawnedAt = performance.now();
    const child = startProcess({
      ...options,
      onLine(line, at) {
        if (settled) return;
        const value = match(line);
        if (value === undefined) return;
        settled = true;
        clearTimeout(timer);
        resolve({ child, value, at, spawnedAt });
      },
    });
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void child
        .stop()
        .then(() =>
          reject(
            new ChildStartError(
              `${options.command} ${options.args.join(' ')} ${why}:\n${child.tail.join('\n')}`,
            ),
          ),
        );
    };
    const timer = setTimeout(() => fail(`did not get ready within ${timeoutMs} ms`), timeoutMs);
    child.process.once('exit', (code) => fail(`exited with ${code} before it was ready`));
    child.process.once('error', (error) => fail(`failed to start (${error.message})`));
  });
}
