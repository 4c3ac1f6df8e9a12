// The setup step: which script runs, the command the job image receives (the seed's shape), and
// the built-in localRunner for development, the demo and tests.
import { spawn } from 'node:child_process';
import { lstat, mkdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { RunInJobContainer, RunInJobContainerOptions } from '../index';
import { abortedError } from './cancel';
import { HomeNativeError } from './errors';
import { native } from './native';
import { settings } from './settings';
import { nobodyId, sandboxAvailable, sandboxCommand } from './setup-sandbox';

/** POSIX single-quoting, as the seed does it. */
export const shellQuote = (value: string): string => `'${value.replaceAll("'", "'\\''")}'`;

/** Where the checkout lives below the home, as the seed's script has it (`~/.dotfiles`). */
export const dotfilesDir = '.dotfiles';

/**
 * Candidate setup scripts, in the order that Codespaces, Gitpod, the devcontainer CLI and Coder
 * share. Only consulted when `detectSetupScript` is on and the environment names no script.
 */
export const setupScriptCandidates = [
  'install.sh',
  'install',
  'bootstrap.sh',
  'bootstrap',
  'script/bootstrap',
  'setup.sh',
  'setup',
  'script/setup',
] as const;

/** Refuses a setup path that would leave the repository: absolute, `..` above it, or NUL. */
export function checkSetupPath(setupCommand: string): void {
  const normalized = path.posix.normalize(setupCommand);
  if (
    setupCommand.length === 0 ||
    setupCommand.includes('\0') ||
    path.posix.isAbsolute(setupCommand) ||
    normalized === '..' ||
    normalized.startsWith('../')
  ) {
    throw new HomeNativeError('ERR_INVALID_PATH', `setup script must be a path inside the repository: ${JSON.stringify(setupCommand)}`, {
      path: setupCommand,
    });
  }
}

/** The command the job image runs: `cd ~/.dotfiles && bash <script>`, login shell as in the seed. */
export function setupCommandLine(setupScript: string): string[] {
  return ['bash', '-lc', `cd ~/${dotfilesDir} && bash ${shellQuote(setupScript)}`];
}

/**
 * The first candidate that is a regular file inside the fresh checkout. The addon looks at each
 * from a descriptor of the home without following any link (src/core/fs/home_reader.h): a
 * symlinked script, a script below a symlinked directory, and a symlinked `~/.dotfiles` itself
 * (any of which could lead out of the repository) never count as a script.
 */
export async function detectSetupScript(homeDir: string): Promise<string | undefined> {
  for (const candidate of setupScriptCandidates) {
    // A failure to look (the home unreadable) counts as no script, as a missing one does.
    const entry = await native()
      .inspectHomePath(homeDir, `${dotfilesDir}/${candidate}`, {})
      .catch(() => null);
    if (entry?.kind === 'file') return candidate;
  }
  return undefined;
}

/** How much of a failed setup's output an error carries: enough to see why, never the whole log. */
const outputTailBytes = 4096;

/**
 * Who the script runs as: the configured uid/gid (configure({ uid, gid }), the owner the home's
 * files get), else the home's owner, since the job container runs as the user who owns the home;
 * root never, as root in the sandbox could remount it writable, so 0 becomes nobody (65534). The
 * runner never chowns the home to fit: a root-owned home is read-only to the script.
 */
async function setupUser(homeDir: string): Promise<{ uid: number; gid: number; rootsHome: boolean }> {
  const { uid, gid } = settings();
  const owner = uid === undefined || gid === undefined ? await stat(homeDir) : undefined;
  const notRoot = (id: number) => (id === 0 ? nobodyId : id);
  return {
    uid: notRoot(uid ?? owner?.uid ?? nobodyId),
    gid: notRoot(gid ?? owner?.gid ?? nobodyId),
    rootsHome: uid === undefined && owner?.uid === 0,
  };
}

/** containerHome as the sandbox mounts it: absolute, normalized, below `/`. */
function checkContainerHome(containerHome: string | undefined): asserts containerHome is string {
  const fits =
    typeof containerHome === 'string' &&
    path.posix.isAbsolute(containerHome) &&
    path.posix.normalize(containerHome) === containerHome &&
    containerHome !== '/' &&
    !containerHome.includes('\0');
  if (!fits) {
    const shown = JSON.stringify(containerHome);
    throw new HomeNativeError('ERR_INVALID_PATH', `localRunner: containerHome must be a normalized absolute path below /: ${shown}`, {
      ...(typeof containerHome === 'string' && { path: containerHome }),
    });
  }
}

interface Spawned {
  argv: string[];
  environment: Record<string, string>;
  /** Added to a failure's message: why the script may have been unable to write its home. */
  hint?: string;
  /** The sandbox's is a pipe this process holds open and never writes: its end tells the sandbox we died. */
  stdin: 'pipe' | 'ignore';
}

/**
 * The sandbox's new root: one empty directory that every run mounts on inside its own namespace
 * (so runs at once never meet), made once and kept, so that a worker killed mid-setup leaves
 * nothing behind. Root's and private, or refused: mount follows links, and nobody else may swap it.
 */
async function sandboxRoot(): Promise<string> {
  const root = path.join(os.tmpdir(), 'spoon-setup-root');
  await mkdir(root, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  const stats = await lstat(root);
  if (!stats.isDirectory() || stats.uid !== 0 || (stats.mode & 0o077) !== 0) {
    throw new HomeNativeError('ERR_INVALID_PATH', `localRunner: ${root} must be a directory of root's with mode 0700`, { path: root });
  }
  return root;
}

/**
 * The sandboxed command (setup-sandbox.ts), or, where the sandbox is unavailable, the command
 * itself with HOME at the home's host path, as before (a warning says so once).
 */
async function prepare(options: RunInJobContainerOptions): Promise<Spawned> {
  if (!(await sandboxAvailable())) {
    return { argv: [...options.command], environment: { ...options.environment, HOME: options.workdir }, stdin: 'ignore' };
  }
  const containerHome = options.containerHome ?? options.environment.HOME;
  checkContainerHome(containerHome);
  const { uid, gid, rootsHome } = await setupUser(options.workdir);
  return {
    argv: sandboxCommand(await sandboxRoot(), path.resolve(options.workdir), containerHome, uid, gid, options.command),
    environment: { ...options.environment, HOME: containerHome },
    stdin: 'pipe',
    ...(rootsHome && {
      hint: `(the home is root's, so setup ran as nobody (${nobodyId}), to whom it is read-only: give the home to its user, or configure({ uid, gid }))`,
    }),
  };
}

/**
 * Runs the setup command on this host as the job container would: in a private mount namespace
 * where the host is read-only, the home is at containerHome (HOME and cwd), and the script runs
 * as the home's user (setupUser). Where that namespace is unavailable (not root, util-linux
 * missing, a container that forbids it) it runs the command directly in the home's host path,
 * as the worker's user, and warns once. The timeout and the signal kill the whole process group
 * (and with it the namespace). Never used unless configured.
 */
export const localRunner: RunInJobContainer = async (options: RunInJobContainerOptions) => {
  if (!options.command[0]) throw new HomeNativeError('ERR_INVALID_ARG_TYPE', 'localRunner: empty command');
  if (options.signal?.aborted) throw abortedError('setup');
  await run(await prepare(options), options);
};

function run(spawned: Spawned, options: RunInJobContainerOptions): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const [program, ...argv] = spawned.argv as [string, ...string[]];
    const child = spawn(program, argv, {
      cwd: options.workdir,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...spawned.environment },
      stdio: [spawned.stdin, 'pipe', 'pipe'],
      // Its own process group, so that a kill reaches the script's children too.
      detached: true,
    });
    let stopped: string | undefined;
    let closed = false;
    const stop = (why: string) => {
      // Not "has the child exited": its children may still hold the group (and the output pipes).
      if (stopped !== undefined || closed || child.pid === undefined) return;
      stopped = why;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The group is gone already.
      }
    };
    const timer =
      options.timeoutMs !== undefined ? setTimeout(() => stop(`timed out after ${options.timeoutMs} ms`), options.timeoutMs) : undefined;
    const onAbort = () => stop('aborted');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    // Never written: a write error (the sandbox gone) means nothing here.
    child.stdin?.on('error', () => {});
    let tail = '';
    const keep = (chunk: Buffer) => {
      tail = (tail + chunk.toString('utf8')).slice(-outputTailBytes);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const settle = () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    child.on('error', (error) => {
      settle();
      reject(error);
    });
    child.on('close', (code, signal) => {
      closed = true;
      settle();
      if (stopped === 'aborted') {
        reject(abortedError('setup'));
        return;
      }
      if (code === 0 && stopped === undefined) {
        resolve();
        return;
      }
      const how = stopped ?? (signal ? `was killed by ${signal}` : `exited with code ${code}`);
      const hint = spawned.hint && stopped === undefined ? ` ${spawned.hint}` : '';
      reject(new Error(options.redact(`setup ${how}${hint}${tail ? `:\n${tail.trimEnd()}` : ''}`)));
    });
  });
}
