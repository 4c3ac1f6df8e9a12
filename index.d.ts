// Public types of @spoon/home-native. The shim in lib/ is type-checked against this file
// (test/types/conformance.ts), so the two cannot drift apart.

import type { LookupFunction } from 'node:net';

/** The job owner's environment, exactly the shape the seed's worker code uses. */
export type UserEnvironment = {
  username: string;
  enabled: boolean;
  dotfilesRepoUrl?: string;
  dotfilesRepoRef?: string;
  setupCommand?: string;
  files: { path: string; content: string; isExecutable: boolean }[];
};

/** Every `code` a rejection of this package can carry. */
export type HomeNativeErrorCode =
  | 'ERR_INVALID_ARG_TYPE'
  | 'ERR_INVALID_PATH'
  | 'ERR_RESERVED_PATH'
  | 'ERR_HOME_INVALID'
  | 'ERR_SYMLINK_ESCAPE'
  | 'ERR_SYMLINK_LOOP'
  | 'ERR_IS_DIRECTORY'
  | 'ERR_NOT_DIRECTORY'
  | 'ERR_WRITE_FAILED'
  | 'ERR_READ_FAILED'
  | 'ERR_FILE_TOO_LARGE'
  | 'ERR_REMOVE_FAILED'
  | 'ERR_OVERLAY_FAILED'
  | 'ERR_ABORTED'
  | 'ERR_LOCK_FAILED'
  | 'ERR_PROTOCOL_NOT_ALLOWED'
  | 'ERR_DESTINATION_NOT_ALLOWED'
  | 'ERR_CLONE_TIMEOUT'
  | 'ERR_CLONE_TOO_LARGE'
  | 'ERR_CLONE_UNSAFE_PATH'
  | 'ERR_CLONE_AUTH'
  | 'ERR_REF_NOT_FOUND'
  | 'ERR_CLONE_FAILED'
  | 'ERR_NO_RUNNER'
  | 'ERR_SETUP_FAILED'
  | 'ERR_NOT_CONFIGURED'
  | 'ERR_BAD_ENVIRONMENT'
  | 'ERR_BACKEND'
  | 'ERR_NATIVE_LOAD';

/** One failed item of a batch (an overlay file, an environment field). */
export interface HomeNativeFailure {
  path: string;
  code: HomeNativeErrorCode;
  message: string;
  /** The OS error as Node numbers it (negative), when one caused the failure. */
  errno?: number;
  /** The OS error's name, e.g. `ELOOP`. */
  osCode?: string;
  syscall?: string;
}

/** Every rejection of this package is a HomeNativeError with a stable `code`. */
export declare class HomeNativeError extends Error {
  constructor(code: HomeNativeErrorCode, message: string, details?: Partial<Omit<HomeNativeError, 'code' | 'message' | 'name'>>);
  readonly code: HomeNativeErrorCode;
  /** The path concerned, when there is one. */
  readonly path?: string;
  /** The URL concerned, credentials redacted. */
  readonly url?: string;
  readonly errno?: number;
  readonly osCode?: string;
  readonly syscall?: string;
  /** For batch failures: each failed item. */
  readonly failures?: HomeNativeFailure[];
}

export interface OverlayFile {
  /** Relative POSIX path below the home, or an absolute path under `containerHome`. */
  path: string;
  content: string | Uint8Array;
  isExecutable: boolean;
}

export interface WriteHomeFilesOptions {
  /** The home's path inside the container; absolute paths and symlinks under it map into the home. */
  containerHome?: string;
  /** Owner of the files and directories written. */
  uid?: number;
  gid?: number;
  signal?: AbortSignal;
}

export interface WriteHomeFilesResult {
  written: number;
  unchanged: number;
}

/**
 * Writes overlay files into the home through a pinned directory descriptor, one batch on one
 * worker thread. Bad paths reject the whole batch before anything is written; other per-file
 * failures reject at the end with `failures`, after the rest were written.
 */
export declare function writeHomeFiles(
  homeDir: string,
  files: readonly OverlayFile[],
  options?: WriteHomeFilesOptions,
): Promise<WriteHomeFilesResult>;

/** `sha256(JSON.stringify({ repo, ref: ref ?? '', setup: setup ?? '' }))`, hex, as the seed computes it. */
export declare function configHash(
  userEnv: Pick<UserEnvironment, 'dotfilesRepoUrl' | 'dotfilesRepoRef' | 'setupCommand'>,
): string;

export type CloneProtocol = 'https' | 'http' | 'ssh' | 'git' | 'file';

export type ClonePhase = 'connecting' | 'receiving' | 'resolving' | 'checkout' | 'done';

export interface CloneProgress {
  phase: ClonePhase;
  receivedObjects: number;
  totalObjects: number;
  receivedBytes: number;
  checkedOutFiles: number;
  totalFiles: number;
}

export interface CloneOptions {
  url: string;
  /** Branch, tag or 40-hex commit id; the remote's default branch when absent. */
  ref?: string;
  homeDir: string;
  /** Where below the home the checkout goes. Default `.dotfiles`. */
  into?: string;
  /** History depth; 0 fetches everything. Default 1. */
  depth?: number;
  timeoutMs?: number;
  /** Limit on received bytes. Default 512 MiB. */
  maxBytes?: number;
  /** Entries in the checkout (files, symlinks, directories, submodule links). Default 100,000. */
  maxFiles?: number;
  /** Sum of the checked-out files' sizes, read from the object headers before checkout. Default 1 GiB. */
  maxCheckoutBytes?: number;
  /** The largest file. Default 100 MiB (GitHub's own limit). */
  maxFileBytes?: number;
  /** libgit2's live heap for this clone; an allocation beyond it fails the clone. Default 256 MiB. */
  maxMemoryBytes?: number;
  /** Default `['https']`. `file` also allows bare local paths; for tests. */
  allowedProtocols?: readonly CloneProtocol[];
  /**
   * Networks (CIDR strings: `'10.20.0.0/16'`, `'127.0.0.0/8'`, `'fd00::/8'`) the clone may reach
   * beyond public unicast addresses. Default: none, so loopback, private, link-local and the
   * other special ranges are refused with ERR_DESTINATION_NOT_ALLOWED (docs/guarantees.md).
   */
  allowedNetworks?: readonly string[];
  /**
   * Resolves the URL's host, with the signature of `dns.lookup` (what `net.connect` accepts).
   * Called with `{ all: true }`; the addresses it answers are the ones checked and connected.
   * Default: `clone.lookup`, else the system resolver (getaddrinfo, on a thread of the addon's
   * own: never the libuv pool, which `dns.lookup` would queue on).
   */
  lookup?: LookupFunction;
  /**
   * Username and password for a server that asks for them (a private repository). Called on the
   * JS thread when the server challenges, at most twice a clone; `null`: none for this server.
   * The secret stays in memory: it is never written to `.git/config` (the remote URL is stored
   * without user info), an error, a progress event or the report. A refusal after two attempts,
   * or a challenge with nothing to offer, is ERR_CLONE_AUTH. Default: `clone.credentials`.
   */
  credentials?: CredentialsFunction;
  /**
   * Check out the submodules too, recursively, each at the commit the tree records (depth 1 where
   * the server serves that commit alone), in the layout the git CLI uses. Their URLs meet the same
   * protocols and network policy, and the whole tree one budget. Default `clone.submodules` (false).
   */
  submodules?: boolean;
  /**
   * Extra trusted CAs (a PEM bundle) for this clone alone, beside the system store. The root is
   * enough when the server sends its intermediates; read at the clone's first HTTPS connection.
   */
  caFile?: string;
  /** Private directory beside the homes (same filesystem). Default `dirname(homeDir)/.home-native`. */
  stagingDir?: string;
  containerHome?: string;
  uid?: number;
  gid?: number;
  signal?: AbortSignal;
  /** Throttled to about ten events a second; each phase reports its first and its last state, and the clone its final one. */
  onProgress?: (progress: CloneProgress) => void;
  redact?: (value: string) => string;
}

/** What a server's authentication challenge concerns; `url` carries no user info. */
export interface CredentialRequest {
  url: string;
  host: string;
  protocol: string;
  /** 1 for the clone's first challenge, 2 after the server refused the first answer. */
  attempt: number;
}

export interface Credential {
  username: string;
  /** A password or a token (GitHub, GitLab: any username with a token as the password). */
  password: string;
}

export type CredentialsFunction = (request: CredentialRequest) => Credential | null | Promise<Credential | null>;

export interface CloneReport {
  commit: string;
  ref: string;
  receivedBytes: number;
  objects: number;
  files: number;
  durationMs: number;
  /** False when the server refused a shallow fetch and the whole history was fetched. */
  shallow: boolean;
  /** The submodules checked out (`submodules: true`), nested ones included, in the order cloned. */
  submodules: SubmoduleReport[];
}

export interface SubmoduleReport {
  /** Below the superproject's root: `dotbot`, `dotbot/lib/pyyaml`. */
  path: string;
  commit: string;
  /** False when the server would not serve the commit alone and every branch was fetched. */
  shallow: boolean;
}

/** Clones into the staging area and swaps the result into the home; the old tree is kept on failure. */
export declare function cloneRepository(options: CloneOptions): Promise<CloneReport>;

/** What the worker's `runInJobContainer` receives (the seed's shape). */
export interface RunInJobContainerOptions {
  workdir: string;
  containerHome: string;
  containerCwd: string;
  command: string[];
  environment: Record<string, string>;
  redact: (value: string) => string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Runs `command` in a fresh container of the job image with `workdir` mounted at `containerHome`; rejects when it fails. */
export type RunInJobContainer = (options: RunInJobContainerOptions) => Promise<unknown>;

/**
 * Runs setup on this host as the job container would, for development, the demo and tests only.
 * As root with util-linux's unshare: in a private mount namespace with the host read-only, the
 * home at `containerHome` (HOME and cwd), as `configure({ uid, gid })` or else the home's owner,
 * never root (0 becomes nobody, 65534). Otherwise on the home's host path as the worker's user,
 * with a warning once per process. The timeout and the signal kill every process it started.
 */
export declare const localRunner: RunInJobContainer;

export interface CloneSettings {
  allowedProtocols?: readonly CloneProtocol[];
  /** Networks clones may reach beyond public unicast (CloneOptions.allowedNetworks). Default none. */
  allowedNetworks?: readonly string[];
  /** The resolver clones use (CloneOptions.lookup). Default: the system resolver, off the libuv pool. */
  lookup?: LookupFunction;
  /** Credentials for private repositories (CloneOptions.credentials). Default: none. */
  credentials?: CredentialsFunction;
  /** Check out submodules too (CloneOptions.submodules). Default false, as the seed. */
  submodules?: boolean;
  caFile?: string;
  maxBytes?: number;
  /** Defaults for the cloneRepository options of the same names (see CloneOptions). */
  maxFiles?: number;
  maxCheckoutBytes?: number;
  maxFileBytes?: number;
  maxMemoryBytes?: number;
  timeoutMs?: number;
  depth?: number;
  /** Clones running at once on the addon's own threads. Default 4. */
  concurrency?: number;
}

export interface HomeNativeSettings {
  convexUrl?: string;
  workerToken?: string;
  jobTimeoutMs?: number;
  /** Limit on one call to the Convex backend (connect, request and answer). Default 30 s. */
  backendTimeoutMs?: number;
  clone?: CloneSettings;
  stagingDir?: string;
  uid?: number;
  gid?: number;
  runInJobContainer?: RunInJobContainer;
  /**
   * Home file jobs (creating the home, the lock's first attempt, the profile, the marker, overlay
   * batches) running at once on the addon's own threads, never libuv's. Default: half the CPUs,
   * 1 to 4.
   */
  ioConcurrency?: number;
  /** Run install.sh, bootstrap, setup… when no setupCommand is given. Default false. */
  detectSetupScript?: boolean;
  /**
   * The fallback install of Codespaces and the devcontainer tooling: when a fresh clone has no
   * setup script (none configured, none detected), link each top-level `.name` of `~/.dotfiles`
   * (not `.git`, `.gitmodules`, `.github`, `.gitignore`, `.gitattributes`) into the home as a
   * relative link (`~/.vimrc -> .dotfiles/.vimrc`), without a container. Default false.
   */
  linkDotfiles?: boolean;
}

/** Merges `settings` into the current settings. */
export declare function configure(settings: HomeNativeSettings): void;

export type MaterializePhase = 'lock' | 'profile' | 'clone' | 'setup' | 'overlay' | 'done';

export interface MaterializeProgress {
  phase: MaterializePhase;
  clone?: CloneProgress;
}

export interface MaterializeArgs {
  homeDir: string;
  containerHome: string;
  userEnv: UserEnvironment;
  redact: (value: string) => string;
  signal?: AbortSignal;
  onProgress?: (progress: MaterializeProgress) => void;
}

/** What the fallback install did to the home's top-level names (MaterializeReport.links). */
export interface DotfileLinks {
  linked: string[];
  unchanged: string[];
  inTheWay: string[];
  removed: string[];
}

export interface MaterializeReport {
  profile: 'created' | 'existing';
  enabled: boolean;
  configHash: string | null;
  repository: 'none' | 'unchanged' | 'cloned';
  clone: CloneReport | null;
  setup: { command: string } | null;
  /**
   * The fallback install (`linkDotfiles`), null when it did not run (off, no fresh clone, or a
   * setup script ran instead). Names in the home, each list sorted: `linked` made now,
   * `unchanged` our links from an earlier run, `inTheWay` names that something else already held
   * (a file, a directory, another link: left alone), `removed` our links whose entry left the
   * checkout.
   */
  links: DotfileLinks | null;
  files: WriteHomeFilesResult;
  durationsMs: { lock: number; profile: number; clone: number; setup: number; overlay: number; total: number };
}

/**
 * The seed's `materializeUserHome`: profile, then (enabled) clone and setup when the config hash
 * changed, marker, overlay files. Resolves to a report a `Promise<void>` caller may ignore.
 */
export declare function materializeUserHome(args: MaterializeArgs): Promise<MaterializeReport>;

/**
 * What subscribers of the `home-native:clone` tracing channel (node:diagnostics_channel:
 * `tracing:home-native:clone:start`, `:end`, `:asyncStart`, `:asyncEnd`, `:error`) receive for
 * each cloneRepository, materializeUserHome's own clone included. `result` or `error` is set once
 * the call settles. Never a secret: the URL has no user info and went through `redact`.
 */
export interface CloneTraceContext {
  url: string;
  ref?: string;
  homeDir: string;
  result?: CloneReport;
  error?: unknown;
}

/** The same for the `home-native:materialize` channel, one per materializeUserHome. */
export interface MaterializeTraceContext {
  homeDir: string;
  containerHome: string;
  result?: MaterializeReport;
  error?: unknown;
}

/** The job owner's environment from the Convex backend, validated; null when there is none. */
export declare function fetchUserEnvironment(jobId: string): Promise<UserEnvironment | null>;

export interface Versions {
  package: string;
  libgit2: string;
  /**
   * What HTTPS clones run on: the OpenSSL of this Node process, as it reports itself at run time
   * ("OpenSSL 3.0.19 27 Jan 2026"). The binary carries no TLS library; it binds the process's.
   */
  tls: string;
  /** The same OpenSSL (hashes, certificate checks): the same string as `tls`. */
  openssl: string;
  /**
   * What clones inflate packs with: the zlib of this Node process (Node's own, "1.3.1", or the
   * system's libz a distribution's node links), as it reports itself at run time. The binary
   * carries no zlib; it binds the process's.
   */
  zlib: string;
  napi: number;
  node: string;
}

export declare function versions(): Versions;
