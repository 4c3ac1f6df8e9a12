// materializeUserHome with a real repository on a loopback smart-HTTP server: the whole seed
// order (clone, setup in the "job image", marker, overlay), its failure rules, and the lock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { lstat, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { configHash, configure, localRunner, materializeUserHome } from '@spoon/home-native';
import { resetSettingsForTests } from '../dist/settings.js';
import { git } from './helpers/fixtures.mjs';
import { ownedHome, setupUser } from './helpers/setup-user.mjs';
import { startHttpGitServer } from './helpers/servers.mjs';
import { runNode } from './helpers/child.mjs';
import { seedEnsureProfile, seedOverlay } from './helpers/seed-steps.mjs';
import { tempDir } from './helpers/temp.mjs';
import { snapshot } from './helpers/tree.mjs';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const containerHome = '/home/alice';
const redact = (value) => value;
const overlay = [
  { path: '.gitconfig', content: '[user]\n\tname = Alice\n', isExecutable: false },
  { path: 'bin/hello', content: '#!/bin/sh\necho hello\n', isExecutable: true },
  // The overlay wins over what the repository's setup wrote.
  { path: '.bashrc', content: 'export FROM_OVERLAY=1\n', isExecutable: false },
];

// install.sh links the repo's .vimrc into the home, writes ~/.bashrc and records each run.
const installScript = [
  'set -e',
  'ln -sf .dotfiles/vimrc "$HOME/.vimrc"',
  'echo "export FROM_SETUP=1" > "$HOME/.bashrc"',
  'echo run >> "$HOME/setup-runs"',
  '',
].join('\n');

async function fixture(t) {
  resetSettingsForTests();
  const root = tempDir(t, 'materialize-repo-');
  const work = path.join(root, 'work');
  await mkdir(work);
  git(work, 'init', '--quiet', '--initial-branch=main');
  await writeFile(path.join(work, 'vimrc'), 'set number\n');
  await writeFile(path.join(work, 'install.sh'), installScript);
  await writeFile(path.join(work, 'fail.sh'), 'echo "failing on purpose" >&2; exit 3\n');
  git(work, 'add', '.');
  git(work, 'commit', '--quiet', '-m', 'dotfiles');
  const repos = path.join(root, 'repos');
  await mkdir(repos);
  git(root, 'clone', '--quiet', '--bare', work, path.join(repos, 'dotfiles.git'));
  const server = await startHttpGitServer(repos);
  t.after(() => server.stop());
  configure({ clone: { allowedProtocols: ['http'], allowedNetworks: ['127.0.0.0/8', '::1/128'] }, runInJobContainer: localRunner, ...setupUser });
  const homes = path.join(root, 'homes');
  return {
    root,
    server,
    url: server.url('dotfiles'),
    commit: git(work, 'rev-parse', 'HEAD'),
    home: (name = 'alice') => ownedHome(path.join(homes, name)),
  };
}

const env = (url, overrides = {}) => ({
  username: 'alice',
  enabled: true,
  dotfilesRepoUrl: url,
  setupCommand: 'install.sh',
  files: overlay,
  ...overrides,
});

const exists = (file) => lstat(file).then(() => true, () => false);

test('a fresh home ends exactly as the seed steps leave it (git clone --depth 1, bash setup, overlay)', async (t) => {
  const { root, url, commit, home } = await fixture(t);
  const ours = home('alice');
  const report = await materializeUserHome({ homeDir: ours, containerHome, redact, userEnv: env(url) });
  assert.equal(report.repository, 'cloned');
  assert.equal(report.clone.commit, commit);
  assert.deepEqual(report.setup, { command: 'install.sh' });
  assert.deepEqual(report.files, { written: 3, unchanged: 0 });
  assert.equal(await readFile(path.join(ours, '.spoon', 'env-hash'), 'utf8'), configHash(env(url)));

  // The seed's steps with the git CLI and bash, into another home.
  const theirs = path.join(root, 'seed-home');
  await seedEnsureProfile(theirs);
  // Asynchronously: the server runs in this process and must keep answering.
  await run('git', ['clone', '--quiet', '--depth', '1', url, path.join(theirs, '.dotfiles')]);
  await run('bash', ['-lc', "cd ~/.dotfiles && bash 'install.sh'"], { env: { PATH: process.env.PATH, HOME: theirs } });
  await mkdir(path.join(theirs, '.spoon'));
  await writeFile(path.join(theirs, '.spoon', 'env-hash'), configHash(env(url)));
  await seedOverlay(theirs, overlay);
  for (const dir of [ours, theirs]) await rm(path.join(dir, '.dotfiles', '.git'), { recursive: true });
  assert.deepEqual(await snapshot(ours), await snapshot(theirs));
});

test('the runner gets the seed option shape; an unchanged config runs nothing again', async (t) => {
  const { url, home } = await fixture(t);
  const calls = [];
  configure({ jobTimeoutMs: 12_345, runInJobContainer: async (options) => void calls.push(options) });
  const homeDir = home();
  await materializeUserHome({ homeDir, containerHome, redact, userEnv: env(url, { setupCommand: "my script's.sh" }) });
  assert.equal(calls.length, 1);
  const [options] = calls;
  assert.deepEqual(
    { ...options, redact: typeof options.redact },
    {
      workdir: homeDir,
      containerHome,
      containerCwd: containerHome,
      command: ['bash', '-lc', "cd ~/.dotfiles && bash 'my script'\\''s.sh'"],
      environment: { HOME: containerHome },
      redact: 'function',
      timeoutMs: 12_345,
    },
  );
  const again = await materializeUserHome({ homeDir, containerHome, redact, userEnv: env(url, { setupCommand: "my script's.sh" }) });
  assert.equal(again.repository, 'unchanged');
  assert.equal(calls.length, 1);
});

test('a failed setup leaves no marker, keeps the new checkout, and the next run retries', async (t) => {
  const { url, home } = await fixture(t);
  const homeDir = home();
  await assert.rejects(
    materializeUserHome({ homeDir, containerHome, redact, userEnv: env(url, { setupCommand: 'fail.sh' }) }),
    (error) => error.code === 'ERR_SETUP_FAILED' && /failing on purpose/.test(error.message),
  );
  assert.equal(await exists(path.join(homeDir, '.spoon', 'env-hash')), false);
  assert.equal(await exists(path.join(homeDir, '.gitconfig')), false, 'the overlay comes after the marker');
  const retry = await materializeUserHome({ homeDir, containerHome, redact, userEnv: env(url) });
  assert.equal(retry.repository, 'cloned');
  assert.equal(await readFile(path.join(homeDir, 'setup-runs'), 'utf8'), 'run\n');
});

test('a failed clone keeps the previous ~/.dotfiles and writes no marker', async (t) => {
  const { url, home } = await fixture(t);
  const homeDir = home();
  await materializeUserHome({ homeDir, containerHome, redact, userEnv: env(url) });
  const marker = await readFile(path.join(homeDir, '.spoon', 'env-hash'), 'utf8');
  await assert.rejects(
    materializeUserHome({ homeDir, containerHome, redact, userEnv: env(url, { dotfilesRepoRef: 'no-such-branch' }) }),
    { code: 'ERR_REF_NOT_FOUND' },
  );
  assert.equal(await readFile(path.join(homeDir, '.dotfiles', 'vimrc'), 'utf8'), 'set number\n');
  assert.equal(await readFile(path.join(homeDir, '.spoon', 'env-hash'), 'utf8'), marker);
  assert.deepEqual(await readdir(path.join(path.dirname(homeDir), '.home-native')).then((n) => n.filter((x) => x !== 'locks')), []);
});

test('a changed config clones again; detectSetupScript finds install.sh only when asked', async (t) => {
  const { url, home } = await fixture(t);
  const homeDir = home();
  const noSetup = env(url, { setupCommand: undefined });
  const first = await materializeUserHome({ homeDir, containerHome, redact, userEnv: noSetup });
  assert.equal(first.setup, null);
  assert.equal(await exists(path.join(homeDir, 'setup-runs')), false);
  configure({ detectSetupScript: true });
  const withRef = { ...noSetup, dotfilesRepoRef: 'main' };
  const second = await materializeUserHome({ homeDir, containerHome, redact, userEnv: withRef });
  assert.equal(second.repository, 'cloned');
  assert.deepEqual(second.setup, { command: 'install.sh' });
  assert.equal(await readFile(path.join(homeDir, 'setup-runs'), 'utf8'), 'run\n');
});

test('concurrent materializations of one home clone once; the others wait and find the work done', async (t) => {
  const { url, home, server } = await fixture(t);
  const homeDir = home();
  const requestsBefore = server.stats.requests;
  const reports = await Promise.all(
    Array.from({ length: 4 }, () => materializeUserHome({ homeDir, containerHome, redact, userEnv: env(url) })),
  );
  assert.deepEqual(reports.map((r) => r.repository).sort(), ['cloned', 'unchanged', 'unchanged', 'unchanged']);
  assert.equal(await readFile(path.join(homeDir, 'setup-runs'), 'utf8'), 'run\n');
  assert.ok(server.stats.requests - requestsBefore <= 3, `one clone's requests, got ${server.stats.requests - requestsBefore}`);
});

test('twenty homes materialized concurrently are all correct', async (t) => {
  const { url, commit, home } = await fixture(t);
  const names = Array.from({ length: 20 }, (_, i) => `user${i}`);
  // allSettled, not all: a failure must not end the test while the other nineteen still run
  // against a fixture its cleanup is about to remove (that once left the file's process alive).
  const settled = await Promise.allSettled(
    names.map((name) =>
      materializeUserHome({
        homeDir: home(name),
        containerHome: `/home/${name}`,
        redact,
        userEnv: env(url, { username: name, files: [{ path: 'whoami', content: name, isExecutable: false }] }),
      }),
    ),
  );
  const failures = settled.filter((r) => r.status === 'rejected').map((r) => `${r.reason?.code}: ${r.reason?.message}`);
  assert.deepEqual(failures, []);
  const reports = settled.map((r) => r.value);
  for (const [i, name] of names.entries()) {
    assert.equal(reports[i].clone.commit, commit);
    assert.equal(await readFile(path.join(home(name), 'whoami'), 'utf8'), name);
    assert.equal(await readFile(path.join(home(name), '.bashrc'), 'utf8'), 'export FROM_SETUP=1\n');
    assert.equal(await readFile(path.join(home(name), 'setup-runs'), 'utf8'), 'run\n');
  }
});

test('abort during the clone rejects with ERR_ABORTED and leaves no marker', async (t) => {
  const { url, home } = await fixture(t);
  const homeDir = home();
  const controller = new AbortController();
  const running = materializeUserHome({
    homeDir,
    containerHome,
    redact,
    userEnv: env(url),
    signal: controller.signal,
    onProgress: (progress) => {
      if (progress.phase === 'clone') controller.abort();
    },
  });
  await assert.rejects(running, { code: 'ERR_ABORTED' });
  assert.equal(await exists(path.join(homeDir, '.spoon', 'env-hash')), false);
});

test('no step of a materialization needs the libuv pool: all complete while its only thread is blocked', async (t) => {
  const { root, url } = await fixture(t);
  const { code, out } = await runNode([path.join(here, 'children/pool-blocked.mjs'), root, url], {
    cwd: here,
    env: { ...process.env, UV_THREADPOOL_SIZE: '1' },
  });
  assert.equal(code, 0, out);
  const result = JSON.parse(out.trim().split('\n').at(-1));
  assert.deepEqual(result.failures, []);
  assert.equal(result.blockedThroughout, true, 'the probe never blocked the pool: the test proves nothing');
  assert.equal(result.completed, result.homes, 'a materialization waited for the blocked pool');
  t.diagnostic(`${result.completed}/${result.homes} materializations (4 cloning, 2 on one home) completed with the pool blocked`);
});
