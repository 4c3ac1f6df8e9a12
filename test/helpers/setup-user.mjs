// Homes that localRunner's sandbox can write: as root it runs the setup script as the home's owner
// and never as root (README, "The setup runner contract"), so a test running as root makes its
// homes belong to nobody, as a worker's homes belong to their user. Without root nothing changes.
import { chownSync, mkdirSync } from 'node:fs';

/** The owner test homes get as root (nobody:nogroup), or undefined when not root. */
export const setupUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined;

/** Creates `dir` (and its parents) and, as root, hands the home itself to setupUser; returns `dir`. */
export function ownedHome(dir) {
  mkdirSync(dir, { recursive: true });
  if (setupUser) chownSync(dir, setupUser.uid, setupUser.gid);
  return dir;
}
