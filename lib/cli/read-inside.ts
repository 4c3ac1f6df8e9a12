// Read-only access to small files below a home for diagnostics, never through a symlink. The
// addon walks the path from a descriptor of the home without following any link
// (src/core/fs/home_reader.h), so a link the user planted (say `.spoon -> /etc`) is reported,
// not followed, even when it is swapped in while we look; it opens only a regular file, and reads
// at most one byte past the cap. A race with a concurrent writer can only make the answer stale,
// and nothing is ever written.
import { callNative } from '../errors';
import { native, type NativeHomeEntry } from '../native';

export type InsideRead =
  | { kind: 'file'; text: string }
  | { kind: 'missing' }
  | { kind: 'refused'; reason: string };

/** Why a walk that was stopped on the way refuses to go on, in the CLI's words. */
function blockedReason(entry: Extract<NativeHomeEntry, { kind: 'blocked' }>): string {
  return entry.blockedBy === 'symlink' ? `${entry.blockedAt} is a symlink (not followed)` : `${entry.blockedAt} is not a directory`;
}

/** `relPath` below `home` as text, when every component is a real directory and the last a regular file. */
export async function readInside(home: string, relPath: string, maxBytes: number): Promise<InsideRead> {
  const callSite = new Error();
  const read = await callNative(callSite, undefined, () => native().readHomeFile(home, relPath, maxBytes, {}));
  switch (read.kind) {
    case 'missing':
      return { kind: 'missing' };
    case 'blocked':
      return { kind: 'refused', reason: blockedReason(read) };
    case 'symlink':
      return { kind: 'refused', reason: `${relPath} is a symlink (not followed)` };
    case 'file':
      // A file entry without its text is over the cap (never read past it).
      if (read.text === undefined) return { kind: 'refused', reason: `${relPath} is larger than ${maxBytes} bytes` };
      return { kind: 'file', text: read.text };
    default:
      return { kind: 'refused', reason: `${relPath} is not a regular file` };
  }
}

/**
 * What is at `relPath` below `home`, without following a final symlink, nor any on the way: a
 * path whose walk is stopped by a link or a file on the way is something else than what was
 * asked about ('other').
 */
export async function kindInside(home: string, relPath: string): Promise<'missing' | 'symlink' | 'directory' | 'file' | 'other'> {
  const callSite = new Error();
  const entry = await callNative(callSite, undefined, () => native().inspectHomePath(home, relPath, {}));
  return entry.kind === 'blocked' ? 'other' : entry.kind;
}
