// materializeUserHome: the seed's order and semantics, made safe against a hostile home:
//   lock -> ~/.bash_profile (only when missing) -> stop unless enabled -> when the config hash
//   differs from ~/.spoon/env-hash: clone, setup in the job image, marker -> overlay files.
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type {
  MaterializeArgs,
  MaterializePhase,
  MaterializeReport,
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

export async function materializeUserHome(args: MaterializeArgs): Promise<MaterializeReport> {
  const callSite = new Error();
  // Validation is the largest synchronous step; a worker starting hundreds at once gets them in
  // slices (turns.ts).
  await takeTurn();
  checkArgs(args);
  const { containerHome, redact, signal, onProgress } = args;
  const homeDir = path.resolve(args.homeDir);
  // The environment comes from the backend; a malformed one fails here, not deep in a write.
  const userEnv = parseUserEnvironment(args.userEnv);
  if (userEnv === null) throw new HomeNativeError('ERR_BAD_ENVIRONMENT', 'materializeUserHome: userEnv is null');

  // Loading the addon (once per process, ~10 ms) is not this home's time; a missing binary fails
  // here, before anything is touched.
  native();
  const started = performance.now();
  const durations: Durations = { lock: 0, profile: 0, clone: 0, setup: 0, overlay: 0, total: 0 };
  const timed = async <T>(phase: Exclude<MaterializePhase, 'done'>, step: () => Promise<T>): Promise<T> => {
    if (signal?.aborted) throw abortedError('materializeUserHome');
    onProgress?.({ phase });
    const start = performance.now();
    try {
      return await step();
    } finally {
      durations[phase] += performance.now() - start;
    }
  };

  const { uid, gid } = settings();
  const homeOptions: NativeHomeOptions = {
    containerHome,
    ...(uid !== undefined && { uid }),
    ...(gid !== undefined && { gid }),
  };

  await callNative(callSite, redact, () => native().makeHomeDirectory(homeDir));
  const lock = await timed('lock', () => acquireHomeLock(homeDir, signal, callSite));
  try {
    // A process killed in the middle of a materialization of this home left its temporary files
    // (atomic writes) and clone debris behind: gone before anything else is written.
    if (lock.recovered) {
      await callNative(callSite, redact, () =>
        native().sweepDebris(homeDir, stagingDirFor(homeDir), userEnv.files.map((file) => file.path), homeOptions),
      );
    }
    const created = await timed('profile', () =>
      callNative(callSite, redact, () => native().createFileIfMissing(homeDir, '.bash_profile', bashProfile, homeOptions)),
    );
    const report: MaterializeReport = {
      profile: created ? 'created' : 'existing',
      enabled: userEnv.enabled,
      configHash: null,
      repository: 'none',
      clone: null,
      setup: null,
      files: { written: 0, unchanged: 0 },
      durationsMs: durations,
    };
    if (!userEnv.enabled) return finish(report);

    if (userEnv.dotfilesRepoUrl) {
      const hash = configHash(userEnv);
      report.configHash = hash;
      const previous = await callNative(callSite, redact, () =>
        native().readSmallFile(homeDir, markerPath, markerMaxBytes, homeOptions),
      );
      if (previous?.trim() === hash) {
        report.repository = 'unchanged';
      } else {
        // Everything that can be refused without the network is refused before the clone.
        if (userEnv.setupCommand !== undefined && userEnv.setupCommand !== '') checkSetupPath(userEnv.setupCommand);
        const run = runner();
        if (userEnv.setupCommand && !run) {
          throw new HomeNativeError('ERR_NO_RUNNER', 'a setup command is configured but no runInJobContainer is: call configure({ runInJobContainer })');
        }
        report.clone = await timed('clone', () =>
          cloneRepository({
            url: userEnv.dotfilesRepoUrl as string,
            ...(userEnv.dotfilesRepoRef !== undefined && userEnv.dotfilesRepoRef !== '' && { ref: userEnv.dotfilesRepoRef }),
            homeDir,
            into: dotfilesDir,
            containerHome,
            ...(uid !== undefined && { uid }),
            ...(gid !== undefined && { gid }),
            ...(signal !== undefined && { signal }),
            ...(onProgress !== undefined && { onProgress: (clone) => onProgress({ phase: 'clone', clone }) }),
            redact,
          }, {
            // The old marker goes, durably, right before the new tree replaces the old one: from
            // then on ~/.dotfiles and the setup's output change, and a crash before the new
            // marker must not leave the old one vouching for them (a later run with the old
            // config would skip the clone and the setup). A clone that fails earlier keeps it.
            ...(previous !== null && previous !== '' && { invalidateMarker: markerPath }),
            callSite,
          }),
        );
        report.repository = 'cloned';
        const script = userEnv.setupCommand || (settings().detectSetupScript ? await detectSetupScript(homeDir) : undefined);
        if (script) {
          if (!run) {
            throw new HomeNativeError('ERR_NO_RUNNER', `the repository has a setup script (${script}) but no runInJobContainer is configured`);
          }
          report.setup = { command: script };
          await timed('setup', () => runSetup(run, { homeDir, containerHome, script, redact, signal }));
        }
        // Only now: a crash or failure anywhere above leaves no marker, so the next run retries.
        await callNative(callSite, redact, () => native().writeFileDurable(homeDir, markerPath, hash, homeOptions));
      }
    }

    report.files = await timed('overlay', () =>
      writeHomeFilesFrom(callSite, redact, homeDir, userEnv.files, {
        ...homeOptions,
        ...(signal !== undefined && { signal }),
      }),
    );
    return finish(report);
  } finally {
    lock.release();
  }

  function finish(report: MaterializeReport): MaterializeReport {
    durations.total = performance.now() - started;
    onProgress?.({ phase: 'done' });
    return report;
  }
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
