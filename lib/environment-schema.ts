// Validation of the environment the backend sends (or an operator's file): every field of
// UserEnvironment checked, each violation reported as one failure naming the field, unknown
// fields stripped so the backend can grow the shape without breaking older workers.
// Messages never quote file contents or commands: overlay files arrive decrypted.
import { z } from 'zod';
import type { HomeNativeFailure, UserEnvironment } from '../index';
import { HomeNativeError } from './errors';

/** Limits, each with where its number comes from. */
export const environmentLimits = {
  /** Linux PATH_MAX (limits.h): no path longer than this can be opened in one piece. */
  maxPathBytes: 4096,
  /** Linux NAME_MAX (limits.h): the longest single component a filesystem accepts. */
  maxComponentBytes: 255,
  /** Dotfiles are text; a single overlay file above 1 MiB is a mistake or an attack. */
  maxFileBytes: 1024 * 1024,
  /** All overlay files together: 16 times the per-file cap keeps one job's memory bounded. */
  maxTotalBytes: 16 * 1024 * 1024,
  /** Far more than any dotfiles tree; bounds the work of one batch. */
  maxFiles: 10_000,
  /** useradd's limit (shadow-utils, from utmp's ut_user[32]). */
  maxUsernameLength: 32,
  /** URLs, refs and commands are short; this only stops absurd payloads. */
  maxStringBytes: 64 * 1024,
  /** How many failures the error message spells out; `failures` always holds them all. */
  maxListedFailures: 20,
} as const;

/**
 * shadow-utils' default NAME_REGEX (`[a-z_][a-z0-9_-]*`, without the trailing `$` of machine
 * accounts): the username becomes `/home/{username}` and `homes/{username}`, so it must be a
 * valid login name and can never be `.`, `..` or contain `/`.
 */
const usernamePattern = /^[a-z_][a-z0-9_-]*$/;

const byteLength = (value: string) => Buffer.byteLength(value, 'utf8');

// C strings end at NUL: a NUL would silently cut a path, URL or ref in the native layer.
const noNul = (value: string) => !value.includes('\0');

const text = (what: string) =>
  z
    .string({ invalid_type_error: `${what} must be a string`, required_error: `${what} is required` })
    .refine(noNul, `${what} must not contain NUL bytes`)
    .refine((v) => byteLength(v) <= environmentLimits.maxStringBytes, `${what} is longer than ${environmentLimits.maxStringBytes} bytes`);

const overlayPath = z
  .string({ invalid_type_error: 'path must be a string', required_error: 'path is required' })
  .superRefine((value, ctx) => {
    const fail = (message: string) => ctx.addIssue({ code: z.ZodIssueCode.custom, message });
    if (value.length === 0) return fail('path must not be empty');
    if (!noNul(value)) return fail('path must not contain NUL bytes');
    const bytes = byteLength(value);
    if (bytes > environmentLimits.maxPathBytes) {
      return fail(`path is ${bytes} bytes, longer than ${environmentLimits.maxPathBytes} (PATH_MAX)`);
    }
    const long = value.split('/').find((part) => byteLength(part) > environmentLimits.maxComponentBytes);
    if (long !== undefined) {
      fail(`a path component is ${byteLength(long)} bytes, longer than ${environmentLimits.maxComponentBytes} (NAME_MAX)`);
    }
  });

const overlayFile = z.object(
  {
    path: overlayPath,
    content: z
      .string({ invalid_type_error: 'content must be a string', required_error: 'content is required' })
      .refine(
        (v) => byteLength(v) <= environmentLimits.maxFileBytes,
        (v) => ({ message: `content is ${byteLength(v)} bytes, more than ${environmentLimits.maxFileBytes}` }),
      ),
    isExecutable: z.boolean({
      invalid_type_error: 'isExecutable must be a boolean',
      required_error: 'isExecutable is required',
    }),
  },
  { invalid_type_error: 'a file must be an object { path, content, isExecutable }' },
);

const files = z
  .array(overlayFile, { invalid_type_error: 'files must be an array', required_error: 'files is required' })
  .max(environmentLimits.maxFiles, `files holds more than ${environmentLimits.maxFiles} entries`)
  .superRefine((list, ctx) => {
    let total = 0;
    for (const file of list) total += byteLength(file.content);
    if (total > environmentLimits.maxTotalBytes) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: `the files' contents total ${total} bytes, more than ${environmentLimits.maxTotalBytes}`,
      });
    }
  });

const environment = z.object(
  {
    username: z
      .string({ invalid_type_error: 'username must be a string', required_error: 'username is required' })
      .max(environmentLimits.maxUsernameLength, `username is longer than ${environmentLimits.maxUsernameLength} characters`)
      .regex(usernamePattern, 'username must be a Linux login name: [a-z_] then [a-z0-9_-]'),
    enabled: z.boolean({ invalid_type_error: 'enabled must be a boolean', required_error: 'enabled is required' }),
    dotfilesRepoUrl: text('dotfilesRepoUrl').optional(),
    dotfilesRepoRef: text('dotfilesRepoRef').optional(),
    setupCommand: text('setupCommand').optional(),
    files,
  },
  { invalid_type_error: 'the environment must be an object or null' },
);

// `files[3].content`, the way a reader of the JSON would point at it.
const fieldPath = (path: ReadonlyArray<string | number>): string => {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? part : `.${part}`;
  return out === '' ? '(environment)' : out;
};

function toError(issues: readonly z.ZodIssue[], source: string): HomeNativeError {
  const failures: HomeNativeFailure[] = issues.map((issue) => ({
    path: fieldPath(issue.path),
    code: 'ERR_BAD_ENVIRONMENT',
    message: issue.message,
  }));
  const listed = failures.slice(0, environmentLimits.maxListedFailures).map((f) => `${f.path}: ${f.message}`);
  const more = failures.length - listed.length;
  const message =
    `${source} is invalid (${failures.length} problem${failures.length === 1 ? '' : 's'}): ` +
    listed.join('; ') +
    (more > 0 ? `; and ${more} more` : '');
  return new HomeNativeError('ERR_BAD_ENVIRONMENT', message, { failures });
}

/**
 * The environment, checked and stripped of unknown fields; null stays null. Throws
 * ERR_BAD_ENVIRONMENT listing every offending field. `source` names where it came from.
 */
export function parseUserEnvironment(value: unknown, source = 'the environment'): UserEnvironment | null {
  if (value === null) return null;
  const result = environment.safeParse(value);
  if (!result.success) throw toError(result.error.issues, source);
  const { username, enabled, dotfilesRepoUrl, dotfilesRepoRef, setupCommand, files: list } = result.data;
  // Optional fields absent stay absent (not `undefined`): configHash and JSON output depend on it.
  return {
    username,
    enabled,
    ...(dotfilesRepoUrl !== undefined && { dotfilesRepoUrl }),
    ...(dotfilesRepoRef !== undefined && { dotfilesRepoRef }),
    ...(setupCommand !== undefined && { setupCommand }),
    files: list,
  };
}
