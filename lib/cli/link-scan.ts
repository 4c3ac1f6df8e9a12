// Finds the symlinks in a home that lead out of it (or loop, which cannot be shown to stay in).
// The walk never follows a link: each directory is listed by the addon from its own descriptor,
// reached from the home's without following any link (src/core/fs/home_reader.h), so a directory
// swapped for a link since it was listed is reported as such and skipped, not read through. Each
// link's target is resolved the way the overlay writer's sandbox resolves paths: component by
// component below the home, a relative target only while it stays inside, an absolute one only
// under containerHome (what `ln -s $HOME/x` in the container makes), intermediate links
// substituted (their targets read by the addon, never by path), never handed to the OS to follow.
import path from 'node:path';
import { native, type NativeHomeEntry } from '../native';

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
    const entry: NativeHomeEntry | null = await native().inspectHomePath(home, here, {}).catch(() => null);
    // A missing component: the rest resolves lexically (a dangling link may still point out).
    if (entry?.kind !== 'symlink') continue;
    if (++hops > maxSymlinks) return `more than ${maxSymlinks} links in a row (a loop)`;
    stack.pop();
    const reason = enqueue(entry.target, `through ${here}: `);
    if (reason !== null) return reason;
  }
  return null;
}

/** Walks `home` (never following links) up to `maxEntries` entries and lists links leading out. */
export async function scanLinks(home: string, containerHome: string, maxEntries: number): Promise<LinkScan> {
  const scan: LinkScan = { entries: 0, symlinks: 0, outside: [], capped: false };
  const directories: string[] = [''];
  while (directories.length > 0) {
    const dir = directories.pop() as string;
    // Read at most what is left of the cap; `capped` says that the directory holds more. Under
    // the cap, which entries of that last directory are counted is the directory's own order
    // (the rest are never read, so they cannot be sorted first).
    const listing = await native()
      .listHomeDirectory(home, dir, maxEntries - scan.entries, {})
      .catch(() => null);
    // Not a directory (any more): a swap since it was listed; nothing below it is read.
    if (listing === null || listing.kind !== 'directory') continue;
    const entries = listing.entries.sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      scan.entries++;
      const relPath = dir === '' ? entry.name : `${dir}/${entry.name}`;
      if (entry.kind === 'directory') directories.push(relPath);
      if (entry.kind !== 'symlink') continue;
      scan.symlinks++;
      if (entry.target === undefined) continue;
      const reason = await escapeReason(home, containerHome, relPath, entry.target);
      if (reason !== null) scan.outside.push({ path: relPath, target: entry.target, reason });
    }
    if (listing.capped) {
      scan.capped = true;
      break;
    }
  }
  scan.outside.sort((a, b) => (a.path < b.path ? -1 : 1));
  return scan;
}
