// What every command shares: how results and failures are printed (human lines or --json), the
// usage error, and the small formatters for bytes and durations.
import { HomeNativeError } from '../errors';
import { redactUrlsInText } from '../scrub';

/** A wrong command line: printed with the usage text, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Writes a line to stdout. Pipes and files are synchronous on Linux, so nothing is lost at exit. */
export const out = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

export const err = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/** Machine-readable output: one JSON document on stdout. */
export const outJson = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
};

/** Aligned `label  value` rows, the human form of every command's result. */
export function table(rows: ReadonlyArray<readonly [string, string]>): void {
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) out(`${label.padEnd(width)}  ${value}`);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

export function formatMs(ms: number): string {
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 10_000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/** What the CLI hands to the library as `redact`, and applies to every message it prints. */
export const redactUrls = redactUrlsInText;

interface ErrorReport {
  code: string;
  message: string;
  path?: string;
  url?: string;
  osCode?: string;
  failures?: unknown[];
}

function describe(error: unknown): ErrorReport {
  if (error instanceof HomeNativeError) {
    return {
      code: error.code,
      message: error.message,
      ...(error.path !== undefined && { path: error.path }),
      ...(error.url !== undefined && { url: error.url }),
      ...(error.osCode !== undefined && { osCode: error.osCode }),
      ...(error.failures !== undefined && { failures: error.failures }),
    };
  }
  if (error instanceof UsageError) return { code: 'ERR_USAGE', message: error.message };
  const code = (error as { code?: unknown } | null)?.code;
  return {
    code: typeof code === 'string' ? code : 'ERR_UNEXPECTED',
    message: error instanceof Error ? error.message : String(error),
  };
}

/** `spoon-home: CODE: message` on stderr (or `{ "error": ... }` with --json); returns the exit code. */
export function reportFailure(error: unknown, json: boolean): number {
  const report = describe(error);
  const message = redactUrls(report.message);
  if (json) {
    process.stderr.write(`${JSON.stringify({ error: { ...report, message } })}\n`);
  } else {
    err(`spoon-home: ${report.code}: ${message}`);
    // An error that is neither ours nor a usage error is a bug: its stack helps, on request.
    if (process.env.SPOON_HOME_DEBUG && error instanceof Error && !(error instanceof HomeNativeError) && !(error instanceof UsageError)) {
      err(String(error.stack));
    }
  }
  return error instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE;
}
