// Command-line parsing on node's util.parseArgs: strict (unknown options and stray arguments are
// usage errors), plus required options, which parseArgs does not know.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { isPositiveInteger } from '../validate';
import { UsageError } from './output';

export type Options = NonNullable<ParseArgsConfig['options']>;

/** Every command takes --json and --help. */
const common = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Resolves to the exit code. */
  run(argv: string[]): Promise<number>;
}

export function parseCommandArgs<T extends Options>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options: { ...common, ...options }, strict: true, allowPositionals: false }).values;
  } catch (error) {
    // parseArgs throws TypeErrors coded ERR_PARSE_ARGS_*: all of them are the user's typing.
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

export function requireOption(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new UsageError(`${flag} is required`);
  return value;
}

export function positiveInteger(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!isPositiveInteger(number)) throw new UsageError(`${flag} must be a positive integer, got ${value}`);
  return number;
}
