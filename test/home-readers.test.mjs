// The no-follow readers (the addon's inspectHomePath, readHomeFile, listHomeDirectory) and the
// shim's readers built on them: the CLI's readInside / kindInside, the link scan, and the setup
// script's detection. A link is reported, never followed, even one swapped in while we read; a
// file over the cap is never read; a fifo never blocks the JS thread's promise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, symlink, truncate, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { native } from '../dist/native.js';
import { kindInside, readInside } from '../dist/cli/read-inside.js';
import { scanLinks } from '../dist/cli/link-scan.js';
import { detectSetupScript } from '../dist/setup-runner.js';
import { tempDir } from './helpers/temp.mjs';

async function scratch(t) {
  const dir = await tempDir(t, 'home-readers-');
  const home = path.join(dir, 'home');
  const outside = path.join(dir, 'outside');
  await mkdir(home);
  await mkdir(outside);
  await writeFile(path.join(outside, 'f'), 'outside\n');
  await writeFile(path.join(outside, 'env-hash'), 'outside\n');
  return { dir, home, outside };
}

const mkfifo = (file) => execFileSync('mkfifo', [file]);

/** Rejects when `promise` takes longer than `ms`: a blocked open would hang the call. */
const within = (promise, ms, what) =>
  Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms).unref())]);

for (const mode of ['openat2', 'manual walk']) {
  const options = mode === 'manual walk' ? { forceManualWalk: true } : {};

  test(`inspectHomePath says what is there and follows no link (${mode})`, async (t) => {
    const { home, outside } = await scratch(t);
    await mkdir(path.join(home, 'd'));
    await writeFile(path.join(home, 'd', 'f'), 'twelve bytes');
    await symlink(outside, path.join(home, 'out'));
    await symlink('d', path.join(home, 'in'));
    await writeFile(path.join(home, 'file'), '');
    mkfifo(path.join(home, 'fifo'));
    const inspect = (rel) => native().inspectHomePath(home, rel, options);
    assert.deepEqual(await inspect('d/f'), { kind: 'file', size: 12 });
    assert.deepEqual(await inspect('d'), { kind: 'directory' });
    assert.deepEqual(await inspect('out'), { kind: 'symlink', target: outside });
    assert.deepEqual(await inspect('fifo'), { kind: 'other' });
    assert.deepEqual(await inspect('missing'), { kind: 'missing' });
    assert.deepEqual(await inspect('missing/below'), { kind: 'missing' });
    assert.deepEqual(await inspect('out/f'), { kind: 'blocked', blockedAt: 'out', blockedBy: 'symlink' });
    assert.deepEqual(await inspect('in/f'), { kind: 'blocked', blockedAt: 'in', blockedBy: 'symlink' });
    assert.deepEqual(await inspect('file/x'), { kind: 'blocked', blockedAt: 'file', blockedBy: 'not-directory' });
    await assert.rejects(inspect('../outside/f'), { code: 'ERR_INVALID_PATH' });
  });

  test(`readHomeFile never reads past the cap nor opens a fifo (${mode})`, async (t) => {
    const { home } = await scratch(t);
    // 1 GiB, sparse: reading it would take seconds and a gigabyte; refusing it takes one fstat.
    await writeFile(path.join(home, 'huge'), '');
    await truncate(path.join(home, 'huge'), 1024 ** 3);
    const huge = await within(native().readHomeFile(home, 'huge', 4096, options), 2000, 'a huge file');
    assert.deepEqual(huge, { kind: 'file', size: 1024 ** 3 });
    mkfifo(path.join(home, 'fifo'));
    assert.deepEqual(await within(native().readHomeFile(home, 'fifo', 4096, options), 2000, 'a fifo'), { kind: 'other' });
    await writeFile(path.join(home, 'small'), 'hello');
    assert.deepEqual(await native().readHomeFile(home, 'small', 5, options), { kind: 'file', size: 5, text: 'hello' });
    // Arguments are checked on the JS thread, before any job starts (as every entry point does).
    assert.throws(() => native().readHomeFile(home, 'small', -1, options), { code: 'ERR_INVALID_ARG_TYPE' });
    assert.throws(() => native().listHomeDirectory(home, '', 1.5, options), { code: 'ERR_INVALID_ARG_TYPE' });
  });

  test(`listHomeDirectory lists from the directory's own descriptor, capped (${mode})`, async (t) => {
    const { home, outside } = await scratch(t);
    await mkdir(path.join(home, 'd', 'sub'), { recursive: true });
    await writeFile(path.join(home, 'd', 'f'), '');
    await symlink('../x', path.join(home, 'd', 'l'));
    await symlink(outside, path.join(home, 'out'));
    const listing = await native().listHomeDirectory(home, 'd', 100, options);
    assert.equal(listing.kind, 'directory');
    assert.equal(listing.capped, false);
    assert.deepEqual(
      listing.entries.sort((a, b) => (a.name < b.name ? -1 : 1)),
      [{ name: 'f', kind: 'file' }, { name: 'l', kind: 'symlink', target: '../x' }, { name: 'sub', kind: 'directory' }],
    );
    const capped = await native().listHomeDirectory(home, 'd', 1, options);
    assert.equal(capped.capped, true);
    assert.equal(capped.entries.length, 1);
    // A linked directory is reported as the link it is; nothing of the outside is listed.
    assert.deepEqual(await native().listHomeDirectory(home, 'out', 100, options), { kind: 'symlink', target: outside, entries: [], capped: false });
    const root = await native().listHomeDirectory(home, '', 100, options);
    assert.deepEqual(root.entries.map((e) => e.name).sort(), ['d', 'out']);
  });
}

test('readInside refuses a file over the cap, a fifo, a directory and every link, with the old reasons', async (t) => {
  const { home, outside } = await scratch(t);
  await mkdir(path.join(home, '.dotfiles', '.git'), { recursive: true });
  await writeFile(path.join(home, '.dotfiles', '.git', 'HEAD'), 'ref: refs/heads/main\n');
  await writeFile(path.join(home, 'big'), '');
  await truncate(path.join(home, 'big'), 1024 ** 3);
  mkfifo(path.join(home, 'fifo'));
  await symlink(outside, path.join(home, '.spoon'));
  await symlink(path.join(outside, 'f'), path.join(home, 'final-link'));
  await writeFile(path.join(home, 'plain'), '');

  assert.deepEqual(await readInside(home, '.dotfiles/.git/HEAD', 4096), { kind: 'file', text: 'ref: refs/heads/main\n' });
  assert.deepEqual(await within(readInside(home, 'big', 4096), 2000, 'a huge file'), { kind: 'refused', reason: 'big is larger than 4096 bytes' });
  assert.deepEqual(await within(readInside(home, 'fifo', 4096), 2000, 'a fifo'), { kind: 'refused', reason: 'fifo is not a regular file' });
  assert.deepEqual(await readInside(home, '.dotfiles', 4096), { kind: 'refused', reason: '.dotfiles is not a regular file' });
  assert.deepEqual(await readInside(home, '.spoon/env-hash', 4096), { kind: 'refused', reason: '.spoon is a symlink (not followed)' });
  assert.deepEqual(await readInside(home, 'final-link', 4096), { kind: 'refused', reason: 'final-link is a symlink (not followed)' });
  assert.deepEqual(await readInside(home, 'plain/x', 4096), { kind: 'refused', reason: 'plain is not a directory' });
  assert.deepEqual(await readInside(home, 'nothing/here', 4096), { kind: 'missing' });

  assert.equal(await kindInside(home, '.dotfiles'), 'directory');
  assert.equal(await kindInside(home, '.spoon'), 'symlink');
  assert.equal(await kindInside(home, 'fifo'), 'other');
  assert.equal(await kindInside(home, 'nothing'), 'missing');
  // Below a link: not what was asked about, and never looked up outside.
  assert.equal(await kindInside(home, '.spoon/env-hash'), 'other');
});

test('readInside never returns what is outside while `d` is swapped to a link and back', async (t) => {
  const { home, outside } = await scratch(t);
  const durationMs = 1500;
  const worker = new Worker(new URL('./helpers/swapper.mjs', import.meta.url), { workerData: { home, outside, durationMs } });
  const done = new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const seen = new Map();
  const deadline = Date.now() + durationMs;
  while (Date.now() < deadline) {
    const read = await readInside(home, 'd/f', 4096);
    assert.notEqual(read.kind, 'file', `read through the swapped link: ${JSON.stringify(read)}`);
    const key = read.kind === 'refused' ? read.reason : read.kind;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  const { iterations } = await done;
  assert.ok(iterations > 0);
  // Both states were met: the link reported, the empty directory read as missing.
  assert.ok(seen.has('d is a symlink (not followed)'), JSON.stringify([...seen]));
});

test('detectSetupScript ignores a symlinked script, a script below a symlinked directory, and a linked ~/.dotfiles', async (t) => {
  const { home, outside } = await scratch(t);
  const dotfiles = path.join(home, '.dotfiles');
  await mkdir(path.join(dotfiles, 'real'), { recursive: true });
  await writeFile(path.join(outside, 'install.sh'), 'echo outside\n');
  await symlink(path.join(outside, 'install.sh'), path.join(dotfiles, 'install.sh'));
  await writeFile(path.join(dotfiles, 'real', 'bootstrap'), 'echo inside\n');
  await symlink('real', path.join(dotfiles, 'script'));
  mkfifo(path.join(dotfiles, 'bootstrap.sh'));
  assert.equal(await detectSetupScript(home), undefined);
  await writeFile(path.join(dotfiles, 'setup'), 'echo setup\n');
  assert.equal(await detectSetupScript(home), 'setup');

  const linked = path.join(outside, 'checkout');
  await mkdir(linked);
  await writeFile(path.join(linked, 'install.sh'), 'echo outside\n');
  const other = path.join(path.dirname(home), 'home2');
  await mkdir(other);
  await symlink(linked, path.join(other, '.dotfiles'));
  assert.equal(await detectSetupScript(other), undefined);
});

test('scanLinks: a directory linked out is reported once and never descended', async (t) => {
  const { home, outside } = await scratch(t);
  await mkdir(path.join(outside, 'deep'));
  await symlink('/etc', path.join(outside, 'deep', 'etc'));
  await mkdir(path.join(home, 'a', 'b'), { recursive: true });
  await symlink(outside, path.join(home, 'a', 'out'));
  await symlink('../b', path.join(home, 'a', 'b', 'up'));
  await symlink('out/f', path.join(home, 'a', 'via'));
  const scan = await scanLinks(home, '/home/alice', 1000);
  assert.equal(scan.capped, false);
  assert.equal(scan.symlinks, 3);
  assert.equal(scan.entries, 5); // a, a/b, a/out, a/via, a/b/up
  assert.deepEqual(
    scan.outside.map((l) => `${l.path} -> ${l.target}: ${l.reason}`),
    [`a/out -> ${outside}: absolute target outside /home/alice`, 'a/via -> out/f: through a/out: absolute target outside /home/alice'],
  );
});
