// The per-home lock for materializeUserHome (internal, not part of the public API): one
// materialization per home at a time, between threads and processes, held in the staging area
// where the user cannot reach it. See src/core/home/home_lock.h.
import path from 'node:path';
import { withCancelToken } from './cancel';
import { callNative } from './errors';
import { native } from './native';
import { stagingDirFor } from './settings';

export interface HomeLockHandle {
  /** Idempotent. */
  release(): void;
  /** The previous holder died holding the lock (see src/core/home/home_lock.h): sweep its debris. */
  readonly recovered: boolean;
}

/**
 * Waits until this process holds `homeDir`'s lock; rejects with ERR_ABORTED when `signal` aborts
 * first. `callSite`: the public function's own (a stack capture costs more than the call).
 */
export async function acquireHomeLock(homeDir: string, signal?: AbortSignal, callSite = new Error()): Promise<HomeLockHandle> {
  return callNative(callSite, undefined, () => {
    const home = path.resolve(homeDir);
    return withCancelToken(signal, 'waiting for the home lock', (token) =>
      native().acquireHomeLock(stagingDirFor(home), home, token),
    );
  });
}
