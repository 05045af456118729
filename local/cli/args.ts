/**
 * Commands declare their options once; parsing (node:util parseArgs, strict), `--help` text and
 * argument errors all come from that declaration, so help never drifts from what is accepted.
 */
import { parseArgs } from 'node:util';
import { CliUsageError, type CliIo } from './io';

export interface CliOption {
  readonly type: 'string' | 'boolean';
  /** Placeholder shown in help, e.g. `ID`. */
  readonly value?: string;
  readonly short?: string;
  readonly description: string;
}

export type CliOptions = Readonly<Record<string, CliOption>>;

export type OptionValues<O extends CliOptions> = {
  readonly [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string;
};

export interface CliCommand<O extends CliOptions = CliOptions> {
  /** As typed after `event-gateway`, e.g. `dlq list`. */
  readonly name: string;
  readonly summary: string;
  /** The synopsis after the command name. */
  readonly usage: string;
  readonly options: O;
  /** Paragraphs after the synopsis: defaults, environment variables, what the output means. */
  readonly details?: readonly string[];
  readonly examples?: readonly string[];
  /** Positional arguments the command takes (e.g. `eventId`); absent: none are accepted. */
  readonly positionals?: { readonly min: number; readonly max: number };
  run(values: OptionValues<O>, io: CliIo, positionals: readonly string[]): Promise<number>;
}

/** Type inference for a command literal (keeps option names checked in `run`). */
export const defineCommand = <O extends CliOptions>(command: CliCommand<O>): CliCommand<O> => command;

export const BIN_NAME = 'event-gateway';

const HELP_OPTION: CliOption = { type: 'boolean', short: 'h', description: 'Show this help.' };

export type ParsedArgs<O extends CliOptions> =
  { help: true } | { help: false; values: OptionValues<O>; positionals: string[] };

export function parseCommandArgs<O extends CliOptions>(
  command: CliCommand<O>,
  argv: readonly string[],
): ParsedArgs<O> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const [name, option] of Object.entries(command.options)) {
    options[name] = { type: option.type, ...(option.short ? { short: option.short } : {}) };
  }
  // `--help` wins over every other mistake on the line: it is how a confused user finds out.
  if (argv.includes('--help') || argv.includes('-h')) return { help: true };
  try {
    const allowPositionals = command.positionals !== undefined;
    const { values, positionals } = parseArgs({ args: [...argv], options, strict: true, allowPositionals });
    const { min = 0, max = 0 } = command.positionals ?? {};
    if (positionals.length < min || positionals.length > max) {
      throw new CliUsageError(
        positionals.length < min
          ? `expected ${command.usage.split(' ')[0]}.`
          : `unexpected argument "${positionals[max]}".`,
      );
    }
    return { help: false, values: values as OptionValues<O>, positionals };
  } catch (error) {
    // parseArgs explains well but over several lines; the CLI reports one.
    const message = error instanceof Error ? error.message.replace(/\s*\n\s*/g, ' ') : String(error);
    throw new CliUsageError(message, { cause: error });
  }
}

export function formatCommandHelp(command: CliCommand): string[] {
  const lines = [
    `${BIN_NAME} ${command.name} — ${command.summary}`,
    '',
    `Usage: ${BIN_NAME} ${command.name} ${command.usage}`.trimEnd(),
  ];
  for (const paragraph of command.details ?? []) lines.push('', paragraph);
  const rows = [...Object.entries(command.options), ['help', HELP_OPTION] as const].map(([name, option]) => {
    const flag = `${option.short ? `-${option.short}, ` : '    '}--${name}${option.value ? ` ${option.value}` : ''}`;
    return [flag, option.description] as const;
  });
  const width = Math.max(...rows.map(([flag]) => flag.length));
  lines.push('', 'Options:', ...rows.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`));
  if (command.examples?.length) {
    lines.push('', 'Examples:', ...command.examples.map((example) => `  ${example}`));
  }
  return lines;
}

/** A required string option; empty counts as missing. */
export function requireOption(values: Readonly<Record<string, unknown>>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new CliUsageError(`--${name} is required.`);
  }
  return value;
}

/** An optional string option; given but empty is a mistake, not "use the default". */
export function optionalOption(values: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '')
    throw new CliUsageError(`--${name} must not be empty.`);
  return value;
}

export function parseJsonOption(name: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CliUsageError(`--${name} is not valid JSON (${(error as Error).message}).`, { cause: error });
  }
}

export function parseCountOption(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^[0-9]+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < 1) {
    throw new CliUsageError(`--${name} must be a whole number of at least 1 (got "${text}").`);
  }
  return value;
}

/** An http(s) URL without a trailing slash, so paths can be appended. */
export function parseHttpUrl(name: string, text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch (error) {
    throw new CliUsageError(`--${name} is not a URL (got "${text}").`, { cause: error });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliUsageError(`--${name} must be an http:// or https:// URL (got "${text}").`);
  }
  return url.href.replace(/\/+$/, '');
}
