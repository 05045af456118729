/**
 * An emulator that picks its own free port and announces it in a log line (local-kms, gofakes3):
 * started, its output kept (the last lines go into error messages), and resolved once the line
 * naming the port appears. Stopping sends SIGTERM, then SIGKILL after a grace period.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { EventGatewayError } from '../contract/errors';

const KEPT_LINES = 50;
const STOP_GRACE_MS = 2_000;

export interface AnnouncedProcessOptions {
  /** The emulator's name in error messages. */
  readonly name: string;
  readonly binary: string;
  readonly args?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** Matches the line announcing the port; its first group is the port. */
  readonly announcement: RegExp;
  readonly timeoutMs: number;
  /** Every line the process prints. @default dropped, the last ones kept for error messages */
  readonly onOutput?: (line: string) => void;
  /** The error the caller's module throws (a subclass of EventGatewayError). */
  readonly error: new (message: string, options?: { cause?: unknown }) => EventGatewayError;
}

export interface AnnouncedProcess {
  readonly port: number;
  /** Stops the process (SIGTERM, SIGKILL after 2 s); resolves once it exited. */
  readonly stop: () => Promise<void>;
}

/** Starts the process and resolves with the port it announced; stops it again if it never does. */
export async function startAnnouncedProcess(options: AnnouncedProcessOptions): Promise<AnnouncedProcess> {
  const { name, error: Failure } = options;
  const child = spawn(options.binary, [...(options.args ?? [])], {
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };

  const output: string[] = [];
  try {
    const port = await new Promise<number>((listening, failed) => {
      const timer = setTimeout(
        () => failed(new Failure(`${name} did not listen within ${options.timeoutMs / 1000} s.`)),
        options.timeoutMs,
      );
      const onLine = (line: string) => {
        output.push(line);
        if (output.length > KEPT_LINES) output.shift();
        options.onOutput?.(line);
        const announced = options.announcement.exec(line);
        if (announced) {
          clearTimeout(timer);
          listening(Number(announced[1]));
        }
      };
      createInterface({ input: child.stdout }).on('line', onLine);
      createInterface({ input: child.stderr }).on('line', onLine);
      child.once('error', (cause) => {
        clearTimeout(timer);
        failed(new Failure(`${name} could not start.`, { cause }));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        failed(new Failure(`${name} exited with code ${code} before listening.`));
      });
    });
    return { port, stop };
  } catch (error) {
    await stop();
    throw new Failure(`${(error as Error).message}\n${output.join('\n')}`, { cause: error });
  }
}
