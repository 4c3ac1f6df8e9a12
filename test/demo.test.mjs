// `npm run demo` in CI: the demo script as a child process, its output and exit code, and the
// home it leaves behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, readFile } from 'node:fs/promises';
import path from 'node:path';
import { root } from './helpers/cli.mjs';
import { runNode } from './helpers/child.mjs';

const runDemo = () =>
  runNode([path.join(root, 'scripts', 'demo.mjs')], {
    cwd: root,
    timeoutMs: 180_000,
    env: { ...process.env, CONVEX_URL: '', WORKER_TOKEN: '' },
  });

test('the demo materializes a home over loopback HTTP, twice, and cleans up', { timeout: 200_000 }, async () => {
  const { code, stdout, stderr } = await runDemo();
  assert.equal(code, 0, `${stdout}\n${stderr}`);
  assert.match(stdout, /^demo: ok$/m);
  const commit = /^commit ([0-9a-f]{40}):/m.exec(stdout)?.[1];
  assert.ok(commit, stdout);
  // First run: cloned over http, install.sh ran, the overlay files written.
  assert.match(stdout, new RegExp(`^repository +cloned ${commit} \\(`, 'm'));
  assert.match(stdout, /^setup +install\.sh$/m);
  assert.match(stdout, /^files +3 written, 0 unchanged$/m);
  assert.match(stdout, /^time +lock .*total .*$/m);
  // The tree, with modes and sizes.
  assert.match(stdout, /^ {2}-rwxr-xr-x +\d+ {2}bin\/hello$/m);
  assert.match(stdout, /^ {2}-rw-r--r-- +\d+ {2}\.bash_profile$/m);
  assert.match(stdout, /^ {2}l[rwx-]{9} +\.local\/bin\/greet -> /m);
  // Second run: unchanged.
  assert.match(stdout, /^repository +unchanged/m);
  assert.match(stdout, /^files +0 written, 3 unchanged$/m);
  // Status: the marker matches, ~/.dotfiles at the commit.
  assert.match(stdout, new RegExp(`^dotfiles +${commit} \\(refs/heads/main, shallow\\)`, 'm'));
  assert.match(stdout, /^marker +[0-9a-f]{64}, matches /m);

  const home = path.join(root, 'demo-home', 'alice');
  const bashrc = await readFile(path.join(home, '.bashrc'), 'utf8');
  assert.equal(bashrc.match(/# added by install\.sh/g)?.length, 1, 'setup ran once, not on the unchanged run');
  assert.match(await readFile(path.join(home, '.dotfiles', '.bashrc'), 'utf8'), /^export EDITOR=vim$/m);
  // install.sh linked ~/.gitconfig into the checkout, as dotfiles managers do; the overlay file
  // was written through the link (it stays inside the home), so the link stays a link.
  assert.match(stdout, /^ {2}l[rwx-]{9} +\.gitconfig -> \.dotfiles\/\.gitconfig$/m);
  assert.ok((await lstat(path.join(home, '.gitconfig'))).isSymbolicLink());
  assert.match(await readFile(path.join(home, '.dotfiles', '.gitconfig'), 'utf8'), /Alice \(overlay\)/);
});
