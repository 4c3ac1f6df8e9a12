// Race helper, run in a worker thread: for `durationMs`, keeps turning `home/d` into a symlink
// to the outside directory and back into a real directory, as an attacker inside the container
// would. Each step removes what is at `d` (unlink, or rmdir when empty) or, when the writer has
// filled it, moves it aside with one rename, so the swapping never stalls.
import { mkdirSync, readdirSync, renameSync, rmdirSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';

// `name` (default "d"): the entry below the home to swap.
const { home, outside, durationMs, name = 'd' } = workerData;
const d = path.join(home, name);
const aside = path.join(home, 'aside');
mkdirSync(aside, { recursive: true });

let moved = 0;
const moveAside = () => {
  try {
    unlinkSync(d); // our symlink
    return;
  } catch {
    // a directory, or nothing
  }
  try {
    rmdirSync(d); // an empty directory
    return;
  } catch {
    // full, or nothing
  }
  try {
    renameSync(d, path.join(aside, String(moved++)));
  } catch {
    // nothing there
  }
};
const clearAside = () => {
  for (const name of readdirSync(aside)) {
    try {
      rmSync(path.join(aside, name), { recursive: true, force: true });
    } catch {
      // the writer may still hold it; next time
    }
  }
};

let iterations = 0;
const deadline = Date.now() + durationMs;
while (Date.now() < deadline) {
  moveAside();
  try {
    symlinkSync(outside, d); // d -> outside
  } catch {
    // the writer created d in the gap
  }
  moveAside();
  try {
    mkdirSync(d); // d is a real directory again
  } catch {
    // likewise
  }
  iterations++;
  if (iterations % 1000 === 0) clearAside();
}
parentPort.postMessage({ iterations });
