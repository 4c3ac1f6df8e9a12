// Turns whatever a Convex call threw (HTTP failure, function error, timeout, network error) into
// ERR_BACKEND carrying the backend's own message, with the worker token scrubbed out of every
// string. The original error is deliberately not kept as `cause`: its message, its stack and
// undici's nested causes are text we do not control.
import { HomeNativeError } from './errors';
import type { Scrub } from './scrub';
import { defaults } from './settings';

/** What the bounded fetch observed during one call. */
export interface CallRecord {
  /** HTTP status of the answer, once headers arrived. */
  status?: number;
  timedOut: boolean;
  /** The body passed the size cap (bounded-fetch.ts). */
  tooLarge: boolean;
  timeoutMs: number;
}

export interface CallDescription {
  functionName: string;
  /** Credentials already redacted. */
  url: string;
  scrub: Scrub;
}

/** Convex's status for "the function ran and failed" (STATUS_CODE_UDF_FAILED in the client). */
const UDF_FAILED = 560;
/** An HTML error page from a proxy can be large; the first part says what happened. */
const maxQuotedChars = 2000;

type ErrorLike = { message?: unknown; code?: unknown; errno?: unknown; syscall?: unknown; cause?: unknown; data?: unknown };

const asRecord = (value: unknown): ErrorLike => (typeof value === 'object' && value !== null ? (value as ErrorLike) : {});

const quote = (text: string) => (text.length > maxQuotedChars ? `${text.slice(0, maxQuotedChars)}… (${text.length} chars)` : text);

/** The innermost OS-level error of undici's `fetch failed` chain, e.g. ECONNREFUSED. */
function networkCause(error: unknown): ErrorLike | undefined {
  let current = asRecord(error).cause;
  for (let depth = 0; depth < 5 && current !== undefined; depth++) {
    const record = asRecord(current);
    if (typeof record.code === 'string' && /^E[A-Z]+$/.test(record.code)) return record;
    current = record.cause;
  }
  return undefined;
}

function messageOf(error: unknown): string {
  const { message } = asRecord(error);
  return typeof message === 'string' ? message : String(error);
}

/** ConvexError carries structured `data`; show it, it is the backend's explanation. */
function dataSuffix(error: unknown): string {
  const { data } = asRecord(error);
  if (data === undefined) return '';
  try {
    return ` (data: ${typeof data === 'string' ? data : JSON.stringify(data, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))})`;
  } catch {
    return '';
  }
}

export function backendError(error: unknown, call: CallRecord, what: CallDescription): HomeNativeError {
  const { scrub } = what;
  const where = `${what.functionName} at ${what.url}`;
  const details = { url: what.url };
  if (call.timedOut) {
    return new HomeNativeError('ERR_BACKEND', scrub(`Convex backend did not answer within ${call.timeoutMs} ms (${where})`), details);
  }
  if (call.tooLarge) {
    return new HomeNativeError('ERR_BACKEND', `Convex backend sent more than ${defaults.maxBackendResponseBytes} bytes (${where})`, details);
  }
  const message = scrub(quote(messageOf(error)));
  if (call.status === undefined) {
    const os = networkCause(error);
    const reason = os ? scrub(messageOf(os)) : message;
    return new HomeNativeError('ERR_BACKEND', scrub(`cannot reach the Convex backend (${where}): ${reason}`), {
      ...details,
      ...(os && typeof os.code === 'string' && { osCode: os.code }),
      ...(os && typeof os.errno === 'number' && { errno: os.errno }),
      ...(os && typeof os.syscall === 'string' && { syscall: os.syscall }),
    });
  }
  if (call.status !== 200 && call.status !== UDF_FAILED) {
    return new HomeNativeError('ERR_BACKEND', `Convex backend answered HTTP ${call.status} (${where}): ${message}`, details);
  }
  if (error instanceof SyntaxError) {
    return new HomeNativeError('ERR_BACKEND', `Convex backend sent an unreadable answer (${where}): ${message}`, details);
  }
  return new HomeNativeError('ERR_BACKEND', `${where} failed: ${message}${scrub(quote(dataSuffix(error)))}`, details);
}
