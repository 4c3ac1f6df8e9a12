// HomeNativeError and the one place where native failures become it: codes kept, paths and
// messages passed through the caller's redact, the stack pointing at the caller.
import type { HomeNativeErrorCode, HomeNativeFailure } from '../index';
import { takeTurn } from './turns';

export type ErrorDetails = {
  path?: string;
  url?: string;
  errno?: number;
  osCode?: string;
  syscall?: string;
  failures?: HomeNativeFailure[];
  cause?: unknown;
};

export class HomeNativeError extends Error {
  readonly code: HomeNativeErrorCode;
  readonly path?: string;
  readonly url?: string;
  readonly errno?: number;
  readonly osCode?: string;
  readonly syscall?: string;
  readonly failures?: HomeNativeFailure[];

  constructor(code: HomeNativeErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'HomeNativeError';
    this.code = code;
    if (details.path !== undefined) this.path = details.path;
    if (details.url !== undefined) this.url = details.url;
    if (details.errno !== undefined) this.errno = details.errno;
    if (details.osCode !== undefined) this.osCode = details.osCode;
    if (details.syscall !== undefined) this.syscall = details.syscall;
    if (details.failures !== undefined) this.failures = details.failures;
  }
}

export type Redact = (value: string) => string;
const identity: Redact = (value) => value;

type NativeErrorShape = Error & {
  code?: string;
  path?: string;
  url?: string;
  errno?: number;
  osCode?: string;
  syscall?: string;
  failures?: HomeNativeFailure[];
};

/**
 * Rewraps an error thrown by the addon (or anything else under a native call) as a
 * HomeNativeError whose stack is `callSite`'s: where the caller called us, not the shim's
 * internals.
 */
export function fromNative(error: unknown, callSite: Error, redact: Redact = identity): HomeNativeError {
  // Ours already; it still passes through a caller's redact (a step of materializeUserHome may
  // have thrown it without one).
  if (error instanceof HomeNativeError && redact === identity) return error;
  const source: NativeErrorShape = error instanceof Error ? error : new Error(String(error));
  const code = (source.code?.startsWith('ERR_') ? source.code : 'ERR_INVALID_ARG_TYPE') as HomeNativeErrorCode;
  const wrapped = new HomeNativeError(code, redact(source.message), {
    ...(source.path !== undefined && { path: redact(source.path) }),
    ...(source.url !== undefined && { url: redact(source.url) }),
    ...(source.errno !== undefined && { errno: source.errno }),
    ...(source.osCode !== undefined && { osCode: source.osCode }),
    ...(source.syscall !== undefined && { syscall: source.syscall }),
    ...(source.failures !== undefined && {
      failures: source.failures.map((f) => ({ ...f, path: redact(f.path), message: redact(f.message) })),
    }),
  });
  const frames = callSite.stack?.split('\n').slice(1).join('\n');
  if (frames) wrapped.stack = `${wrapped.name} [${wrapped.code}]: ${wrapped.message}\n${frames}`;
  return wrapped;
}

/**
 * Runs a native call with its errors rewrapped, once it has a turn on the JS thread (turns.ts).
 * `callSite` must be created by the public function itself (`new Error()` as its first
 * statement), before any await.
 */
export async function callNative<T>(callSite: Error, redact: Redact | undefined, run: () => Promise<T> | T): Promise<T> {
  try {
    await takeTurn();
    return await run();
  } catch (error) {
    throw fromNative(error, callSite, redact);
  }
}
