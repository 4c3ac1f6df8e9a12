// The loader's failures: a copy of the package with neither prebuilds/ nor build/ must fail with
// ERR_NATIVE_LOAD and say what to do, at the first call that needs the addon (not at import); so
// must a binary that cannot bind OpenSSL from the process. And the built binary itself: OpenSSL
// left to the process, bound when it loads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createRequire } from 'node:module';
import { versions } from '@spoon/home-native';
import { runNode } from './helpers/child.mjs';
import { tempDir } from './helpers/temp.mjs';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// The package as installed without any binary: shim, manifest, dependencies.
async function packageWithoutBinary(t) {
  const dir = tempDir(t, 'native-load-');
  const pkg = path.join(dir, 'node_modules', '@spoon', 'home-native');
  await mkdir(pkg, { recursive: true });
  await cp(path.join(root, 'dist'), path.join(pkg, 'dist'), { recursive: true });
  await cp(path.join(root, 'package.json'), path.join(pkg, 'package.json'));
  // Its dependencies (node-gyp-build, zod...) as npm would hoist them beside it.
  for (const dep of ['node-gyp-build', 'zod', 'convex']) {
    await symlink(path.join(root, 'node_modules', dep), path.join(dir, 'node_modules', dep));
  }
  return dir;
}

test('no prebuild and no build: ERR_NATIVE_LOAD, naming the platform and both ways out', async (t) => {
  const dir = await packageWithoutBinary(t);
  const probe = path.join(dir, 'probe.cjs');
  await writeFile(
    probe,
    `const m = require('@spoon/home-native');
     try { m.versions(); console.log(JSON.stringify({ loaded: true })); }
     catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message })); }`,
  );
  const { code, stdout, stderr } = await runNode([probe], { cwd: dir });
  assert.equal(code, 0, stderr);
  const result = JSON.parse(stdout);
  assert.equal(result.code, 'ERR_NATIVE_LOAD', stdout);
  assert.match(result.message, new RegExp(`no native binary for ${process.platform}-${process.arch}`));
  assert.match(result.message, /neither a prebuild in prebuilds\/ nor a build in build\//);
  assert.match(result.message, /npm rebuild @spoon\/home-native/);
  assert.match(result.message, /libgit2-dev >= 1\.7/);
});

test('the CLI reports the same failure with its code and a non-zero exit', async (t) => {
  const dir = await packageWithoutBinary(t);
  const cli = path.join(dir, 'node_modules', '@spoon', 'home-native', 'dist', 'cli', 'main.js');
  const version = await runNode([cli, '--version'], { cwd: dir });
  const failed = version.code === 0 ? null : version;
  assert.ok(failed, '--version without a binary must fail');
  assert.notEqual(failed.code, 0);
  assert.match(failed.stderr, /ERR_NATIVE_LOAD/);
  assert.match(failed.stderr, /npm rebuild @spoon\/home-native/);
});

// node-gyp-build's choice for this checkout: the binary every other suite loads.
const builtBinary = createRequire(import.meta.url)('node-gyp-build').path(root);

test('the built binary links no OpenSSL: it binds the process\'s, every symbol when it loads', { skip: process.platform !== 'linux' && 'readelf: Linux only' }, async () => {
  const { stdout: dynamic } = await run('readelf', ['-d', builtBinary]);
  const needed = [...dynamic.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
  assert.deepEqual(needed.filter((lib) => /libssl|libcrypto/.test(lib)), [], `NEEDED: ${needed.join(', ')}`);
  // BIND_NOW: a symbol the process lacks fails the load, never a later call (which would kill
  // the process).
  assert.match(dynamic, /\(FLAGS\)\s+BIND_NOW|\(FLAGS_1\)\s+Flags:.*\bNOW\b/);
  const { stdout: undefinedSymbols } = await run('nm', ['-D', '--undefined-only', builtBinary]);
  assert.match(undefinedSymbols, /\bU SSL_connect\b/);
  assert.match(undefinedSymbols, /\bU OpenSSL_version_num\b/);
});

test('versions() reports the OpenSSL of this process, which HTTPS clones use', () => {
  const v = versions();
  assert.ok(v.tls.startsWith(`OpenSSL ${process.versions.openssl} `), v.tls);
  assert.equal(v.openssl, v.tls);
});

test('the built binary links no zlib: libgit2 and the pack scanner inflate with the process\'s', { skip: process.platform !== 'linux' && 'readelf: Linux only' }, async () => {
  const { stdout: dynamic } = await run('readelf', ['-d', builtBinary]);
  const needed = [...dynamic.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
  // A build on the system's shared libgit2 (HOME_NATIVE_LIBGIT2=system) links libz through it.
  if (!needed.some((lib) => lib.startsWith('libgit2'))) {
    assert.deepEqual(needed.filter((lib) => /^libz\b/.test(lib)), [], `NEEDED: ${needed.join(', ')}`);
  }
  const { stdout: undefinedSymbols } = await run('nm', ['-D', '--undefined-only', builtBinary]);
  assert.match(undefinedSymbols, /\bU inflate\b/);
  assert.match(undefinedSymbols, /\bU inflateInit_\b/);
  // Node's zlib reports its version with a build suffix ("1.3.1-e00f703"); the library says "1.3.1".
  const v = versions();
  assert.ok(process.versions.zlib.startsWith(v.zlib), `versions().zlib ${v.zlib}, process.versions.zlib ${process.versions.zlib}`);
});

/**
 * What loading a binary that calls `symbol`, which no process defines, gives the package's
 * require(): { code, message } of the error it throws. The shape of the failure a Node that lacks
 * a library the binary binds from the process (OpenSSL 3, zlib), or one of its functions, gives.
 */
async function loadBinaryNeeding(t, symbol) {
  const dir = tempDir(t, 'native-load-missing-');
  const source = path.join(dir, 'missing.c');
  await writeFile(source, `extern int ${symbol}(void);\nint probe(void) { return ${symbol}(); }\n`);
  const binary = path.join(dir, 'missing.node');
  await run('cc', ['-shared', '-fPIC', '-Wl,-z,now', '-o', binary, source]);
  const { code, stdout, stderr } = await runNode(
    ['-e', `try { require('@spoon/home-native').versions(); console.log('{}'); } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`],
    { cwd: root, env: { ...process.env, HOME_NATIVE_ADDON_PATH: binary } },
  );
  assert.equal(code, 0, stderr);
  return JSON.parse(stdout);
}

test('a binary that needs a zlib function the process lacks: ERR_NATIVE_LOAD naming zlib', { skip: process.platform !== 'linux' && 'ELF only' }, async (t) => {
  const result = await loadBinaryNeeding(t, 'inflateHomeNativeAbsent');
  assert.equal(result.code, 'ERR_NATIVE_LOAD', JSON.stringify(result));
  assert.match(result.message, /cannot use this process's zlib: .*undefined symbol: inflateHomeNativeAbsent/);
  assert.match(result.message, /must be zlib 1\.2 or a later 1\.x/);
});

test('a binary that needs an OpenSSL function the process lacks: ERR_NATIVE_LOAD naming OpenSSL', { skip: process.platform !== 'linux' && 'ELF only' }, async (t) => {
  // A Node without OpenSSL 3 (BoringSSL's, or none).
  const result = await loadBinaryNeeding(t, 'SSL_home_native_absent');
  assert.equal(result.code, 'ERR_NATIVE_LOAD', JSON.stringify(result));
  assert.match(result.message, /cannot use this process's OpenSSL: .*undefined symbol: SSL_home_native_absent/);
  assert.match(result.message, /must be OpenSSL 3/);
});
