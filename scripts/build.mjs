// Builds the addon (node-gyp) and the shim (tsc). Incremental: node-gyp's make and tsc's build
// info skip what is up to date. `--addon` / `--ts` build one half; `--quiet` prints only failures
// (and the static libgit2's steps, when it has to be built: a minute, once).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeDir } from './node-headers.mjs';

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

// The libgit2 to link (scripts/libgit2/prefix.sh decides): the static one from Debian's sources,
// kept in deps/ between builds, or with HOME_NATIVE_LIBGIT2=system the system's, through
// pkg-config (scripts/libgit2-flags.js reads HOME_NATIVE_LIBGIT2_PREFIX).
function libgit2() {
  const result = spawnSync('bash', [path.join(root, 'scripts', 'libgit2', 'prefix.sh')], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    console.error(
      'build: the static libgit2 could not be built (above). Where Debian\'s sources cannot be fetched, ' +
        "HOME_NATIVE_LIBGIT2=system links the system's libgit2 (>= 1.7, with its development files) instead.",
    );
    process.exit(1);
  }
  const prefix = result.stdout.trim();
  if (!prefix) return { env: {}, id: 'system' };
  // The stamp changes whenever build-static.sh rebuilt the archives; the flags script says what of
  // them the addon links.
  const flags = readFileSync(path.join(root, 'scripts', 'libgit2-flags.js'), 'utf8');
  const stamp = readFileSync(path.join(prefix, '.stamp'), 'utf8');
  return { env: { HOME_NATIVE_LIBGIT2_PREFIX: prefix }, id: `${prefix}\n${stamp}\n${createHash('sha256').update(flags).digest('hex')}` };
}

function buildAddon() {
  const nodeGyp = path.join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  // node-gyp downloads Node's headers unless told where they are.
  const nodedir = nodeDir();
  const common = [...(nodedir ? [`--nodedir=${nodedir}`] : []), ...(debug ? ['--debug'] : []), '--loglevel=error'];
  const lib = libgit2();
  const makefile = path.join(root, 'build', 'Makefile');
  const linked = path.join(root, 'build', 'libgit2.id');
  // binding.gyp reads its source list from src/sources.txt and libgit2's flags at configure
  // time: a new source file or another libgit2 needs a new Makefile too.
  const inputs = ['binding.gyp', 'src/sources.txt'].map((file) => statSync(path.join(root, file)).mtimeMs);
  const relink = !existsSync(linked) || readFileSync(linked, 'utf8') !== lib.id;
  const stale = relink || !existsSync(makefile) || statSync(makefile).mtimeMs < Math.max(...inputs);
  if (stale) run(process.execPath, [nodeGyp, 'configure', ...common], lib.env);
  // make does not know the archives as inputs of the link: new ones must be linked in.
  if (relink) rmSync(path.join(root, 'build', debug ? 'Debug' : 'Release', 'home_native.node'), { force: true });
  run(process.execPath, [nodeGyp, 'build', '-j', 'max', ...common], lib.env);
  writeFileSync(linked, lib.id);
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
