/**
 * What a CLI command touches outside itself: two output lines streams and the environment. Commands
 * take this instead of reaching for `process`, so tests run them in-process and read what they said.
 */
import { EventGatewayError } from '../../contract/errors';

export interface CliIo {
  /** A line of the command's result (stdout): what a script would parse. */
  out(line: string): void;
  /** Progress, warnings and errors (stderr), so they never mix into a result that is piped on. */
  err(line: string): void;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** 1 = the command ran but something outside failed; 2 = it was called wrongly (as getopt tools do). */
export const EXIT_CODES = { ok: 0, failed: 1, usage: 2 } as const;
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/** Bad arguments: reported with a pointer to `--help`, exit 2. */
export class CliUsageError extends EventGatewayError {
  override readonly name = 'CliUsageError';
}

/**
 * Something outside the CLI failed (endpoint unreachable, queue missing). The message is one line
 * that names the endpoint and what to check: it is all the user sees, no stack trace.
 */
export class CliFailureError extends EventGatewayError {
  override readonly name = 'CliFailureError';
}

export function processIo(): CliIo {
  // `event-gateway dlq list | head`: the reader closing the pipe is the end of the output, not a
  // crash (Node would otherwise throw EPIPE from the next write).
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
  };
}
