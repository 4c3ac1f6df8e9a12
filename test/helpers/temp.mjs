// Temporary directories that a test removes when it ends, and an outside-the-home sentinel.
import { mkdtemp, rm, writeFile, stat, readFile, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** A fresh directory removed after the test (`t` is node:test's context). */
export async function tempDir(t, prefix = 'home-native-') {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A file outside the home whose content, mode and inode must never change. */
export async function sentinel(dir, name = 'sentinel') {
  const file = path.join(dir, name);
  await writeFile(file, 'outside\n');
  await chmod(file, 0o600);
  const before = await stat(file);
  return {
    path: file,
    async assertUntouched(assert) {
      const after = await stat(file);
      assert.equal(await readFile(file, 'utf8'), 'outside\n', 'sentinel content changed');
      assert.equal(after.mode & 0o7777, 0o600, 'sentinel mode changed');
      assert.equal(after.ino, before.ino, 'sentinel inode changed');
      assert.equal(after.mtimeMs, before.mtimeMs, 'sentinel mtime changed');
    },
  };
}
