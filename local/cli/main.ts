/**
 * The `event-gateway` CLI (bin/event-gateway.js): a producer's and an operator's tools for the
 * gateway — run a CDK app's gateway locally, send over HTTP, enqueue on SQS, inspect and redrive the
 * dead-letter queues.
 *
 * `runCli` takes the arguments and an output sink and returns the exit code, so tests run it
 * in-process; `main` binds it to the real process.
 */
import { readFile } from 'node:fs/promises';
import { BIN_NAME, formatCommandHelp, parseCommandArgs, type CliCommand } from './args';
import { devCommand } from './dev';
import { dlqListCommand } from './dlq-list';
import { dlqRedriveCommand } from './dlq-redrive';
import { enqueueCommand } from './enqueue';
import { eventsListCommand } from './events-list';
import { eventsReplayCommand } from './events-replay';
import { eventsShowCommand } from './events-show';
import { CliFailureError, CliUsageError, EXIT_CODES, processIo, type CliIo } from './io';
import { sendCommand } from './send';

export const CLI_COMMANDS: readonly CliCommand[] = [
  devCommand,
  sendCommand,
  enqueueCommand,
  dlqListCommand,
  dlqRedriveCommand,
  eventsListCommand,
  eventsShowCommand,
  eventsReplayCommand,
];

/** Words that only group commands (`dlq list`, `dlq redrive`). */
const GROUPS = {
  dlq: 'inspect and redrive the dead-letter queues',
  events: 'where each event went (the event log, checked against Temporal and SQS), and replay',
} as const;

const isHelp = (arg: string | undefined) => arg === '--help' || arg === '-h' || arg === 'help';

export function topLevelHelp(): string[] {
  const width = Math.max(...CLI_COMMANDS.map((command) => command.name.length));
  return [
    `${BIN_NAME} — send events to the Temporal Event Gateway and manage its queues`,
    '',
    `Usage: ${BIN_NAME} <command> [options]`,
    '',
    'Commands:',
    ...CLI_COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    `Run '${BIN_NAME} <command> --help' for a command's options and examples.`,
    'Exit codes: 0 done, 1 failed (endpoint unreachable, gateway refused, message not redriven, event not replayed), 2 bad arguments.',
  ];
}

function groupHelp(group: keyof typeof GROUPS): string[] {
  const members = CLI_COMMANDS.filter((command) => command.name.startsWith(`${group} `));
  const width = Math.max(...members.map((command) => command.name.length));
  return [
    `${BIN_NAME} ${group} — ${GROUPS[group]}`,
    '',
    'Commands:',
    ...members.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    `Run '${BIN_NAME} ${group} <command> --help' for its options.`,
  ];
}

const findCommand = (argv: readonly string[]) =>
  CLI_COMMANDS.find((command) => command.name.split(' ').every((word, index) => argv[index] === word));

const usageError = (io: CliIo, context: string, message: string, helpFor: string) => {
  io.err(`${context}: ${message} Run '${helpFor} --help' for usage.`);
  return EXIT_CODES.usage;
};

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, second] = argv;
  if (first === undefined || isHelp(first)) {
    const named = first === 'help' && second !== undefined ? findCommand(argv.slice(1)) : undefined;
    for (const line of named ? formatCommandHelp(named) : topLevelHelp()) io.out(line);
    // Bare `event-gateway` is a mistake that deserves the overview, not a success.
    return first === undefined ? EXIT_CODES.usage : EXIT_CODES.ok;
  }
  if (first === '--version' || first === '-V') {
    io.out(await packageVersion());
    return EXIT_CODES.ok;
  }
  const command = findCommand(argv);
  if (!command) {
    if (first in GROUPS) {
      const group = first as keyof typeof GROUPS;
      if (second === undefined || isHelp(second)) {
        // Without a subcommand the help is the error message, so it goes where errors go.
        const write = second === undefined ? (line: string) => io.err(line) : (line: string) => io.out(line);
        for (const line of groupHelp(group)) write(line);
        return second === undefined ? EXIT_CODES.usage : EXIT_CODES.ok;
      }
      return usageError(io, `${BIN_NAME} ${group}`, `unknown command "${second}".`, `${BIN_NAME} ${group}`);
    }
    return usageError(io, BIN_NAME, `unknown command "${first}".`, BIN_NAME);
  }

  const context = `${BIN_NAME} ${command.name}`;
  try {
    const parsed = parseCommandArgs(command, argv.slice(command.name.split(' ').length));
    if (parsed.help) {
      for (const line of formatCommandHelp(command)) io.out(line);
      return EXIT_CODES.ok;
    }
    return await command.run(parsed.values, io, parsed.positionals);
  } catch (error) {
    if (error instanceof CliUsageError) return usageError(io, context, error.message, context);
    if (error instanceof CliFailureError) {
      io.err(`${context}: ${error.message}`);
      return EXIT_CODES.failed;
    }
    // Still one line: a stack trace helps us, not the person running the command.
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    io.err(`${context}: unexpected error: ${text.replace(/\s*\n\s*/g, ' ')}`);
    return EXIT_CODES.failed;
  }
}

/**
 * The package's version. The nearest package.json up from this module: `local/cli/main.ts` in this
 * repository, `dist/lib/local/cli/main.js` in the installed package.
 */
async function packageVersion(): Promise<string> {
  for (let dir = new URL('.', import.meta.url); ; dir = new URL('..', dir)) {
    const text = await readFile(new URL('package.json', dir), 'utf8').catch(() => undefined);
    if (text !== undefined) return (JSON.parse(text) as { version?: string }).version ?? 'unknown';
    if (dir.pathname === '/') return 'unknown';
  }
}

/** The bin's entry: real argv, stdout/stderr and environment. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  process.exitCode = await runCli(argv, processIo());
}
