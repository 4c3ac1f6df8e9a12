// The fallback install (configure({ linkDotfiles: true })): a repository without a setup script,
// cloned from a loopback smart-HTTP server, has its top-level dotfiles linked into the home as
// relative links, with no container started; what already holds a name stays; off, nothing is
// linked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { configHash, configure, materializeUserHome } from '@spoon/home-native';
import { resetSettingsForTests } from '../dist/settings.js';
import { git } from './helpers/fixtures.mjs';
import { startHttpGitServer } from './helpers/servers.mjs';
import { tempDir } from './helpers/temp.mjs';

const containerHome = '/home/alice';
const redact = (value) => value;
const exists = (file) => lstat(file).then(() => true, () => false);
const neverRun = () => {
  throw new Error('runInJobContainer must not be called for the fallback install');
};

async function fixture(t, { linkDotfiles }) {
  resetSettingsForTests();
  t.after(() => resetSettingsForTests());
  const root = await tempDir(t, 'link-dotfiles-');
  const work = path.join(root, 'work');
  await mkdir(path.join(work, '.config', 'nvim'), { recursive: true });
  await mkdir(path.join(work, '.github'), { recursive: true });
  git(work, 'init', '--quiet', '--initial-branch=main');
  await writeFile(path.join(work, '.vimrc'), 'set number\n');
  await writeFile(path.join(work, '.bashrc'), 'export FROM_REPO=1\n');
  await writeFile(path.join(work, '.config', 'nvim', 'init.lua'), 'vim.o.number = true\n');
  await writeFile(path.join(work, '.gitignore'), '*.swp\n');
  await writeFile(path.join(work, '.gitattributes'), '* text=auto\n');
  await writeFile(path.join(work, '.github', 'README'), 'ci\n');
  await writeFile(path.join(work, 'README.md'), '# dotfiles\n');
  git(work, 'add', '.');
  git(work, 'commit', '--quiet', '-m', 'dotfiles');
  const repos = path.join(root, 'repos');
  await mkdir(repos);
  git(root, 'clone', '--quiet', '--bare', work, path.join(repos, 'dotfiles.git'));
  const server = await startHttpGitServer(repos);
  t.after(() => server.stop());
  configure({
    clone: { allowedProtocols: ['http'], allowedNetworks: ['127.0.0.0/8', '::1/128'] },
    runInJobContainer: neverRun,
    detectSetupScript: true,
    linkDotfiles,
  });
  const home = path.join(root, 'homes', 'alice');
  await mkdir(home, { recursive: true });
  // The user's own ~/.bashrc is in the way of the repository's.
  await writeFile(path.join(home, '.bashrc'), 'export MINE=1\n');
  const userEnv = { username: 'alice', enabled: true, dotfilesRepoUrl: server.url('dotfiles'), files: [] };
  return { home, userEnv, work, bare: path.join(repos, 'dotfiles.git') };
}

test('linkDotfiles: a repository without a setup script is linked into the home, relative, with no container', async (t) => {
  const { home, userEnv } = await fixture(t, { linkDotfiles: true });
  const report = await materializeUserHome({ homeDir: home, containerHome, redact, userEnv });
  assert.equal(report.repository, 'cloned');
  assert.equal(report.setup, null);
  assert.deepEqual(report.links, { linked: ['.config', '.vimrc'], unchanged: [], inTheWay: ['.bashrc'], removed: [] });
  assert.equal(await readlink(path.join(home, '.vimrc')), '.dotfiles/.vimrc');
  assert.equal(await readlink(path.join(home, '.config')), '.dotfiles/.config');
  assert.equal(await readFile(path.join(home, '.config', 'nvim', 'init.lua'), 'utf8'), 'vim.o.number = true\n');
  // The user's file stays as it was, a file.
  assert.ok((await lstat(path.join(home, '.bashrc'))).isFile());
  assert.equal(await readFile(path.join(home, '.bashrc'), 'utf8'), 'export MINE=1\n');
  for (const name of ['README.md', '.git', '.github', '.gitignore', '.gitattributes']) {
    assert.equal(await exists(path.join(home, name)), false, `${name} is not linked`);
  }
  // The marker is written after the links, as after a setup.
  assert.equal(await readFile(path.join(home, '.spoon', 'env-hash'), 'utf8'), configHash(userEnv));

  // The same config again: no clone, no links step.
  const again = await materializeUserHome({ homeDir: home, containerHome, redact, userEnv });
  assert.equal(again.repository, 'unchanged');
  assert.equal(again.links, null);
});

test('linkDotfiles: a new clone keeps our links (unchanged)', async (t) => {
  const { home, userEnv } = await fixture(t, { linkDotfiles: true });
  await materializeUserHome({ homeDir: home, containerHome, redact, userEnv });
  // Another ref spelling changes the config hash: a fresh clone of the same tree.
  const report = await materializeUserHome({ homeDir: home, containerHome, redact, userEnv: { ...userEnv, dotfilesRepoRef: 'main' } });
  assert.equal(report.repository, 'cloned');
  assert.deepEqual(report.links, { linked: [], unchanged: ['.config', '.vimrc'], inTheWay: ['.bashrc'], removed: [] });
});

test('linkDotfiles: a re-clone without .vimrc removes our link to it, and only ours', async (t) => {
  const { home, userEnv, work, bare } = await fixture(t, { linkDotfiles: true });
  await materializeUserHome({ homeDir: home, containerHome, redact, userEnv });
  git(work, 'rm', '--quiet', '.vimrc');
  git(work, 'commit', '--quiet', '-m', 'no vimrc');
  git(work, 'push', '--quiet', bare, 'main');
  // A dangling link of the user's own, to a name that is not its own: kept.
  await symlink('.dotfiles/.vimrc', path.join(home, '.exrc'));
  const report = await materializeUserHome({ homeDir: home, containerHome, redact, userEnv: { ...userEnv, dotfilesRepoRef: 'main' } });
  assert.deepEqual(report.links, { linked: [], unchanged: ['.config'], inTheWay: ['.bashrc'], removed: ['.vimrc'] });
  assert.equal(await exists(path.join(home, '.vimrc')), false);
  assert.equal(await readlink(path.join(home, '.exrc')), '.dotfiles/.vimrc');
});

test('linkDotfiles off (the default): the clone is not linked', async (t) => {
  const { home, userEnv } = await fixture(t, { linkDotfiles: false });
  const report = await materializeUserHome({ homeDir: home, containerHome, redact, userEnv });
  assert.equal(report.repository, 'cloned');
  assert.equal(report.links, null);
  assert.equal(report.setup, null);
  for (const name of ['.vimrc', '.config']) assert.equal(await exists(path.join(home, name)), false, name);
  assert.equal(await readFile(path.join(home, '.bashrc'), 'utf8'), 'export MINE=1\n');
});

test('linkDotfiles: a setup script, when there is one, runs instead of the links', async (t) => {
  const { home, userEnv } = await fixture(t, { linkDotfiles: true });
  const calls = [];
  configure({ runInJobContainer: async (options) => calls.push(options.command) });
  // The setup command names a script the repository does not need to hold: the runner is fake.
  const report = await materializeUserHome({ homeDir: home, containerHome, redact, userEnv: { ...userEnv, setupCommand: 'install.sh' } });
  assert.deepEqual(report.setup, { command: 'install.sh' });
  assert.equal(report.links, null);
  assert.equal(calls.length, 1);
  assert.equal(await exists(path.join(home, '.vimrc')), false);
});

test('configure: linkDotfiles must be a boolean', () => {
  assert.throws(() => configure({ linkDotfiles: 'yes' }), { code: 'ERR_INVALID_ARG_TYPE', message: /linkDotfiles must be a boolean/ });
  resetSettingsForTests();
});
