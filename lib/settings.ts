// Process-wide settings: what `configure()` merged so far, on top of documented defaults and the
// worker's environment variables.
import os from 'node:os';
import path from 'node:path';
import type { LookupFunction } from 'node:net';
import type { CloneProtocol, CredentialsFunction, HomeNativeSettings, RunInJobContainer } from '../index';
import { HomeNativeError } from './errors';
import { allowedNetworksProblem, cloneProtocols, isCloneProtocolList, isId, isPositiveInteger } from './validate';

/** Defaults, each with its reason. */
export const defaults = {
  /** The design allows only https unless the operator opts in to more. */
  allowedProtocols: ['https'] as CloneProtocol[],
  /**
   * Public unicast only: the user chooses the URL, and the clone connects from the worker host,
   * where loopback, the private network and the cloud's metadata service are in reach
   * (docs/guarantees.md). An operator with an internal git server allows its network.
   */
  allowedNetworks: [] as string[],
  /** Large enough for any dotfiles repository, small enough to stop a hostile one early. */
  maxBytes: 512 * 1024 * 1024,
  /**
   * Entries in the checkout. A dotfiles repository holds hundreds, one with vendored shell and
   * editor plugins a few thousand (oh-my-zsh alone is about 2,000): 100,000 leaves room for all
   * of them and stops a git bomb (12 objects, 10^10 files) before it costs the homes' disk its
   * inodes.
   */
  maxFiles: 100_000,
  /**
   * Sum of the checked-out files' sizes, read from the object headers before checkout: twice
   * maxBytes, so that a repository that compresses well still fits, while 3 MB of zlib that
   * inflates to 3 GB never reaches the homes' disk.
   */
  maxCheckoutBytes: 1024 * 1024 * 1024,
  /**
   * The largest file. GitHub refuses files over 100 MiB, so no repository hosted there holds a
   * larger one; libgit2's checkout inflates each file whole in memory, so this bounds that too.
   */
  maxFileBytes: 100 * 1024 * 1024,
  /**
   * libgit2's live heap per clone. The largest file (maxFileBytes) inflated whole, with a delta's
   * base beside it, fits; four clones at once (clone.concurrency) stay under 1 GiB.
   */
  maxMemoryBytes: 256 * 1024 * 1024,
  /** A dotfiles clone that takes longer than this is stuck, not slow. */
  cloneTimeoutMs: 5 * 60 * 1000,
  depth: 1,
  /** Clones are network-bound: a few at once keep a worker busy without queueing behind each other. */
  concurrency: 4,
  /**
   * Home file jobs wait on the kernel's file creation, CPU it cannot give back mid-call: on a
   * small machine more of them at once only starve the event loop (measured on 2 cores: one
   * thread kept the loop's p99 lower at the same total time as four). Half the CPUs, 1 to 4.
   */
  ioConcurrency: Math.min(4, Math.max(1, Math.floor(os.availableParallelism() / 2))),
  /** The seed's job timeout when the worker did not set JOB_TIMEOUT_MS. */
  jobTimeoutMs: 30 * 60 * 1000,
  /**
   * One backend call is a single small action: 30 s is far beyond a healthy answer and short
   * enough that a hung backend fails the job start instead of holding it for the job timeout.
   */
  backendTimeoutMs: 30 * 1000,
  /**
   * An environment at the schema's caps holds 16 MiB of file contents; JSON escaping of ordinary
   * text adds little. Four times that is room enough, and stops a runaway answer from filling
   * the worker's memory.
   */
  maxBackendResponseBytes: 64 * 1024 * 1024,
} as const;

export interface ResolvedCloneSettings {
  allowedProtocols: CloneProtocol[];
  allowedNetworks: string[];
  /** Undefined: the addon's system resolver (getaddrinfo on a thread of its own, never the libuv pool). */
  lookup: LookupFunction | undefined;
  /** Undefined: no credentials; a server that asks is ERR_CLONE_AUTH. */
  credentials: CredentialsFunction | undefined;
  submodules: boolean;
  caFile: string | undefined;
  maxBytes: number;
  maxFiles: number;
  maxCheckoutBytes: number;
  maxFileBytes: number;
  maxMemoryBytes: number;
  timeoutMs: number;
  depth: number;
  concurrency: number;
}

let current: HomeNativeSettings = {};
const listeners: Array<(settings: HomeNativeSettings) => void> = [];

/** The clone budget's limits beyond maxBytes and timeoutMs: settings and per-clone options alike. */
export const budgetLimits = ['maxFiles', 'maxCheckoutBytes', 'maxFileBytes', 'maxMemoryBytes'] as const;

function check(condition: boolean, field: string, expected: string): void {
  if (!condition) throw new HomeNativeError('ERR_INVALID_ARG_TYPE', `configure: ${field} must be ${expected}`);
}

function validate(settings: HomeNativeSettings): void {
  check(typeof settings === 'object' && settings !== null, 'settings', 'an object');
  const { clone } = settings;
  if (settings.convexUrl !== undefined) check(typeof settings.convexUrl === 'string', 'convexUrl', 'a string');
  if (settings.workerToken !== undefined) check(typeof settings.workerToken === 'string', 'workerToken', 'a string');
  if (settings.jobTimeoutMs !== undefined) check(isPositiveInteger(settings.jobTimeoutMs), 'jobTimeoutMs', 'a positive integer');
  if (settings.backendTimeoutMs !== undefined) {
    check(isPositiveInteger(settings.backendTimeoutMs), 'backendTimeoutMs', 'a positive integer');
  }
  if (settings.stagingDir !== undefined) {
    check(typeof settings.stagingDir === 'string' && path.isAbsolute(settings.stagingDir), 'stagingDir', 'an absolute path');
  }
  if (settings.uid !== undefined) check(isId(settings.uid), 'uid', 'an integer id');
  if (settings.gid !== undefined) check(isId(settings.gid), 'gid', 'an integer id');
  if (settings.runInJobContainer !== undefined) {
    check(typeof settings.runInJobContainer === 'function', 'runInJobContainer', 'a function');
  }
  if (settings.detectSetupScript !== undefined) check(typeof settings.detectSetupScript === 'boolean', 'detectSetupScript', 'a boolean');
  if (settings.linkDotfiles !== undefined) check(typeof settings.linkDotfiles === 'boolean', 'linkDotfiles', 'a boolean');
  if (settings.ioConcurrency !== undefined) check(isPositiveInteger(settings.ioConcurrency), 'ioConcurrency', 'a positive integer');
  if (clone === undefined) return;
  check(typeof clone === 'object' && clone !== null, 'clone', 'an object');
  if (clone.allowedProtocols !== undefined) {
    check(
      isCloneProtocolList(clone.allowedProtocols),
      'clone.allowedProtocols',
      `a list of ${cloneProtocols.join(', ')}`,
    );
  }
  if (clone.allowedNetworks !== undefined) {
    const problem = allowedNetworksProblem(clone.allowedNetworks);
    if (problem !== undefined) throw new HomeNativeError('ERR_INVALID_ARG_TYPE', `configure: clone.${problem}`);
  }
  if (clone.lookup !== undefined) check(typeof clone.lookup === 'function', 'clone.lookup', 'a function like dns.lookup');
  if (clone.credentials !== undefined) check(typeof clone.credentials === 'function', 'clone.credentials', 'a function');
  if (clone.submodules !== undefined) check(typeof clone.submodules === 'boolean', 'clone.submodules', 'a boolean');
  if (clone.caFile !== undefined) check(typeof clone.caFile === 'string', 'clone.caFile', 'a path');
  if (clone.maxBytes !== undefined) check(isPositiveInteger(clone.maxBytes), 'clone.maxBytes', 'a positive integer');
  for (const name of budgetLimits) {
    if (clone[name] !== undefined) check(isPositiveInteger(clone[name]), `clone.${name}`, 'a positive integer');
  }
  if (clone.timeoutMs !== undefined) check(isPositiveInteger(clone.timeoutMs), 'clone.timeoutMs', 'a positive integer');
  if (clone.depth !== undefined) check(Number.isSafeInteger(clone.depth) && clone.depth >= 0, 'clone.depth', 'an integer >= 0');
  if (clone.concurrency !== undefined) check(isPositiveInteger(clone.concurrency), 'clone.concurrency', 'a positive integer');
}

/** Merges `settings` into the current settings (`clone` merged key by key). */
export function configure(settings: HomeNativeSettings): void {
  validate(settings);
  current = { ...current, ...settings, clone: { ...current.clone, ...settings.clone } };
  for (const listener of listeners) listener(current);
}

/** Called after every configure(): for modules that cache what they derive from the settings. */
export function onConfigure(listener: (settings: HomeNativeSettings) => void): void {
  listeners.push(listener);
}

export function settings(): Readonly<HomeNativeSettings> {
  return current;
}

export function cloneSettings(): ResolvedCloneSettings {
  const clone = current.clone ?? {};
  return {
    allowedProtocols: [...(clone.allowedProtocols ?? defaults.allowedProtocols)],
    allowedNetworks: [...(clone.allowedNetworks ?? defaults.allowedNetworks)],
    lookup: clone.lookup,
    credentials: clone.credentials,
    submodules: clone.submodules ?? false,
    caFile: clone.caFile,
    maxBytes: clone.maxBytes ?? defaults.maxBytes,
    maxFiles: clone.maxFiles ?? defaults.maxFiles,
    maxCheckoutBytes: clone.maxCheckoutBytes ?? defaults.maxCheckoutBytes,
    maxFileBytes: clone.maxFileBytes ?? defaults.maxFileBytes,
    maxMemoryBytes: clone.maxMemoryBytes ?? defaults.maxMemoryBytes,
    timeoutMs: clone.timeoutMs ?? defaults.cloneTimeoutMs,
    depth: clone.depth ?? defaults.depth,
    concurrency: clone.concurrency ?? defaults.concurrency,
  };
}

/** Home file jobs at once on the addon's home-io threads. */
export function ioConcurrency(): number {
  return current.ioConcurrency ?? defaults.ioConcurrency;
}

/** The staging area for `homeDir`: configured, or a private directory beside the homes. */
export function stagingDirFor(homeDir: string): string {
  return current.stagingDir ?? path.join(path.dirname(path.resolve(homeDir)), '.home-native');
}

export function runner(): RunInJobContainer | undefined {
  return current.runInJobContainer;
}

/** A setting from configure(), else from the environment variable the worker's env module reads. */
export function required(name: 'convexUrl' | 'workerToken'): string {
  const variable = name === 'convexUrl' ? 'CONVEX_URL' : 'WORKER_TOKEN';
  const value = current[name] ?? process.env[variable];
  if (!value) {
    throw new HomeNativeError('ERR_NOT_CONFIGURED', `${name} is not configured: call configure({ ${name} }) or set ${variable}`);
  }
  return value;
}

export function jobTimeoutMs(): number {
  if (current.jobTimeoutMs !== undefined) return current.jobTimeoutMs;
  const fromEnv = Number(process.env.JOB_TIMEOUT_MS);
  return isPositiveInteger(fromEnv) ? fromEnv : defaults.jobTimeoutMs;
}

export function backendTimeoutMs(): number {
  return current.backendTimeoutMs ?? defaults.backendTimeoutMs;
}

/** Tests: back to the defaults. Not part of the public API. */
export function resetSettingsForTests(): void {
  current = {};
}
