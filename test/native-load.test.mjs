// The loader's failure: a copy of the package with neither prebuilds/ nor build/ must fail with
// ERR_NATIVE_LOAD and say what to do, at the first call that needs the addon (not at import).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tempDir } from './helpers/temp.mjs';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// The package as installed without any binary: shim, manifest, dependencies.
async function packageWithoutBinary(t) {
  const dir = await tempDir(t, 'native-load-');
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
  const { stdout } = await run(process.execPath, [probe], { cwd: dir });
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
  const failed = await run(process.execPath, [cli, '--version'], { cwd: dir }).then(
    () => null,
    (e) => e,
  );
  assert.ok(failed, '--version without a binary must fail');
  assert.notEqual(failed.code, 0);
  assert.match(failed.stderr, /ERR_NATIVE_LOAD/);
  assert.match(failed.stderr, /npm rebuild @spoon\/home-native/);
});
