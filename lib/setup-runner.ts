// The setup step: which script runs, the command the job image receives (the seed's shape), and
// the built-in localRunner for development, the demo and tests.
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { RunInJobContainer, RunInJobContainerOptions } from '../index';
import { HomeNativeError } from './errors';
import { native } from './native';

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
 * Runs the setup command with bash on this host instead of in the job image: cwd and HOME are the
 * home itself (the container's HOME maps to it). Never used unless configured.
 */
export const localRunner: RunInJobContainer = (options: RunInJobContainerOptions) =>
  new Promise<void>((resolve, reject) => {
    const [program, ...argv] = options.command;
    if (!program) {
      reject(new HomeNativeError('ERR_INVALID_ARG_TYPE', 'localRunner: empty command'));
      return;
    }
    const environment = { ...options.environment, HOME: options.workdir };
    const child = spawn(program, argv, {
      cwd: options.workdir,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...environment },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.timeoutMs !== undefined && { timeout: options.timeoutMs }),
      ...(options.signal !== undefined && { signal: options.signal }),
    });
    let tail = '';
    const keep = (chunk: Buffer) => {
      tail = (tail + chunk.toString('utf8')).slice(-outputTailBytes);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error) => reject(error));
    child.on('close', (code, signal) => {
      if (code === 0) {
        resolve();
        return;
      }
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      reject(new Error(options.redact(`setup ${how}${tail ? `:\n${tail.trimEnd()}` : ''}`)));
    });
  });
