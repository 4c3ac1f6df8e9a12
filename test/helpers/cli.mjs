// Runs the spoon-home CLI as a child process, plain (pipes) or on a pseudo-terminal.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runNode } from './child.mjs';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const cliPath = path.join(root, 'dist', 'cli', 'main.js');

/** Environment for a child: the parent's, minus the backend settings unless given. */
function childEnv(env) {
  const base = { ...process.env };
  delete base.CONVEX_URL;
  delete base.WORKER_TOKEN;
  return { ...base, ...env };
}

/** Resolves { code, stdout, stderr }, code -1 if killed at `timeout`; never rejects on a non-zero exit. */
export async function runCli(args, { env = {}, input, cwd = root, timeout = 60_000 } = {}) {
  const { code, stdout, stderr } = await runNode([cliPath, ...args], { cwd, env: childEnv(env), input: input ?? '', timeoutMs: timeout });
  return { code: code ?? -1, stdout, stderr };
}

const shellQuote = (value) => `'${String(value).replaceAll("'", "'\\''")}'`;

/**
 * Not runNode: the CLI runs under util-linux `script`, not as a Node child of ours.
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
