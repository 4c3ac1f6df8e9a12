// The package's own small files through the sandbox (the addon's createFileIfMissing,
// readSmallFile, writeFileDurable): the login profile and the config-hash marker when present,
// absent, a dangling symlink, a symlink to outside, a directory in the way; each checks the
// sentinel tree outside the home.
import { describe, test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { native } from '../dist/native.js';
import { CONTAINER_HOME, makeHostileHome } from './helpers/hostile-home.mjs';

const PROFILE = '# profile\n';

for (const mode of ['openat2', 'manual walk']) {
  describe(`home files (${mode})`, () => {
    let h;
    const options = () => ({ containerHome: CONTAINER_HOME, ...(mode === 'manual walk' && { forceManualWalk: true }) });
    const at = (...parts) => path.join(h.home, ...parts);
    const createProfile = () => native().createFileIfMissing(h.home, '.bash_profile', PROFILE, options());
    const readMarker = () => native().readSmallFile(h.home, '.spoon/env-hash', 256, options());
    const writeMarker = (text) => native().writeFileDurable(h.home, '.spoon/env-hash', text, options());

    beforeEach(async () => {
      h = await makeHostileHome();
    });
    afterEach(async () => {
      await h.assertOutsideUnchanged();
      await h.cleanup();
    });

    test('profile: absent -> created 0644', async () => {
      assert.equal(await createProfile(), true);
      assert.equal(await readFile(at('.bash_profile'), 'utf8'), PROFILE);
      assert.equal((await stat(at('.bash_profile'))).mode & 0o7777, 0o644);
    });

    test('profile: present -> left as it is', async () => {
      await writeFile(at('.bash_profile'), 'mine');
      assert.equal(await createProfile(), false);
      assert.equal(await readFile(at('.bash_profile'), 'utf8'), 'mine');
    });

    test('profile: dangling symlink to outside -> exists, never written through', async () => {
      await symlink(path.join(h.outside, 'new'), at('.bash_profile'));
      assert.equal(await createProfile(), false);
      assert.ok((await lstat(at('.bash_profile'))).isSymbolicLink());
      await assert.rejects(lstat(path.join(h.outside, 'new')), { code: 'ENOENT' });
    });

    test('profile: symlink to an outside file -> exists, outside untouched', async () => {
      await symlink(h.sentinel, at('.bash_profile'));
      assert.equal(await createProfile(), false);
    });

    test('profile: directory in the way -> exists, directory untouched', async () => {
      await mkdir(at('.bash_profile'));
      assert.equal(await createProfile(), false);
      assert.ok((await stat(at('.bash_profile'))).isDirectory());
    });

    test('marker: absent (no .spoon) -> null', async () => {
      assert.equal(await readMarker(), null);
    });

    test('marker: written durably, read back, replaced', async () => {
      await writeMarker('abc');
      assert.equal(await readMarker(), 'abc');
      assert.equal((await stat(at('.spoon'))).mode & 0o7777, 0o755);
      await writeMarker('def');
      assert.equal(await readMarker(), 'def');
    });

    test('marker: dangling symlink -> null; the write replaces the link', async () => {
      await mkdir(at('.spoon'));
      await symlink(path.join(h.outside, 'new'), at('.spoon', 'env-hash'));
      assert.equal(await readMarker(), null);
      await writeMarker('abc');
      assert.ok((await lstat(at('.spoon', 'env-hash'))).isFile());
      await assert.rejects(lstat(path.join(h.outside, 'new')), { code: 'ENOENT' });
    });

    test('marker: symlink to an outside file -> null, never read through', async () => {
      await mkdir(at('.spoon'));
      await symlink(h.sentinel, at('.spoon', 'env-hash'));
      assert.equal(await readMarker(), null);
      await writeMarker('abc');
      assert.equal(await readMarker(), 'abc');
    });

    test('marker: .spoon itself a symlink to outside -> ERR_SYMLINK_ESCAPE for read and write', async () => {
      await writeFile(path.join(h.outside, 'dir', 'env-hash'), 'planted');
      await h.rebaseline();
      await symlink(path.join(h.outside, 'dir'), at('.spoon'));
      await assert.rejects(readMarker(), { code: 'ERR_SYMLINK_ESCAPE' });
      await assert.rejects(writeMarker('abc'), { code: 'ERR_SYMLINK_ESCAPE' });
    });

    test('marker: directory in the way -> null to read, ERR_IS_DIRECTORY to write', async () => {
      await mkdir(at('.spoon', 'env-hash'), { recursive: true });
      assert.equal(await readMarker(), null);
      await assert.rejects(writeMarker('abc'), { code: 'ERR_IS_DIRECTORY' });
      assert.ok((await stat(at('.spoon', 'env-hash'))).isDirectory());
    });

    test('marker: a fifo reads as absent without hanging', async () => {
      await mkdir(at('.spoon'));
      const { execFileSync } = await import('node:child_process');
      execFileSync('mkfifo', [at('.spoon', 'env-hash')]);
      assert.equal(await readMarker(), null);
    });

    test('marker: larger than the cap -> ERR_FILE_TOO_LARGE', async () => {
      await mkdir(at('.spoon'));
      await writeFile(at('.spoon', 'env-hash'), 'x'.repeat(257));
      await assert.rejects(readMarker(), { code: 'ERR_FILE_TOO_LARGE' });
      await writeFile(at('.spoon', 'env-hash'), 'x'.repeat(256));
      assert.equal((await readMarker()).length, 256);
    });

    test('marker: a file in place of .spoon -> ERR_NOT_DIRECTORY', async () => {
      await writeFile(at('.spoon'), 'file');
      await assert.rejects(readMarker(), { code: 'ERR_NOT_DIRECTORY' });
      await assert.rejects(writeMarker('abc'), { code: 'ERR_NOT_DIRECTORY' });
    });

    test('paths are still checked: ../ and absolute outside containerHome are refused', async () => {
      await assert.rejects(native().readSmallFile(h.home, '../outside/target', 256, options()), { code: 'ERR_INVALID_PATH' });
      await assert.rejects(native().writeFileDurable(h.home, h.sentinel, 'x', options()), { code: 'ERR_INVALID_PATH' });
      await assert.rejects(native().createFileIfMissing(h.home, '../x', 'x', options()), { code: 'ERR_INVALID_PATH' });
    });
  });
}

test('hasOpenat2 answers a boolean', () => {
  assert.equal(typeof native().hasOpenat2(), 'boolean');
});

