// Temporary directories that the tests remove when they are done, and an outside-the-home sentinel.
import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile, stat, readFile, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

// A thread the test let go of on purpose (the lock wait of a terminated Worker, a clone being torn
// down) may still create or remove an entry while the tree is being removed: ENOTEMPTY then
// means "try again". A directory that still cannot be removed is left in the temp dir with a
// warning: what the tests assert is decided by then, and cleanup must not turn into a verdict.
const removal = { recursive: true, force: true, maxRetries: 5, retryDelay: 100 };
function remove(dir) {
  try {
    rmSync(dir, removal);
  } catch (error) {
    process.stderr.write(`temp.mjs: left ${dir} behind (${error.code ?? error.message})\n`);
  }
}
const atExit = new Set();
process.on('exit', () => {
  for (const dir of atExit) remove(dir);
});

/**
 * A fresh directory `<os.tmpdir()>/<prefix>XXXXXX`, returned as a path. Its owner decides when
 * it goes: a node:test context `t` removes it in `t.after`; without one (`tempDir('label-')`,
 * for a directory the whole file shares, made in `before` or at the top level) it is removed
 * when the test process exits.
 */
export function tempDir(t, prefix = 'home-native-') {
  if (typeof t === 'string' || t === undefined) [t, prefix] = [undefined, t ?? prefix];
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  if (t) {
    t.after(() => remove(dir));
  } else {
    atExit.add(dir);
  }
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
