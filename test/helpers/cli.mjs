// Runs the spoon-home CLI as a child process, plain (pipes) or on a pseudo-terminal.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const cliPath = path.join(root, 'dist', 'cli', 'main.js');

/** Environment for a child: the parent's, minus the backend settings unless given. */
function childEnv(env) {
  const base = { ...process.env };
  delete base.CONVEX_URL;
  delete base.WORKER_TOKEN;
  return { ...base, ...env };
}

/** Resolves { code, stdout, stderr }; never rejects on a non-zero exit. */
export function runCli(args, { env = {}, input, cwd = root, timeout = 60_000 } = {}) {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [cliPath, ...args],
      { cwd, env: childEnv(env), encoding: 'utf8', timeout, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}

const shellQuote = (value) => `'${String(value).replaceAll("'", "'\\''")}'`;

/**
 * Runs the CLI on a pseudo-terminal through util-linux `script` (`-q` quiet, `-f` flush, `-e`
 * the child's exit code, `-c` the command; the typescript goes to /dev/null). stdout and stderr
 * share the terminal, so both come back in `output`, with the terminal's `\r\n` line ends.
 */
export function runCliOnTty(args, { env = {}, cwd = root, timeout = 60_000 } = {}) {
  const command = [process.execPath, cliPath, ...args].map(shellQuote).join(' ');
  return new Promise((resolve) => {
    execFile(
      'script',
      ['-qfec', command, '/dev/null'],
      { cwd, env: { ...childEnv(env), COLUMNS: '120', TERM: 'xterm' }, encoding: 'utf8', timeout },
      (error, stdout) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, output: stdout }),
    );
  });
}
