// Parity with the seed on benign input: for random overlay sets (nested directories,
// executables, unicode names, overwrites of earlier content), the tree writeHomeFiles leaves is
// the tree the seed's fs/promises loop leaves: same paths, bytes and modes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { writeHomeFiles } from '@spoon/home-native';
import { seedOverlay as seedWriteOverlay } from './helpers/seed-steps.mjs';
import { rng } from './helpers/random.mjs';
import { tempDir } from './helpers/temp.mjs';
import { snapshot } from './helpers/tree.mjs';


const NAMES = ['.config', '.local', 'bin', 'nvim', 'init.lua', '.bashrc', 'réglages', 'über', '設定', '🎉party', 'my file', 'a-b_c', '.x', 'ñ', 'deep'];

function generateRounds(seed, rounds, perRound) {
  const random = rng(seed);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const files = new Map(); // path -> isExecutable (fixed per path; see below)
  const dirs = new Set();
  const content = () => {
    const kind = random();
    if (kind < 0.1) return '';
    if (kind < 0.2) return Uint8Array.from({ length: 1 + Math.floor(random() * 64) }, () => Math.floor(random() * 256));
    let s = '';
    const length = Math.floor(random() * 300);
    for (let i = 0; i < length; i++) s += pick(['a', 'Z', ' ', '\n', 'é', '€', '𝄞', '#!', '"', '\\', '\u2028']);
    return s;
  };
  const result = [];
  for (let r = 0; r < rounds; r++) {
    const round = [];
    const inRound = new Set();
    while (round.length < perRound) {
      let p;
      if (r > 0 && files.size && random() < 0.4) {
        p = pick([...files.keys()]); // overwrite earlier content
      } else {
        const depth = 1 + Math.floor(random() * 4);
        p = Array.from({ length: depth }, () => pick(NAMES)).join('/');
        // Benign input only: no file where another entry needs a directory, and vice versa.
        const parts = p.split('/');
        const ancestors = parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
        if (dirs.has(p) || ancestors.some((a) => files.has(a))) continue;
        for (const a of ancestors) dirs.add(a);
        // The seed never resets a mode (writeFile keeps it, chmod only adds 0755), while the
        // writer sets it exactly: keep each path's flag fixed so both mean the same thing.
        if (!files.has(p)) files.set(p, random() < 0.3);
      }
      if (inRound.has(p)) continue;
      inRound.add(p);
      round.push({ path: p, content: content(), isExecutable: files.get(p) });
    }
    result.push(round);
  }
  return result;
}

test('writeHomeFiles leaves the tree the seed loop leaves (random overlays, overwrites)', async (t) => {
  const old = process.umask(0o022); // the seed's modes come from the umask; the worker runs with 022
  const scratch = tempDir(t, 'home-native-parity-');
  try {
    for (let seed = 1; seed <= 12; seed++) {
      const seedHome = path.join(scratch, `seed-${seed}`);
      const nativeHome = path.join(scratch, `native-${seed}`);
      for (const round of generateRounds(seed, 3, 40)) {
        await seedWriteOverlay(seedHome, round);
        await mkdir(nativeHome, { recursive: true });
        await writeHomeFiles(nativeHome, round);
        assert.deepEqual(await snapshot(nativeHome), await snapshot(seedHome), `seed ${seed}`);
      }
    }
  } finally {
    process.umask(old);
  }
});

test('an unchanged re-run of the same overlay writes nothing', async (t) => {
  const scratch = tempDir(t, 'home-native-parity-');
  const [round] = generateRounds(99, 1, 80);
  assert.deepEqual(await writeHomeFiles(scratch, round), { written: 80, unchanged: 0 });
  assert.deepEqual(await writeHomeFiles(scratch, round), { written: 0, unchanged: 80 });
});
