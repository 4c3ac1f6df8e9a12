// The addon's raw interface and its loader. Only this file knows the addon's calling conventions;
// every other module of the shim goes through the functions typed here.
import type { LookupFunction } from 'node:net';
import path from 'node:path';
import load from 'node-gyp-build';
import type { CloneProgress, CloneProtocol, CredentialsFunction } from '../index';
import { HomeNativeError } from './errors';
import { cloneSettings, ioConcurrency, onConfigure } from './settings';

export interface NativeCancelToken {
  cancel(): void;
  readonly cancelled: boolean;
}

export interface NativeHomeLock {
  /** Idempotent. */
  release(): void;
  /** The previous holder died holding the lock: its debris may be in the home and the staging area. */
  readonly recovered: boolean;
}

export interface NativeHomeOptions {
  containerHome?: string;
  uid?: number;
  gid?: number;
  /** Tests: resolve with the manual walk even where openat2 exists. */
  forceManualWalk?: boolean;
}

/** The seed's file shape, read and checked by the addon itself (no copy in JavaScript). */
export interface NativeOverlayFile {
  path: string;
  content: string | Uint8Array;
  isExecutable: boolean;
}

export interface NativeCloneOptions extends NativeHomeOptions {
  url: string;
  ref?: string;
  homeDir: string;
  into: string;
  depth: number;
  timeoutMs: number;
  maxBytes: number;
  /** The clone budget's other limits (src/core/git/clone_budget.h). */
  maxFiles: number;
  maxCheckoutBytes: number;
  maxFileBytes: number;
  maxMemoryBytes: number;
  allowedProtocols: CloneProtocol[];
  /** The network policy's allow-list and the resolver (src/core/git/network_access.h); no lookup: the system's. */
  allowedNetworks: string[];
  lookup?: LookupFunction;
  /** Asked when a server wants a username and password (src/addon/js_credentials.h). */
  credentials?: CredentialsFunction;
  submodules: boolean;
  /** `http://host:port`, from the environment (lib/proxy-env.ts); absent: a direct connection. */
  proxy?: string;
  caFile?: string;
  stagingDir: string;
  /** Emptied durably right before the new tree is swapped in (materializeUserHome's marker). */
  invalidateMarker?: string;
}

/**
 * What is at a path below the home, as the no-follow readers see it (src/core/fs/home_reader.h):
 * the last component never followed, no link on the way followed either. `blocked`: a component
 * on the way (`blockedAt`, the path up to it) is a symlink or not a directory.
 */
export type NativeHomeEntry =
  | { kind: 'missing' }
  | { kind: 'symlink'; target: string }
  | { kind: 'directory' }
  | { kind: 'file'; size: number }
  | { kind: 'other' }
  | { kind: 'blocked'; blockedAt: string; blockedBy: 'symlink' | 'not-directory' };

/** `text` only for a regular file within the cap; a file entry without it is larger than the cap. */
export type NativeHomeRead = NativeHomeEntry & { text?: string };

export interface NativeHomeDirEntry {
  name: string;
  kind: 'symlink' | 'directory' | 'file' | 'other';
  /** For a symlink: its target, verbatim. */
  target?: string;
}

/** `kind: 'directory'` when it was listed (entries in the directory's own order); otherwise why not. */
export type NativeHomeListing = NativeHomeEntry & { entries: NativeHomeDirEntry[]; capped: boolean };

/** What linkDotfiles did, each list sorted by name (src/core/home/dotfile_links.h). */
export interface NativeDotfileLinks {
  linked: string[];
  unchanged: string[];
  inTheWay: string[];
  removed: string[];
}

export interface NativeCloneReport {
  submodules: { path: string; commit: string; shallow: boolean }[];
  commit: string;
  ref: string;
  receivedBytes: number;
  objects: number;
  files: number;
  durationMs: number;
  shallow: boolean;
}

export interface NativeAddon {
  CancelToken: new () => NativeCancelToken;
  configHash(repo: string | undefined, ref: string, setup: string): string;
  versions(): { libgit2: string; tls: string; openssl: string; zlib: string; napi: number };
  writeHomeFiles(
    homeDir: string,
    files: readonly NativeOverlayFile[],
    options: NativeHomeOptions,
    cancel: NativeCancelToken | undefined,
  ): Promise<{ written: number; unchanged: number }>;
  /** `mkdir -p` of the home itself (0755 less the umask); ERR_HOME_INVALID with the OS error. */
  makeHomeDirectory(homeDir: string): Promise<void>;
  /** Creates `name` with `content` exclusively; resolves false when anything is already there. */
  createFileIfMissing(homeDir: string, name: string, content: string, options: NativeHomeOptions): Promise<boolean>;
  /** Reads a small regular file below the home without following a final symlink; null when absent. */
  readSmallFile(homeDir: string, relPath: string, maxBytes: number, options: NativeHomeOptions): Promise<string | null>;
  /** What is at `relPath`, following no symlink (not the last component, not one on the way). */
  inspectHomePath(homeDir: string, relPath: string, options: NativeHomeOptions): Promise<NativeHomeEntry>;
  /** `relPath` as UTF-8 when it is a regular file of at most `maxBytes` reached through real directories; never opens anything else. */
  readHomeFile(homeDir: string, relPath: string, maxBytes: number, options: NativeHomeOptions): Promise<NativeHomeRead>;
  /** The directory at `relPath` (empty: the home) listed from its own descriptor, at most `maxEntries` entries. */
  listHomeDirectory(homeDir: string, relPath: string, maxEntries: number, options: NativeHomeOptions): Promise<NativeHomeListing>;
  /** Atomic and durable (fsync of the file and its directory). Reserved paths are allowed here. */
  writeFileDurable(homeDir: string, relPath: string, content: string, options: NativeHomeOptions): Promise<void>;
  /** Removes a dead materialization's temporary files (home, .spoon/, overlay directories) and clone debris. */
  sweepDebris(homeDir: string, stagingDir: string, overlayPaths: string[], options: NativeHomeOptions): Promise<number>;
  /**
   * Links the top-level dotfiles of the checkout `checkoutDir` (relative to the home) into the home
   * as relative links, following no link; ERR_NOT_DIRECTORY when the checkout is a symlink.
   */
  linkDotfiles(homeDir: string, checkoutDir: string, options: NativeHomeOptions): Promise<NativeDotfileLinks>;
  acquireHomeLock(stagingDir: string, homeDir: string, cancel: NativeCancelToken | undefined): Promise<NativeHomeLock>;
  cloneRepository(
    options: NativeCloneOptions,
    cancel: NativeCancelToken | undefined,
    onProgress: ((progress: CloneProgress) => void) | undefined,
  ): Promise<NativeCloneReport>;
  /** Undefined when every entry is a CIDR network; otherwise the message naming the bad one. */
  checkAllowedNetworks(list: readonly unknown[]): string | undefined;
  setCloneConcurrency(limit: number): void;
  setIoConcurrency(limit: number): void;
  /** Whether the running kernel offers openat2 (the resolver's fast path). */
  hasOpenat2(): boolean;
}

const packageRoot = path.resolve(__dirname, '..');

const buildHint =
  'build from source: `npm rebuild @spoon/home-native` where it is installed, `npm run build` in a checkout ' +
  '(needs g++, make, python3, pkg-config and libgit2-dev >= 1.7)';

// The binary carries no OpenSSL: it binds OpenSSL 3's functions from the Node process when it loads
// (all at once), and its first act checks the version (src/core/base/openssl_version.h). Either
// failure names OpenSSL: a missing function in the loader's words ("undefined symbol: SSL_..."), a
// wrong version in the addon's.
const opensslFailure = /undefined symbol: (SSL|TLS|X509|EVP|BIO|ERR|OPENSSL|OpenSSL|CRYPTO|PEM|ASN1|OBJ|d2i|i2d)_?\w*|OpenSSL in this Node process/;
const opensslHint =
  'The binary uses the OpenSSL of the Node process, which must be OpenSSL 3: the official Node builds, NodeSource\'s and ' +
  "Debian's nodejs all are; a Node built without OpenSSL or with another TLS library (BoringSSL) cannot load it";
// zlib the same way (src/core/base/zlib_version.h): libgit2 and the pack scanner inflate with the
// process's.
const zlibFailure = /undefined symbol: (inflate|deflate|adler32|crc32|zlib|zError|get_crc_table|compress|uncompress)\w*|zlib in this Node process/;
const zlibHint =
  'The binary uses the zlib of the Node process, which must be zlib 1.2 or a later 1.x: the official Node builds export ' +
  "their own and a distribution's nodejs links the system's libz";

/**
 * Tests only: `HOME_NATIVE_ADDON_PATH` loads that binary instead of the build's or a prebuild's
 * (the sanitizer build of scripts/reliability.sh). Not part of the public interface.
 */
const testAddonPath = process.env.HOME_NATIVE_ADDON_PATH;

function loadAddon(): NativeAddon {
  try {
    if (testAddonPath) return require(path.resolve(testAddonPath)) as NativeAddon;
    return load(packageRoot) as NativeAddon;
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    const where = `${process.platform}-${process.arch} (Node ${process.version})`;
    // node-gyp-build's words when it found no file; anything else is a binary that would not load.
    const missing = detail.includes('No native build was found');
    let message: string;
    if (missing) {
      message =
        `@spoon/home-native: no native binary for ${where}: neither a prebuild in prebuilds/ nor a build in ` +
        `build/. Install a release that ships prebuilds for this platform, or ${buildHint}. Loader said: ${detail}`;
    } else if (opensslFailure.test(detail)) {
      message = `@spoon/home-native: the native binary for ${where} cannot use this process's OpenSSL: ${detail}. ${opensslHint}.`;
    } else if (zlibFailure.test(detail)) {
      message = `@spoon/home-native: the native binary for ${where} cannot use this process's zlib: ${detail}. ${zlibHint}.`;
    } else {
      message =
        `@spoon/home-native: the native binary for ${where} failed to load: ${detail}. Reinstall the package, ` +
        `or ${buildHint}.`;
    }
    throw new HomeNativeError('ERR_NATIVE_LOAD', message, { path: packageRoot });
  }
}

let cached: NativeAddon | undefined;

/** The addon, loaded on first use so that a load failure is an error of the call that needed it. */
export function native(): NativeAddon {
  if (cached === undefined) {
    const addon = loadAddon();
    applyThreadLimits(addon);
    cached = addon;
    onConfigure(() => applyThreadLimits(addon));
  }
  return cached;
}

// The addon's thread sets follow configure({ clone: { concurrency }, ioConcurrency }): applied
// when the addon loads, and again whenever the settings change once it has. Registered at the
// load, not when this module is evaluated: settings.ts imports this module through validate.ts
// (configure() checks CIDR lists with the addon's parser), so nothing here may call into
// settings.ts at import time.
const applied = { clone: 0, io: 0 };
function applyThreadLimits(addon: NativeAddon): void {
  const clone = cloneSettings().concurrency;
  const io = ioConcurrency();
  if (clone !== applied.clone) addon.setCloneConcurrency(clone);
  if (io !== applied.io) addon.setIoConcurrency(io);
  applied.clone = clone;
  applied.io = io;
}

