// A scratch home for hostile-home tests: `<scratch>/home` (the user's, hostile), and beside it
// `<scratch>/outside` with a sentinel tree that no operation on the home may change. The snapshot
// covers everything in the scratch directory except the home: names, types, modes, inodes, link
// counts and bytes, so a write through a link, a chmod through a hardlink or a file created next
// to the home all show up.
import { mkdtemp, mkdir, writeFile, chmod, rm, lstat, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { snapshot as snapshotTree } from './tree.mjs';

export const CONTAINER_HOME = '/home/alice';

/**
 * `base`: where the scratch directory goes (default $TMPDIR or the OS's); tmpfs for races. Not
 * tempDir (helpers/temp.mjs): the base is chosen, and cleanup() is the caller's to await.
 */
export async function makeHostileHome({ base = process.env.TMPDIR || os.tmpdir() } = {}) {
  const scratch = await mkdtemp(path.join(base, 'home-native-sandbox-'));
  const home = path.join(scratch, 'home');
  const outside = path.join(scratch, 'outside');
  await mkdir(home);
  await mkdir(path.join(outside, 'dir'), { recursive: true });
  await writeFile(path.join(outside, 'target'), 'SENTINEL');
  await chmod(path.join(outside, 'target'), 0o600);
  await writeFile(path.join(outside, 'dir', 'inner'), 'INNER');
  // The same bytes and mode the tests write: only the inode and link count tell it apart.
  await writeFile(path.join(outside, 'shared'), 'overlay');
  await chmod(path.join(outside, 'shared'), 0o644);

  const notHome = (rel) => rel === 'home' || rel.startsWith('home/');
  // Names, types, modes, inodes, link counts, owners and bytes; a directory made unreadable lists nothing.
  const snapshot = async () => (await snapshotTree(scratch, { skip: notHome, identity: true, unreadable: 'skip' })).join('\n');
  let before = await snapshot();

  return {
    scratch,
    home,
    outside,
    sentinel: path.join(outside, 'target'),
    /** Take the reference snapshot again (after planting hardlinks, which raise nlink outside). */
    async rebaseline() {
      before = await snapshot();
    },
    /** The tree outside the home (sentinel content, mode, inode, link count) is unchanged. */
    async assertOutsideUnchanged(message = 'the tree outside the home changed') {
      assert.equal(await snapshot(), before, message);
      const st = await lstat(path.join(outside, 'target'));
      assert.equal(st.mode & 0o7777, 0o600);
      assert.equal(await readFile(path.join(outside, 'target'), 'utf8'), 'SENTINEL');
    },
    homeSnapshot: async () => (await snapshotTree(home, { identity: true, unreadable: 'skip' })).join('\n'),
    async cleanup() {
      await rm(scratch, { recursive: true, force: true });
    },
  };
}

/** Asserts that `promise` rejects with `code` and returns the error. */
export async function rejectsWithCode(promise, code) {
  let error;
  await assert.rejects(promise, (e) => {
    error = e;
    return true;
  });
  assert.equal(error.code, code, `expected ${code}, got ${error.code}: ${error.message}`);
  return error;
}
