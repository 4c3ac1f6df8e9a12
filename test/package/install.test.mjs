// The package as users get it: the prebuild's dynamic dependencies, the tarball's contents, and
// installs of the tarball into empty projects (with and without install scripts) that write
// overlay files into a hostile home, clone and materialize through the prebuild, far from the
// checkout's build/ (HTTPS included: probe.mjs; its report's checks: report.mjs).
// Needs `npm run prebuildify` first (scripts/test-package.sh runs it).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { checkReport } from './report.mjs';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const platform = `${process.platform}-${process.arch}`;
const prebuildDir = path.join(root, 'prebuilds', platform);

// What every Linux with Node already has: the C and C++ runtimes and the dynamic loader (glibc's
// or musl's). On macOS: the system library, libc++ and the frameworks libgit2 may use.
const allowedNeeded =
  /^(libc\.so\.6|libm\.so\.6|libpthread\.so\.0|libdl\.so\.2|libstdc\+\+\.so\.6|libgcc_s\.so\.1|ld-linux[-\w.]*\.so\.\d|libc\.musl-\w+\.so\.1|ld-musl-\w+\.so\.1|\/usr\/lib\/(libSystem\.B|libc\+\+\.1)\.dylib|\/System\/Library\/Frameworks\/(CoreFoundation|Security)\.framework\/.+)$/;
// What must not be a dependency, named so a failure says which one leaked: libgit2 and its
// libraries are linked in; OpenSSL is bound from the Node process (the node binary exports it,
// or a distribution's node links libssl3), so a NEEDED libssl would load a second one.
const linkedIn = /libgit2|mbed|libssh2|http_parser|llhttp|libz\.|pcre2|gssapi|krb5/;
const fromTheProcess = /libssl|libcrypto/;

// The shared libraries a binary names: readelf's NEEDED entries, or otool's load commands.
async function neededLibraries(file) {
  if (process.platform === 'darwin') {
    const { stdout } = await run('otool', ['-L', file]);
    return stdout.split('\n').slice(1).map((line) => line.trim().split(' (')[0]).filter(Boolean);
  }
  const { stdout } = await run('readelf', ['-d', file]);
  return [...stdout.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
}

// A user's environment: none of the npm_* variables of the `npm run` that started this test.
const userEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('npm_')));

let prebuild;
let tarball;
let scratch;

before(async () => {
  const files = existsSync(prebuildDir) ? readdirSync(prebuildDir).filter((f) => f.endsWith('.node')) : [];
  assert.equal(files.length, 1, `expected one prebuild in ${prebuildDir} (run \`npm run prebuildify\`), found: ${files}`);
  prebuild = path.join(prebuildDir, files[0]);
  scratch = await mkdtemp(path.join(os.tmpdir(), 'package-test-'));
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: root, env: userEnv });
  tarball = path.join(scratch, JSON.parse(stdout)[0].filename);
});

test.after(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

test('the prebuild is N-API, libc-tagged, and needs only the C and C++ runtimes', async () => {
  if (process.platform === 'linux') assert.match(path.basename(prebuild), /^@spoon\+home-native\.(glibc|musl)\.node$/);
  const needed = await neededLibraries(prebuild);
  assert.ok(needed.length > 0, `no dynamic dependencies found in ${prebuild}: is it a shared object?`);
  const leaked = needed.filter((lib) => linkedIn.test(lib));
  assert.deepEqual(leaked, [], `linked dynamically, must be static: ${leaked.join(', ')}`);
  const openssl = needed.filter((lib) => fromTheProcess.test(lib));
  assert.deepEqual(openssl, [], `OpenSSL must come from the Node process, not: ${openssl.join(', ')}`);
  const others = needed.filter((lib) => !allowedNeeded.test(lib));
  assert.deepEqual(others, [], `unexpected dynamic dependencies: ${others.join(', ')}`);
});

test('the prebuild leaves OpenSSL and zlib undefined, to be bound from the process when it loads', { skip: process.platform !== 'linux' && 'ELF only' }, async () => {
  const { stdout: undefinedSymbols } = await run('nm', ['-D', '--undefined-only', prebuild]);
  assert.match(undefinedSymbols, /\bU inflate\b/);
  assert.match(undefinedSymbols, /\bU zlibVersion\b/);
  const ssl = undefinedSymbols.split('\n').filter((line) => /\bU SSL_/.test(line));
  assert.ok(ssl.length >= 10, `expected libgit2's and the TLS stream's SSL_* references, found ${ssl.length}`);
  assert.match(undefinedSymbols, /\bU OpenSSL_version_num\b/);
  // No mbedTLS inside either (the binary is stripped, but libgit2's mbedTLS stream would bring
  // its messages, and libgit2 built with OpenSSL brings OpenSSL's).
  const text = readFileSync(prebuild).toString('latin1');
  assert.doesNotMatch(text, /failed to initialize mbedTLS/);
  assert.match(text, /could not initialize openssl/);
  // Bound at load, all at once: a missing symbol is a load error (ERR_NATIVE_LOAD), not a crash
  // at the first HTTPS clone.
  const { stdout: dynamic } = await run('readelf', ['-d', prebuild]);
  assert.match(dynamic, /\(FLAGS\)\s+BIND_NOW|\(FLAGS_1\)\s+Flags:.*\bNOW\b/);
});

test('npm pack ships the shim, types, prebuilds and what a source build needs; nothing else', async () => {
  const { stdout } = await run('tar', ['-tzf', tarball]);
  const files = stdout.trim().split('\n').map((f) => f.replace(/^package\//, ''));
  for (const required of [
    'package.json',
    'README.md',
    'LICENSE',
    'index.d.ts',
    'binding.gyp',
    'dist/index.js',
    'dist/index.mjs',
    'dist/cli/main.js',
    'src/sources.txt',
    'src/core/git/clone.cc',
    'src/addon/module.cc',
    'scripts/sources.js',
    'scripts/libgit2-flags.js',
    path.relative(root, prebuild),
  ]) {
    assert.ok(files.includes(required), `missing from the tarball: ${required}`);
  }
  const allowed = /^(package\.json|README\.md|LICENSE|index\.d\.ts|binding\.gyp|dist\/.+\.m?js|src\/sources\.txt|src\/core\/README\.md|src\/(core\/(base|fs|git|home)|addon)\/[\w.]+\.(cc|h)|scripts\/(sources|libgit2-flags)\.js|prebuilds\/[\w-]+\/@spoon\+home-native(\.\w+)*\.node)$/;
  const unexpected = files.filter((f) => !allowed.test(f));
  assert.deepEqual(unexpected, [], `unexpected files in the tarball: ${unexpected.join(', ')}`);
});

async function installAndProbe(t, installArgs) {
  const project = await mkdtemp(path.join(scratch, 'project-'));
  await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'probe', version: '1.0.0', private: true }));
  await run('npm', ['install', tarball, '--no-audit', '--no-fund', '--loglevel=error', ...installArgs], {
    cwd: project,
    env: userEnv,
    timeout: 180_000,
  });
  const { stdout } = await run(process.execPath, [path.join(here, 'probe.mjs'), await mkdtemp(path.join(scratch, 'probe-'))], {
    cwd: project,
    env: userEnv,
    timeout: 120_000,
  });
  // The libgit2 built from deps/src/ (its directory carries the version), not a system one.
  const source = readdirSync(path.join(root, 'deps', 'src')).find((d) => /^libgit2-\d+\.\d+\.\d+/.test(d));
  assert.ok(source, 'no libgit2 source in deps/src/: was the prebuild made by `npm run prebuildify`?');
  checkReport(JSON.parse(stdout), {
    packageDir: path.join(project, 'node_modules', '@spoon', 'home-native'),
    prebuild: path.relative(root, prebuild),
    libgit2: source.match(/^libgit2-(\d+\.\d+\.\d+)/)[1],
  });
}

test('installed with --ignore-scripts: clones and materializes through the prebuild', (t) =>
  installAndProbe(t, ['--ignore-scripts']));

test('installed with its install script (node-gyp-build): compiles nothing, same results', (t) => installAndProbe(t, []));
