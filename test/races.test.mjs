// The ~/.dotfiles swap against an attacker: a worker thread (another core) keeps turning the
// checkout's parent directory into a symlink to the outside and back, and replacing the
// checkout itself, while clones swap new trees in. Nothing outside the home may ever change.
// HOME_NATIVE_RACE_MS lengthens it (CI: many thousands of swaps).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { cloneRepository } from '@spoon/home-native';
import { buildDotfilesRepo } from './helpers/fixtures.mjs';
import { tempDir } from './helpers/temp.mjs';
import { makeHostileHome } from './helpers/hostile-home.mjs';

const durationMs = Number(process.env.HOME_NATIVE_RACE_MS ?? 3000);

test('race: clones swapping into a parent the attacker keeps swapping never touch the outside', { timeout: 600_000 }, async (t) => {
  const repos = tempDir(t, 'home-native-race-repos-');
  buildDotfilesRepo(repos);
  const url = path.join(repos, 'dotfiles.git');
  const h = await makeHostileHome({ base: existsSync('/dev/shm') ? '/dev/shm' : undefined });
  t.after(() => h.cleanup());
  // Not tempDir (under os.tmpdir()): beside the scratch directory (whose every byte outside the
  // home is compared), on the same filesystem.
  const staging = mkdtempSync(path.join(path.dirname(h.scratch), 'home-native-race-staging-'));
  t.after(() => rmSync(staging, { recursive: true, force: true }));

  const start = (name) => {
    const worker = new Worker(new URL('./helpers/swapper.mjs', import.meta.url), { workerData: { home: h.home, outside: h.outside, durationMs, name } });
    return new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
  };
  // One attacker on the parent ("d" in "d/dotfiles"), one on ~/.dotfiles itself.
  const swaps = Promise.all([start('d'), start('.dotfiles')]);
  const codes = new Map();
  let clones = 0;
  const deadline = Date.now() + durationMs;
  while (Date.now() < deadline) {
    for (const into of ['d/dotfiles', '.dotfiles']) {
      clones++;
      const code = await cloneRepository({ url, homeDir: h.home, into, stagingDir: staging, allowedProtocols: ['file'] }).then(
        () => 'ok',
        (e) => e.code,
      );
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
  }
  const [parent, own] = await swaps;
  await h.assertOutsideUnchanged();
  assert.deepEqual(readdirSync(h.outside).sort(), ['dir', 'shared', 'target']);
  for (const code of codes.keys()) {
    assert.ok(['ok', 'ERR_SYMLINK_ESCAPE', 'ERR_NOT_DIRECTORY', 'ERR_CLONE_FAILED', 'ERR_WRITE_FAILED'].includes(code), code);
  }
  assert.ok(codes.get('ok') > 0, 'some clones got through');
  const line = `swaps=${parent.iterations}+${own.iterations} clones=${clones} outcomes=${JSON.stringify([...codes])} in ${durationMs} ms`;
  t.diagnostic(line);
  console.log(`dotfiles race: ${line}`);
});
