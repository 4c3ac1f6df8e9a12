// Validation of the environment the backend sends (or an operator's file): every field of
// UserEnvironment checked, each violation reported as one failure naming the field, unknown
// fields stripped so the backend can grow the shape without breaking older workers.
// Messages never quote file contents or commands: overlay files arrive decrypted.
import { types } from 'node:util';
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

// The one place the result is shaped, for both paths: optional fields absent stay absent (not
// `undefined`) because configHash and JSON output depend on it, and the key order is fixed.
function environmentOf(
  username: string,
  enabled: boolean,
  dotfilesRepoUrl: string | undefined,
  dotfilesRepoRef: string | undefined,
  setupCommand: string | undefined,
  files: UserEnvironment['files'],
): UserEnvironment {
  return {
    username,
    enabled,
    ...(dotfilesRepoUrl !== undefined && { dotfilesRepoUrl }),
    ...(dotfilesRepoRef !== undefined && { dotfilesRepoRef }),
    ...(setupCommand !== undefined && { setupCommand }),
    files,
  };
}

/** The schema's verdict alone: what {@link parseUserEnvironment} falls back to. */
export function parseWithSchema(value: unknown, source = 'the environment'): UserEnvironment {
  const result = environment.safeParse(value);
  if (!result.success) throw toError(result.error.issues, source);
  const { username, enabled, dotfilesRepoUrl, dotfilesRepoRef, setupCommand, files: list } = result.data;
  return environmentOf(username, enabled, dotfilesRepoUrl, dotfilesRepoRef, setupCommand, list);
}

// The hand-written check below exists because zod costs 100-400 µs per environment on the JS
// thread, and a worker starting hundreds of materializations at once parses them all in one go.
// It answers only when it is sure: for anything unusual it says "not sure" and the schema
// decides, which keeps one source of truth for what is rejected and how it is reported.
//
// It never runs the caller's code (getters, proxy traps, iterators): a value it declines reaches
// zod exactly as it came, so the fallback behaves as the schema alone always did. That is why it
// reads own data properties through their descriptors and only looks at plain objects and
// arrays. It assumes the built-ins zod relies on (Array iteration, instanceof) are not patched.

const { isProxy } = types;
const describe = Object.getOwnPropertyDescriptor;
const prototypeOf = Object.getPrototypeOf;
const objectPrototype = Object.prototype;
const arrayPrototype = Array.prototype;
const {
  maxPathBytes,
  maxComponentBytes,
  maxFileBytes,
  maxTotalBytes,
  maxFiles,
  maxUsernameLength,
  maxStringBytes,
} = environmentLimits;
const notSure = Symbol('not sure');
type NotSure = typeof notSure;

// zod takes any object that is not an array, Map, Set, Date or thenable (class instances
// included), and reads inherited fields too; the check takes only `{}` and `Object.create(null)`
// with no `then` anywhere on the chain, where own properties are all there is to look at.
const isPlainObject = (value: unknown): value is object => {
  if (typeof value !== 'object' || value === null || isProxy(value)) return false;
  const proto = prototypeOf(value);
  return (proto === objectPrototype || proto === null) && !('then' in value);
};

// An own data property's value; `undefined` when the key is nowhere on the chain (which zod
// treats like an own `undefined`); notSure for an accessor or an inherited value.
function read(object: object, key: string | number): unknown {
  const descriptor = describe(object, key);
  if (descriptor === undefined) return key in object ? notSure : undefined;
  return 'value' in descriptor ? descriptor.value : notSure;
}

// A UTF-16 string of length L takes between L and 3L UTF-8 bytes (a lone surrogate becomes the
// 3-byte U+FFFD, as Buffer.byteLength counts it): the exact count only when the bounds disagree.
const fitsBytes = (value: string, max: number): boolean =>
  value.length * 3 <= max || (value.length <= max && byteLength(value) <= max);

// An optional text field: absent and `undefined` both come out absent.
const optionalText = (value: unknown): string | undefined | NotSure =>
  value === undefined || (typeof value === 'string' && fitsBytes(value, maxStringBytes) && noNul(value)) ? value : notSure;

function isOverlayPath(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || !noNul(value) || !fitsBytes(value, maxPathBytes)) return false;
  if (value.length * 3 <= maxComponentBytes) return true;
  for (let start = 0; start <= value.length; ) {
    let end = value.indexOf('/', start);
    if (end === -1) end = value.length;
    if ((end - start) * 3 > maxComponentBytes && !fitsBytes(value.slice(start, end), maxComponentBytes)) return false;
    start = end + 1;
  }
  return true;
}

function checkFiles(value: unknown): UserEnvironment['files'] | NotSure {
  if (!Array.isArray(value) || isProxy(value) || prototypeOf(value) !== arrayPrototype) return notSure;
  // zod spreads the array: an own iterator would decide what it sees, not the indices.
  if (describe(value, Symbol.iterator) !== undefined) return notSure;
  const count = value.length;
  if (count > maxFiles) return notSure;
  const files: UserEnvironment['files'] = [];
  let countedBytes = 0; // contents the bound could not clear alone, counted exactly
  let boundedUnits = 0; // the others, in UTF-16 units
  for (let i = 0; i < count; i++) {
    // A hole or an accessor element: zod's iteration would see what the check cannot vouch for.
    const file = read(value, i);
    if (!isPlainObject(file)) return notSure;
    const path = read(file, 'path');
    const content = read(file, 'content');
    const isExecutable = read(file, 'isExecutable');
    if (!isOverlayPath(path) || typeof isExecutable !== 'boolean' || typeof content !== 'string') return notSure;
    if (content.length * 3 <= maxFileBytes) {
      boundedUnits += content.length;
    } else {
      const size = content.length > maxFileBytes ? Infinity : byteLength(content);
      if (size > maxFileBytes) return notSure;
      countedBytes += size;
    }
    files.push({ path, content, isExecutable });
  }
  if (countedBytes + boundedUnits * 3 > maxTotalBytes) {
    if (countedBytes + boundedUnits > maxTotalBytes) return notSure;
    for (const { content } of files) if (content.length * 3 <= maxFileBytes) countedBytes += byteLength(content);
    if (countedBytes > maxTotalBytes) return notSure;
  }
  return files;
}

/**
 * The environment exactly as {@link parseWithSchema} returns it, for a value the check is sure
 * the schema accepts; `undefined` ("not sure") for anything else, valid or not.
 */
export function checkUserEnvironment(value: unknown): UserEnvironment | undefined {
  if (!isPlainObject(value)) return undefined;
  const username = read(value, 'username');
  const enabled = read(value, 'enabled');
  const dotfilesRepoUrl = optionalText(read(value, 'dotfilesRepoUrl'));
  const dotfilesRepoRef = optionalText(read(value, 'dotfilesRepoRef'));
  const setupCommand = optionalText(read(value, 'setupCommand'));
  if (typeof username !== 'string' || username.length > maxUsernameLength || !usernamePattern.test(username)) return undefined;
  if (typeof enabled !== 'boolean') return undefined;
  if (dotfilesRepoUrl === notSure || dotfilesRepoRef === notSure || setupCommand === notSure) return undefined;
  const files = checkFiles(read(value, 'files'));
  if (files === notSure) return undefined;
  return environmentOf(username, enabled, dotfilesRepoUrl, dotfilesRepoRef, setupCommand, files);
}

/**
 * The environment, checked and stripped of unknown fields; null stays null. Throws
 * ERR_BAD_ENVIRONMENT listing every offending field. `source` names where it came from.
 */
export function parseUserEnvironment(value: unknown, source = 'the environment'): UserEnvironment | null {
  if (value === null) return null;
  return checkUserEnvironment(value) ?? parseWithSchema(value, source);
}
