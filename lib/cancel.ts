// Bridges an AbortSignal to the addon's CancelToken for the length of one native call.
import { HomeNativeError } from './errors';
import { native, type NativeCancelToken } from './native';

export function abortedError(what: string): HomeNativeError {
  return new HomeNativeError('ERR_ABORTED', `${what} was aborted`);
}

/** Runs `run` with a token that is cancelled when `signal` aborts; rejects at once if it already has. */
export async function withCancelToken<T>(
  signal: AbortSignal | undefined,
  what: string,
  run: (token: NativeCancelToken | undefined) => Promise<T>,
): Promise<T> {
  if (!signal) return run(undefined);
  if (signal.aborted) throw abortedError(what);
  const token = new (native().CancelToken)();
  const onAbort = () => token.cancel();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await run(token);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
