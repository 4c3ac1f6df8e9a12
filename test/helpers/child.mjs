// Runs a Node child program to its end and hands back its exit code and everything it printed.
// A child still running after `timeoutMs` is killed (SIGKILL): the run then reports
// `timedOut: true` and `code: null`, so the test fails instead of hanging.
import { spawn } from 'node:child_process';
import { once } from 'node:events';

/**
 * `args`: node's arguments (flags, the script, its arguments). `input`: written to the child's
 * stdin (otherwise stdin is closed). Never rejects on a failing child: resolves
 * { code, signal, timedOut, stdout, stderr, out } (`out`: both streams, interleaved).
 */
export async function runNode(args, { cwd, env = process.env, input, timeoutMs = 300_000 } = {}) {
  const child = spawn(process.execPath, args, { cwd, env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  let out = '';
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d) => ((stdout += d), (out += d)));
  child.stderr.setEncoding('utf8').on('data', (d) => ((stderr += d), (out += d)));
  if (input !== undefined) child.stdin.end(input);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  const [code, signal] = await once(child, 'close');
  clearTimeout(timer);
  return { code, signal, timedOut, stdout, stderr, out };
}
