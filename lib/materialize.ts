// materializeUserHome: the seed's order and semantics, made safe against a hostile home:
//   lock -> ~/.bash_profile (only when missing) -> stop unless enabled -> when the config hash
//   differs from ~/.spoon/env-hash: clone, setup in the job image (or, with no setup script and
//   linkDotfiles on, the dotfiles linked into the home), marker -> overlay files.
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type {
  MaterializeArgs,
  MaterializePhase,
  MaterializeReport,
  MaterializeTraceContext,
  RunInJobContainerOptions,
} from '../index';
import { abortedError } from './cancel';
import { cloneRepository } from './clone';
import { configHash } from './config-hash';
import { HomeNativeError, callNative, type Redact } from './errors';
import { acquireHomeLock } from './home-lock';
import { native, type NativeHomeOptions } from './native';
import { jobTimeoutMs, runner, settings, stagingDirFor } from './settings';
import { checkSetupPath, detectSetupScript, dotfilesDir, setupCommandLine } from './setup-runner';
import { materializeChannel, traced } from './tracing';
import { takeTurn } from './turns';
import { writeHomeFilesFrom } from './write-files';
import { parseUserEnvironment } from './environment-schema';

/** The seed's profile: a mounted home has no /etc/skel, so login shells must be told to read ~/.bashrc. */
export const bashProfile = '# Spoon: load ~/.bashrc for login shells.\n[ -f ~/.bashrc ] && . ~/.bashrc\n';
export const markerPath = '.spoon/env-hash';
/** A marker is 64 hex digits; anything much larger is not ours and is not read whole. */
export const markerMaxBytes = 4096;

type Durations = MaterializeReport['durationsMs'];

function checkArgs(args: MaterializeArgs): void {
  const fail = (message: string) => {
    throw new HomeNativeError('ERR_INVALID_ARG_TYPE', `materializeUserHome: ${message}`);
  };
  if (typeof args !== 'object' || args === null) fail('expected an arguments object');
  if (typeof args.homeDir !== 'string' || !path.isAbsolute(args.homeDir)) fail('homeDir must be an absolute path');
  if (typeof args.containerHome !== 'string' || !path.posix.isAbsolute(args.containerHome)) {
    fail('containerHome must be an absolute POSIX path');
  }
  if (typeof args.redact !== 'function') fail('redact must be a function');
  if (args.onProgress !== undefined && typeof args.onProgress !== 'function') fail('onProgress must be a function');
}

/** What every step of one materialization shares: the caller's arguments, the timing, the owner. */
interface Run {
  callSite: Error;
  homeDir: string;
  containerHome: string;
  redact: Redact;
  signal: AbortSignal | undefined;
  onProgress: MaterializeArgs['onProgress'];
  homeOptions: NativeHomeOptions;
  durations: Durations;
  /** Runs one phase: aborts first if the signal has, reports the phase, adds its time. */
  timed<T>(phase: Exclude<MaterializePhase, 'done'>, step: () => Promise<T>): Promise<T>;
  /** One native call with this run's error conversion (codes kept, messages redacted). */
  call<T>(step: () => Promise<T>): Promise<T>;
}

export function materializeUserHome(args: MaterializeArgs): Promise<MaterializeReport> {
  return traced(materializeChannel, () => traceContext(args), () => materializeOnce(args));
}

/** What the tracing channel shows of a materialization (lib/tracing.ts): which home, nothing of the environment. */
function traceContext(args: MaterializeArgs): MaterializeTraceContext {
  return { homeDir: String(args?.homeDir), containerHome: String(args?.containerHome) };
}

async function materializeOnce(args: MaterializeArgs): Promise<MaterializeReport> {
  const callSite = new Error();
  // Validation is the largest synchronous step; a worker starting hundreds at once gets them in
  // slices (turns.ts).
  await takeTurn();
  checkArgs(args);
  // The environment comes from the backend; a malformed one fails here, not deep in a write.
  const userEnv = parseUserEnvironment(args.userEnv);
  if (userEnv === null) throw new HomeNativeError('ERR_BAD_ENVIRONMENT', 'materializeUserHome: userEnv is null');
  // Loading the addon (once per process, ~10 ms) is not this home's time; a missing binary fails
  // here, before anything is touched.
  native();
  const started = performance.now();
  const run = newRun(args, callSite);

  await run.call(() => native().makeHomeDirectory(run.homeDir));
  const lock = await run.timed('lock', () => acquireHomeLock(run.homeDir, run.signal, callSite));
  try {
    if (lock.recovered) await sweepDebris(run, userEnv.files);
    const report = emptyReport(userEnv.enabled, run.durations);
    report.profile = (await run.timed('profile', () => ensureProfile(run))) ? 'created' : 'existing';
    if (userEnv.enabled) {
      if (userEnv.dotfilesRepoUrl) await dotfilesStep(run, userEnv, report);
      report.files = await run.timed('overlay', () =>
        writeHomeFilesFrom(callSite, run.redact, run.homeDir, userEnv.files, {
          ...run.homeOptions,
          ...(run.signal !== undefined && { signal: run.signal }),
        }),
      );
    }
    run.durations.total = performance.now() - started;
    run.onProgress?.({ phase: 'done' });
    return report;
  } finally {
    lock.release();
  }
}

function newRun(args: MaterializeArgs, callSite: Error): Run {
  const { containerHome, redact, signal, onProgress } = args;
  const { uid, gid } = settings();
  const durations: Durations = { lock: 0, profile: 0, clone: 0, setup: 0, overlay: 0, total: 0 };
  return {
    callSite,
    homeDir: path.resolve(args.homeDir),
    containerHome,
    redact,
    signal,
    onProgress,
    homeOptions: { containerHome, ...(uid !== undefined && { uid }), ...(gid !== undefined && { gid }) },
    durations,
    async timed(phase, step) {
      if (signal?.aborted) throw abortedError('materializeUserHome');
      onProgress?.({ phase });
      const start = performance.now();
      try {
        return await step();
      } finally {
        durations[phase] += performance.now() - start;
      }
    },
    call: (step) => callNative(callSite, redact, step),
  };
}

function emptyReport(enabled: boolean, durations: Durations): MaterializeReport {
  return {
    profile: 'existing',
    enabled,
    configHash: null,
    repository: 'none',
    clone: null,
    setup: null,
    links: null,
    files: { written: 0, unchanged: 0 },
    durationsMs: durations,
  };
}

/**
 * A process killed in the middle of a materialization of this home left its temporary files
 * (atomic writes) and clone debris behind: gone before anything else is written.
 */
function sweepDebris(run: Run, files: readonly { path: string }[]): Promise<number> {
  return run.call(() =>
    native().sweepDebris(run.homeDir, stagingDirFor(run.homeDir), files.map((file) => file.path), run.homeOptions),
  );
}

/** The seed's ~/.bash_profile, only when there is none: true when this call created it. */
function ensureProfile(run: Run): Promise<boolean> {
  return run.call(() => native().createFileIfMissing(run.homeDir, '.bash_profile', bashProfile, run.homeOptions));
}

type ParsedEnvironment = NonNullable<ReturnType<typeof parseUserEnvironment>>;

/**
 * The dotfiles: nothing when the marker holds this config's hash; otherwise clone, setup in the
 * job image (or, when there is no setup script and linkDotfiles is on, the fallback install:
 * links into the home, no container), and only then the new marker, so that a crash or failure
 * anywhere before leaves none and the next run retries.
 */
async function dotfilesStep(run: Run, userEnv: ParsedEnvironment, report: MaterializeReport): Promise<void> {
  const hash = configHash(userEnv);
  report.configHash = hash;
  const previous = await run.call(() => native().readSmallFile(run.homeDir, markerPath, markerMaxBytes, run.homeOptions));
  if (previous?.trim() === hash) {
    report.repository = 'unchanged';
    return;
  }
  // Everything that can be refused without the network is refused before the clone.
  if (userEnv.setupCommand !== undefined && userEnv.setupCommand !== '') checkSetupPath(userEnv.setupCommand);
  const setupRunner = runner();
  if (userEnv.setupCommand && !setupRunner) {
    throw new HomeNativeError('ERR_NO_RUNNER', 'a setup command is configured but no runInJobContainer is: call configure({ runInJobContainer })');
  }
  report.clone = await run.timed('clone', () => cloneDotfiles(run, userEnv, previous !== null && previous !== ''));
  report.repository = 'cloned';
  const script = userEnv.setupCommand || (settings().detectSetupScript ? await detectSetupScript(run.homeDir) : undefined);
  if (script) {
    if (!setupRunner) {
      throw new HomeNativeError('ERR_NO_RUNNER', `the repository has a setup script (${script}) but no runInJobContainer is configured`);
    }
    report.setup = { command: script };
    await run.timed('setup', () => runSetup(setupRunner, { ...run, script }));
  } else if (settings().linkDotfiles) {
    // The fallback install stands in for the setup: its phase, its time.
    report.links = await run.timed('setup', () => linkDotfiles(run));
  }
  await run.call(() => native().writeFileDurable(run.homeDir, markerPath, hash, run.homeOptions));
}

/**
 * Codespaces' fallback install: the checkout's top-level dotfiles linked into the home, relative
 * (`~/.vimrc -> .dotfiles/.vimrc`), through the pinned home (src/core/home/dotfile_links.h).
 */
function linkDotfiles(run: Run): Promise<NonNullable<MaterializeReport['links']>> {
  return run.call(() => native().linkDotfiles(run.homeDir, dotfilesDir, run.homeOptions));
}

function cloneDotfiles(run: Run, userEnv: ParsedEnvironment, hadMarker: boolean) {
  const { uid, gid } = run.homeOptions;
  const { onProgress, signal } = run;
  return cloneRepository(
    {
      url: userEnv.dotfilesRepoUrl as string,
      ...(userEnv.dotfilesRepoRef !== undefined && userEnv.dotfilesRepoRef !== '' && { ref: userEnv.dotfilesRepoRef }),
      homeDir: run.homeDir,
      into: dotfilesDir,
      containerHome: run.containerHome,
      ...(uid !== undefined && { uid }),
      ...(gid !== undefined && { gid }),
      ...(signal !== undefined && { signal }),
      ...(onProgress !== undefined && { onProgress: (clone) => onProgress({ phase: 'clone', clone }) }),
      redact: run.redact,
    },
    {
      // The old marker goes, durably, right before the new tree replaces the old one: from then
      // on ~/.dotfiles and the setup's output change, and a crash before the new marker must not
      // leave the old one vouching for them (a later run with the old config would skip the
      // clone and the setup). A clone that fails earlier keeps it.
      ...(hadMarker && { invalidateMarker: markerPath }),
      callSite: run.callSite,
    },
  );
}

async function runSetup(
  run: NonNullable<ReturnType<typeof runner>>,
  step: { homeDir: string; containerHome: string; script: string; redact: Redact; signal: AbortSignal | undefined },
): Promise<void> {
  const options: RunInJobContainerOptions = {
    workdir: step.homeDir,
    containerHome: step.containerHome,
    containerCwd: step.containerHome,
    command: setupCommandLine(step.script),
    environment: { HOME: step.containerHome },
    redact: step.redact,
    timeoutMs: jobTimeoutMs(),
    ...(step.signal !== undefined && { signal: step.signal }),
  };
  try {
    await run(options);
  } catch (error) {
    if (step.signal?.aborted) throw abortedError('setup');
    const message = error instanceof Error ? error.message : String(error);
    throw new HomeNativeError('ERR_SETUP_FAILED', step.redact(`setup script ${step.script} failed: ${message}`), {
      path: step.script,
      cause: error,
    });
  }
}
