// Snapshots of a directory tree (paths, types, modes, bytes, link targets) for comparing homes.
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';

/** Map of relative path -> description; `skip` names top-level entries to leave out. */
export async function snapshot(root, { skip = [] } = {}) {
  const out = new Map();
  async function walk(dir, rel) {
    for (const name of (await readdir(dir)).sort()) {
      const relPath = rel ? `${rel}/${name}` : name;
      if (!rel && skip.includes(name)) continue;
      const full = path.join(dir, name);
      const stats = await lstat(full);
      const mode = (stats.mode & 0o777).toString(8);
      if (stats.isSymbolicLink()) out.set(relPath, `link -> ${await readlink(full)}`);
      else if (stats.isDirectory()) {
        out.set(relPath, `dir ${mode}`);
        await walk(full, relPath);
      } else out.set(relPath, `file ${mode} ${(await readFile(full)).toString('base64')}`);
    }
  }
  await walk(root, '');
  return out;
}
