// npm run prebuildify: the addon for this platform with libgit2 and its libraries linked in
// statically, as prebuilds/<platform>-<arch>/@spoon+home-native.<libc>.node (prebuildify: one
// N-API binary for every Node version; node-gyp-build loads it on install, compiling nothing).
//
// 1. scripts/libgit2/build-static.sh builds (or reuses) the PIC static libgit2 under deps/, the
//    same one `npm run build` links, compiled against Node's OpenSSL headers.
// 2. prebuildify runs node-gyp in a copy of the sources under deps/, so that its `rebuild` does
//    not wipe the checkout's own build/ (the build the tests use).
// OpenSSL is not linked in: the binary binds it from the Node process that loads it.
//
// The npm script is not called "prebuild": npm would run that before every `npm run build`.
//
// HOME_NATIVE_LIBGIT2=system links the system's shared libgit2 instead: only to try the
// packaging where libgit2's sources cannot be fetched; such a binary is not portable, and the
// package test's dependency check fails on it, as it should.
//
// `--arch arm64` (or HOME_NATIVE_ARCH=arm64) cross-builds for another architecture than this
// Node's: on Linux, with Debian's cross toolchain (`g++-<triple>`, installed through apt when
// missing and run as root), the same build-static.sh into deps/build/linux-<arch>/ with CC, AR
// and a CMake target set for it, then node-gyp --arch with CC/CXX/LINK and strip of that
// toolchain. Other cross builds set CC, CXX, AR and HOME_NATIVE_CMAKE_ARGS themselves.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeDir } from './node-headers.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
function archArgument(argv) {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--arch') return argv[i + 1];
    if (argv[i].startsWith('--arch=')) return argv[i].slice('--arch='.length);
  }
  return undefined;
}
const arch = archArgument(process.argv.slice(2)) || process.env.HOME_NATIVE_ARCH || process.arch;
const platform = `${process.platform}-${arch}`;
// Node's architecture names -> GNU target triples and CMake's processor names, for Linux cross builds.
const linuxCross = {
  arm64: { triple: 'aarch64-linux-gnu', processor: 'aarch64' },
  x64: { triple: 'x86_64-linux-gnu', processor: 'x86_64' },
};

function run(cmd, argv, options = {}) {
  const result = spawnSync(cmd, argv, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', ...options });
  if (result.status !== 0) {
    if (result.stdout) process.stderr.write(result.stdout);
    console.error(`prebuild: ${cmd} ${argv.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`})`);
    process.exit(1);
  }
  return result.stdout ?? '';
}

const env = { ...process.env, JOBS: process.env.JOBS ?? '2', HOME_NATIVE_ARCH: arch };
delete env.HOME_NATIVE_LIBGIT2_PREFIX;
const cross = arch !== process.arch;
if (cross && process.platform === 'linux' && !process.env.CC) {
  const target = linuxCross[arch];
  if (!target) {
    console.error(`prebuild: no cross toolchain known for linux-${arch}; set CC, CXX, AR and HOME_NATIVE_CMAKE_ARGS`);
    process.exit(1);
  }
  const tool = (name) => `${target.triple}-${name}`;
  const have = spawnSync('sh', ['-c', `command -v ${tool('g++')} && command -v ${tool('gcc')}`], { stdio: 'ignore' }).status === 0;
  if (!have) {
    const pkg = `g++-${target.triple}`;
    if (process.getuid?.() !== 0) {
      console.error(`prebuild: the ${target.triple} cross compiler is missing; as root: apt-get install -y ${pkg}`);
      process.exit(1);
    }
    console.error(`prebuild: installing ${pkg}`);
    const aptEnv = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    let install = spawnSync('apt-get', ['install', '-y', '-qq', pkg], { stdio: ['ignore', 'ignore', 'inherit'], env: aptEnv });
    if (install.status !== 0) {
      spawnSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env: aptEnv });
      install = spawnSync('apt-get', ['install', '-y', '-qq', pkg], { stdio: ['ignore', 'ignore', 'inherit'], env: aptEnv });
    }
    if (install.status !== 0) {
      console.error(`prebuild: apt-get install ${pkg} failed`);
      process.exit(1);
    }
  }
  Object.assign(env, {
    CC: tool('gcc'),
    CXX: tool('g++'),
    LINK: tool('g++'),
    AR: tool('ar'),
    PREBUILD_STRIP_BIN: tool('strip'),
    HOME_NATIVE_CMAKE_ARGS: `-DCMAKE_SYSTEM_NAME=Linux -DCMAKE_SYSTEM_PROCESSOR=${target.processor}`,
  });
}
const prefix = run('bash', [path.join(root, 'scripts', 'libgit2', 'prefix.sh')], { env }).trim();
if (prefix) env.HOME_NATIVE_LIBGIT2_PREFIX = prefix;
// node-gyp downloads Node's headers unless told where they are (it reads npm_config_nodedir).
const nodedir = nodeDir();
if (nodedir) env.npm_config_nodedir = nodedir;

// What a source build needs, and nothing of the checkout's build state.
const work = path.join(root, 'deps', 'build', platform, 'addon');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
for (const entry of ['binding.gyp', 'package.json', 'src', 'scripts']) {
  cpSync(path.join(root, entry), path.join(work, entry), { recursive: true });
}
symlinkSync(path.join(root, 'node_modules'), path.join(work, 'node_modules'));

const bin = path.join(root, 'node_modules', '.bin');
// The libc tag tells glibc and musl builds apart on Linux; elsewhere it would only mislabel.
const tags = process.platform === 'linux' ? ['--tag-libc'] : [];
const archArgs = cross ? ['--arch', arch] : [];
run(process.execPath, [path.join(root, 'node_modules', 'prebuildify', 'bin.js'), '--napi', '--strip', ...tags, ...archArgs], {
  cwd: work,
  env: { ...env, PREBUILD_NODE_GYP: path.join(bin, 'node-gyp') },
  stdio: ['ignore', 'inherit', 'inherit'],
});

const from = path.join(work, 'prebuilds', platform);
const to = path.join(root, 'prebuilds', platform);
mkdirSync(to, { recursive: true });
for (const file of readdirSync(from)) cpSync(path.join(from, file), path.join(to, file));
if (!existsSync(to) || readdirSync(to).length === 0) {
  console.error(`prebuild: prebuildify produced nothing in ${from}`);
  process.exit(1);
}
console.log(`prebuild: ${readdirSync(to).map((f) => path.join('prebuilds', platform, f)).join(', ')}`);
