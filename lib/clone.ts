// cloneRepository: argument validation, defaults from configure(), progress throttling and
// redaction around the addon's clone (which runs on the addon's own threads, see
// src/addon/clone_binding.cc).
import path from 'node:path';
import type { CloneOptions, CloneProgress, CloneReport, CloneTraceContext } from '../index';
import { withCancelToken } from './cancel';
import { HomeNativeError, callNative, type Redact } from './errors';
import { native, type NativeCloneOptions } from './native';
import { proxyFor } from './proxy-env';
import { redactUrlCredentials } from './scrub';
import { budgetLimits, cloneSettings, settings, stagingDirFor } from './settings';
import { cloneChannel, traced } from './tracing';
import { allowedNetworksProblem, cloneProtocols, isCloneProtocolList, isId, isPositiveInteger } from './validate';

/** At most ten progress events a second: a job log line per event is plenty. */
const progressIntervalMs = 100;
const defaultInto = '.dotfiles';

function fail(field: string, expected: string): never {
  throw new HomeNativeError('ERR_INVALID_ARG_TYPE', `cloneRepository: ${field} must be ${expected}`);
}

function validate(options: CloneOptions): void {
  if (typeof options !== 'object' || options === null) fail('options', 'an object');
  const o = options;
  if (typeof o.url !== 'string' || o.url === '') fail('url', 'a non-empty string');
  if (o.ref !== undefined && (typeof o.ref !== 'string' || o.ref === '')) fail('ref', 'a non-empty string');
  if (typeof o.homeDir !== 'string' || !path.isAbsolute(o.homeDir)) fail('homeDir', 'an absolute path');
  if (o.into !== undefined && (typeof o.into !== 'string' || o.into === '')) fail('into', 'a relative path');
  if (o.depth !== undefined && !(Number.isSafeInteger(o.depth) && o.depth >= 0)) fail('depth', 'an integer >= 0');
  if (o.timeoutMs !== undefined && !isPositiveInteger(o.timeoutMs)) fail('timeoutMs', 'a positive integer');
  if (o.maxBytes !== undefined && !isPositiveInteger(o.maxBytes)) fail('maxBytes', 'a positive integer');
  for (const name of budgetLimits) {
    if (o[name] !== undefined && !isPositiveInteger(o[name])) fail(name, 'a positive integer');
  }
  if (o.allowedProtocols !== undefined && !isCloneProtocolList(o.allowedProtocols)) {
    fail('allowedProtocols', `a list of ${cloneProtocols.join(', ')}`);
  }
  if (o.allowedNetworks !== undefined) {
    const problem = allowedNetworksProblem(o.allowedNetworks);
    if (problem !== undefined) throw new HomeNativeError('ERR_INVALID_ARG_TYPE', `cloneRepository: ${problem}`);
  }
  if (o.lookup !== undefined && typeof o.lookup !== 'function') fail('lookup', 'a function like dns.lookup');
  if (o.credentials !== undefined && typeof o.credentials !== 'function') fail('credentials', 'a function');
  if (o.submodules !== undefined && typeof o.submodules !== 'boolean') fail('submodules', 'a boolean');
  if (o.caFile !== undefined && typeof o.caFile !== 'string') fail('caFile', 'a path');
  if (o.stagingDir !== undefined && (typeof o.stagingDir !== 'string' || !path.isAbsolute(o.stagingDir))) {
    fail('stagingDir', 'an absolute path');
  }
  if (o.containerHome !== undefined && typeof o.containerHome !== 'string') fail('containerHome', 'a string');
  if (o.uid !== undefined && !isId(o.uid)) fail('uid', 'an integer id');
  if (o.gid !== undefined && !isId(o.gid)) fail('gid', 'an integer id');
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) fail('signal', 'an AbortSignal');
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') fail('onProgress', 'a function');
  if (o.redact !== undefined && typeof o.redact !== 'function') fail('redact', 'a function');
}

/**
 * Delivers at most one event per interval (the latest), a new phase at once (so that a listener
 * can act on it: show it, or abort), each phase's last state before the next phase's first, and
 * always the last one.
 */
class ProgressThrottle {
  private last = 0;
  private phase: CloneProgress['phase'] | undefined;
  private pending: CloneProgress | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly listener: (progress: CloneProgress) => void) {}

  readonly push = (progress: CloneProgress): void => {
    if (progress.phase !== this.phase) {
      // The old phase's last state, if one is held, goes out before the new phase does.
      this.deliver();
      this.pending = progress;
      this.deliver();
      return;
    }
    this.pending = progress;
    const wait = this.last + progressIntervalMs - Date.now();
    if (wait <= 0) {
      this.deliver();
    } else {
      this.timer ??= setTimeout(() => this.deliver(), wait);
    }
  };

  /** The clone ended: the latest state goes out now, nothing after. */
  finish(final: CloneProgress | undefined): void {
    if (final) this.pending = final;
    this.deliver();
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
  }

  private deliver(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const progress = this.pending;
    this.pending = undefined;
    if (!progress) return;
    this.last = Date.now();
    this.phase = progress.phase;
    try {
      this.listener(progress);
    } catch {
      // A failing progress listener must not fail the clone.
    }
  }
}

/**
 * Clones into the staging area and swaps the result into the home; the old tree is kept on failure.
 * `internal.invalidateMarker` (materializeUserHome only, not public): a file below the home that is
 * emptied durably right before the swap; `internal.callSite`: the calling public function's own.
 */
export async function cloneRepository(
  options: CloneOptions,
  internal: { invalidateMarker?: string; callSite?: Error } = {},
): Promise<CloneReport> {
  const callSite = internal.callSite ?? new Error();
  const redact: Redact | undefined = typeof options?.redact === 'function' ? options.redact : undefined;
  return traced(cloneChannel, () => traceContext(options, redact), () => cloneOnce(options, internal, callSite, redact));
}

/** What the tracing channel shows of a clone: where from and to, nothing secret (lib/tracing.ts). */
function traceContext(options: CloneOptions, redact: Redact | undefined): CloneTraceContext {
  const text = (value: unknown): string => {
    const plain = typeof value === 'string' ? redactUrlCredentials(value) : String(value);
    try {
      return redact ? redact(plain) : plain;
    } catch {
      return plain;
    }
  };
  return {
    url: text(options?.url),
    ...(typeof options?.ref === 'string' && { ref: text(options.ref) }),
    homeDir: text(options?.homeDir),
  };
}

async function cloneOnce(
  options: CloneOptions,
  internal: { invalidateMarker?: string; callSite?: Error },
  callSite: Error,
  redact: Redact | undefined,
): Promise<CloneReport> {
  return callNative(callSite, redact, async () => {
    validate(options);
    const defaults = cloneSettings();
    const configured = settings();
    const homeDir = path.resolve(options.homeDir);
    const uid = options.uid ?? configured.uid;
    const gid = options.gid ?? configured.gid;
    const caFile = options.caFile ?? defaults.caFile;
    const proxy = proxyFor(options.url);
    const lookup = options.lookup ?? defaults.lookup;
    const credentials = options.credentials ?? defaults.credentials;
    const nativeOptions: NativeCloneOptions = {
      url: options.url,
      ...(options.ref !== undefined && { ref: options.ref }),
      homeDir,
      into: options.into ?? defaultInto,
      depth: options.depth ?? defaults.depth,
      timeoutMs: options.timeoutMs ?? defaults.timeoutMs,
      maxBytes: options.maxBytes ?? defaults.maxBytes,
      maxFiles: options.maxFiles ?? defaults.maxFiles,
      maxCheckoutBytes: options.maxCheckoutBytes ?? defaults.maxCheckoutBytes,
      maxFileBytes: options.maxFileBytes ?? defaults.maxFileBytes,
      maxMemoryBytes: options.maxMemoryBytes ?? defaults.maxMemoryBytes,
      allowedProtocols: [...(options.allowedProtocols ?? defaults.allowedProtocols)],
      allowedNetworks: [...(options.allowedNetworks ?? defaults.allowedNetworks)],
      ...(lookup !== undefined && { lookup }),
      ...(credentials !== undefined && { credentials }),
      submodules: options.submodules ?? defaults.submodules,
      ...(proxy !== undefined && { proxy }),
      ...(caFile !== undefined && { caFile: path.resolve(caFile) }),
      stagingDir: options.stagingDir ?? stagingDirFor(homeDir),
      ...(options.containerHome !== undefined && { containerHome: options.containerHome }),
      ...(uid !== undefined && { uid }),
      ...(gid !== undefined && { gid }),
      ...(internal.invalidateMarker !== undefined && { invalidateMarker: internal.invalidateMarker }),
    };
    const throttle = options.onProgress ? new ProgressThrottle(options.onProgress) : undefined;
    try {
      const report = await withCancelToken(options.signal, 'cloneRepository', (token) =>
        native().cloneRepository(nativeOptions, token, throttle?.push),
      );
      throttle?.finish({
        phase: 'done',
        receivedObjects: report.objects,
        totalObjects: report.objects,
        receivedBytes: report.receivedBytes,
        checkedOutFiles: report.files,
        totalFiles: report.files,
      });
      return report;
    } finally {
      throttle?.cancel();
    }
  });
}
