// Runs a Node child to its end and hands back its exit code and everything it printed.
import { spawn } from 'node:child_process';
import { once } from 'node:events';

export async function runNode(args, { cwd, env = process.env } = {}) {
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const [code] = await once(child, 'exit');
  return { code, out };
}
