// Finds the symlinks in a home that lead out of it (or loop, which cannot be shown to stay in). The walk never follows a link (readdir's
// entry types are lstat's), and each link's target is resolved the way the overlay writer's
// sandbox resolves paths: component by component below the home, a relative target only while
// it stays inside, an absolute one only under containerHome (what `ln -s $HOME/x` in the
// container makes), intermediate links substituted, never handed to the OS to follow.
import { lstat, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';

export interface OutsideLink {
  /** The link, relative to the home. */
  path: string;
  target: string;
  reason: string;
}

export interface LinkScan {
  entries: number;
  symlinks: number;
  outside: OutsideLink[];
  /** True when the walk stopped at the entry cap: the home holds more than was looked at. */
  capped: boolean;
}

/** Linux MAXSYMLINKS (include/linux/namei.h): more links than this in one resolution is a loop. */
const maxSymlinks = 40;

/** Components of an absolute target below containerHome, or null when it is not below it. */
function underContainerHome(target: string, containerHome: string): string[] | null {
  const relative = path.posix.relative(containerHome, path.posix.normalize(target));
  if (relative === '') return [];
  if (relative === '..' || relative.startsWith('../') || path.posix.isAbsolute(relative)) return null;
  return relative.split('/');
}

/** Null when `target` (of the link at `linkPath`) resolves inside the home; else why not. */
async function escapeReason(home: string, containerHome: string, linkPath: string, target: string): Promise<string | null> {
  const stack = linkPath.split('/').slice(0, -1);
  let queue: string[] = [];
  let hops = 0;
  const enqueue = (next: string, via: string): string | null => {
    if (path.posix.isAbsolute(next)) {
      const mapped = underContainerHome(next, containerHome);
      if (mapped === null) return `${via}absolute target outside ${containerHome}`;
      stack.length = 0;
      queue = [...mapped, ...queue];
    } else {
      queue = [...next.split('/'), ...queue];
    }
    return null;
  };
  const first = enqueue(target, '');
  if (first !== null) return first;
  while (queue.length > 0) {
    const part = queue.shift() as string;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (stack.length === 0) return hops === 0 ? 'climbs above the home' : 'climbs above the home through another link';
      stack.pop();
      continue;
    }
    stack.push(part);
    const here = stack.join('/');
    const stats = await lstat(path.join(home, here)).catch(() => null);
    // A missing component: the rest resolves lexically (a dangling link may still point out).
    if (!stats?.isSymbolicLink()) continue;
    if (++hops > maxSymlinks) return `more than ${maxSymlinks} links in a row (a loop)`;
    stack.pop();
    const reason = enqueue(await readlink(path.join(home, here)), `through ${here}: `);
    if (reason !== null) return reason;
  }
  return null;
}

/** Walks `home` (never following links) up to `maxEntries` entries and lists links leading out. */
export async function scanLinks(home: string, containerHome: string, maxEntries: number): Promise<LinkScan> {
  const scan: LinkScan = { entries: 0, symlinks: 0, outside: [], capped: false };
  const directories: string[] = [''];
  walk: while (directories.length > 0) {
    const dir = directories.pop() as string;
    // Re-checked right before reading: a directory swapped for a link since it was listed is
    // skipped. (A swap of a parent in between remains possible; this is a read-only report.)
    if (dir !== '' && !(await lstat(path.join(home, dir)).catch(() => null))?.isDirectory()) continue;
    const entries = await readdir(path.join(home, dir), { withFileTypes: true }).catch(() => []);
    entries.sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      if (scan.entries >= maxEntries) {
        scan.capped = true;
        break walk;
      }
      scan.entries++;
      const relPath = dir === '' ? entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory()) directories.push(relPath);
      if (!entry.isSymbolicLink()) continue;
      scan.symlinks++;
      const target = await readlink(path.join(home, relPath)).catch(() => null);
      if (target === null) continue;
      const reason = await escapeReason(home, containerHome, relPath, target);
      if (reason !== null) scan.outside.push({ path: relPath, target, reason });
    }
  }
  scan.outside.sort((a, b) => (a.path < b.path ? -1 : 1));
  return scan;
}
