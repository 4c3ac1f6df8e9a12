// writeHomeFiles: the public overlay writer. Validates the caller's options and hands the whole
// batch, the caller's file objects as they are, to the addon in one call (one worker thread,
// one pinned home descriptor); the sandbox rules live in src/core.
import path from 'node:path';
import type { OverlayFile, WriteHomeFilesOptions, WriteHomeFilesResult } from '../index';
import { withCancelToken } from './cancel';
import { callNative, HomeNativeError, type Redact } from './errors';
import { native, type NativeHomeOptions } from './native';
import { isId } from './validate';

const argError = (message: string) => new HomeNativeError('ERR_INVALID_ARG_TYPE', `writeHomeFiles: ${message}`);


/**
 * Tests only: `HOME_NATIVE_FORCE_MANUAL_WALK=1` makes the resolver skip openat2 and walk every
 * path by hand, so both resolvers run the same suites. Not part of the public options.
 */
const forceManualWalk = () => process.env.HOME_NATIVE_FORCE_MANUAL_WALK === '1';

function toNativeOptions(options: WriteHomeFilesOptions): NativeHomeOptions {
  if (typeof options !== 'object' || options === null) throw argError('options must be an object');
  const { containerHome, uid, gid, signal } = options;
  const out: NativeHomeOptions = {};
  if (containerHome !== undefined) {
    if (typeof containerHome !== 'string' || !path.posix.isAbsolute(containerHome)) {
      throw argError('options.containerHome must be an absolute path');
    }
    out.containerHome = containerHome;
  }
  if (uid !== undefined) {
    if (!isId(uid)) throw argError('options.uid must be a non-negative integer');
    out.uid = uid;
  }
  if (gid !== undefined) {
    if (!isId(gid)) throw argError('options.gid must be a non-negative integer');
    out.gid = gid;
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw argError('options.signal must be an AbortSignal');
  if (forceManualWalk()) out.forceManualWalk = true;
  return out;
}

/**
 * Writes overlay files into the home through a pinned directory descriptor, one batch on one
 * worker thread. Bad paths reject the whole batch (ERR_INVALID_PATH / ERR_RESERVED_PATH, with
 * `failures`) before anything is written; other per-file failures reject at the end with
 * ERR_OVERLAY_FAILED and `failures`, after the rest were written. Unchanged files are left alone.
 */
export async function writeHomeFiles(
  homeDir: string,
  files: readonly OverlayFile[],
  options: WriteHomeFilesOptions = {},
): Promise<WriteHomeFilesResult> {
  return writeHomeFilesFrom(new Error(), undefined, homeDir, files, options);
}

/**
 * writeHomeFiles for the package's own callers, with their call site (one stack capture a call)
 * and their redact.
 */
export async function writeHomeFilesFrom(
  callSite: Error,
  redact: Redact | undefined,
  homeDir: string,
  files: readonly OverlayFile[],
  options: WriteHomeFilesOptions,
): Promise<WriteHomeFilesResult> {
  return callNative(callSite, redact, async () => {
    if (typeof homeDir !== 'string' || !path.isAbsolute(homeDir)) throw argError('homeDir must be an absolute path');
    // Each file's shape is checked by the addon as it copies it (ERR_INVALID_ARG_TYPE naming
    // files[i]), before anything is written.
    if (!Array.isArray(files)) throw argError('files must be an array');
    const nativeOptions = toNativeOptions(options);
    return withCancelToken(options.signal, 'writeHomeFiles', (token) =>
      native().writeHomeFiles(homeDir, files, nativeOptions, token),
    );
  });
}
