// Read-only access to small files below a home for diagnostics, by path, never through a symlink:
// every component is lstat-ed first, so a link the user planted (say `.spoon -> /etc`) is
// reported, not followed. A race with a concurrent writer can only make the answer stale, and
// nothing is ever written.
import { lstat, readFile } from 'node:fs/promises';
import path from 'node:path';

export type InsideRead =
  | { kind: 'file'; text: string }
  | { kind: 'missing' }
  | { kind: 'refused'; reason: string };

/** `relPath` below `home` as text, when every component is a real directory and the last a regular file. */
export async function readInside(home: string, relPath: string, maxBytes: number): Promise<InsideRead> {
  const parts = relPath.split('/');
  let current = home;
  for (const [index, part] of parts.entries()) {
    current = path.join(current, part);
    const shown = parts.slice(0, index + 1).join('/');
    const stats = await lstat(current).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return null;
      throw error;
    });
    if (stats === null) return { kind: 'missing' };
    if (stats.isSymbolicLink()) return { kind: 'refused', reason: `${shown} is a symlink (not followed)` };
    const last = index === parts.length - 1;
    if (!last && !stats.isDirectory()) return { kind: 'refused', reason: `${shown} is not a directory` };
    if (last && !stats.isFile()) return { kind: 'refused', reason: `${shown} is not a regular file` };
    if (last && stats.size > maxBytes) return { kind: 'refused', reason: `${shown} is larger than ${maxBytes} bytes` };
  }
  return { kind: 'file', text: await readFile(current, 'utf8') };
}

/** What lstat says is at `relPath` below `home`, without following a final symlink. */
export async function kindInside(home: string, relPath: string): Promise<'missing' | 'symlink' | 'directory' | 'file' | 'other'> {
  const stats = await lstat(path.join(home, relPath)).catch(() => null);
  if (!stats) return 'missing';
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isDirectory()) return 'directory';
  return stats.isFile() ? 'file' : 'other';
}
