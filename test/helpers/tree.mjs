// Snapshots of a directory tree for comparing homes and proving a tree unchanged: one line per
// entry, sorted by path, links not followed.
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';

const kind = (st) => (st.isSymbolicLink() ? 'link' : st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other');

/**
 * Every entry below `root` as "rel: type mode[ ino nlink uid] [bytes base64|-> target]".
 * `skip(rel)`: leave an entry (and what is below it) out. `identity`: add the inode, link count
 * and owner (a write through a hardlink or a chown shows up). `unreadable: 'skip'`: a directory
 * that cannot be read (or is missing) lists nothing instead of throwing.
 */
export async function snapshot(root, { skip = () => false, identity = false, unreadable = 'throw' } = {}) {
  const lines = [];
  async function walk(rel) {
    let names;
    try {
      names = await readdir(rel ? path.join(root, rel) : root);
    } catch (error) {
      if (unreadable === 'skip') return;
      throw error;
    }
    for (const name of names.sort()) {
      const childRel = rel ? `${rel}/${name}` : name;
      if (skip(childRel)) continue;
      const full = path.join(root, childRel);
      const st = await lstat(full);
      let line = `${childRel}: ${kind(st)} ${(st.mode & 0o7777).toString(8)}`;
      if (identity) line += ` ino=${st.ino} nlink=${st.nlink} uid=${st.uid}`;
      if (st.isFile()) line += ` ${(await readFile(full)).toString('base64')}`;
      if (st.isSymbolicLink()) line += ` -> ${await readlink(full)}`;
      lines.push(line);
      if (st.isDirectory()) await walk(childRel);
    }
  }
  await walk('');
  return lines;
}
