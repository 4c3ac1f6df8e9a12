// Builds the addon (node-gyp) and the shim (tsc). Incremental: node-gyp's make and tsc's build
// info skip what is up to date. `--addon` / `--ts` build one half; `--quiet` prints only failures.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { localNodeDir } from './node-headers.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const quiet = args.has('--quiet');
const only = args.has('--addon') ? 'addon' : args.has('--ts') ? 'ts' : 'all';
const debug = args.has('--debug');

function run(cmd, argv, env = {}) {
  const result = spawnSync(cmd, argv, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: quiet ? 'pipe' : 'inherit',
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    if (quiet) process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`);
    console.error(`build: ${cmd} ${argv.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`})`);
    process.exit(1);
  }
}

function buildAddon() {
  const nodeGyp = path.join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  // node-gyp downloads Node's headers unless told where they are.
  const nodedir = process.env.npm_config_nodedir || localNodeDir();
  const common = [...(nodedir ? [`--nodedir=${nodedir}`] : []), ...(debug ? ['--debug'] : []), '--loglevel=error'];
  const makefile = path.join(root, 'build', 'Makefile');
  // binding.gyp reads its core source list from src/core/sources.txt at configure time: a new
  // source file needs a new Makefile too.
  const inputs = ['binding.gyp', 'src/core/sources.txt'].map((file) => statSync(path.join(root, file)).mtimeMs);
  const stale = !existsSync(makefile) || statSync(makefile).mtimeMs < Math.max(...inputs);
  if (stale) run(process.execPath, [nodeGyp, 'configure', ...common]);
  run(process.execPath, [nodeGyp, 'build', '-j', 'max', ...common]);
}

function buildShim() {
  run(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']);
  // tsc writes 0644; the CLI must run as `dist/cli/main.js` from a checkout too, not only
  // through the executable shim npm makes for `bin` on install.
  const cli = path.join(root, 'dist', 'cli', 'main.js');
  if (existsSync(cli)) chmodSync(cli, 0o755);
}

if (only !== 'ts') buildAddon();
if (only !== 'addon') buildShim();
