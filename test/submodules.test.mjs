// Submodules (clone.submodules, opt-in): the dotbot shape (an installer vendored at a relative
// URL, with a nested library) cloned in the layout the git CLI uses, so that `git submodule
// update --init --recursive` in the job has nothing left to fetch; a server that will not serve
// a commit by id; the hostile .gitmodules shapes git refuses; one budget and one network policy
// for the whole tree; credentials for the superproject's host only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, existsSync, lstatSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { HomeNativeError, cloneRepository } from '@spoon/home-native';
import { git } from './helpers/fixtures.mjs';
import { newHome, plantPrevious, stagingDebris } from './helpers/home.mjs';
import { startHttpGitServer } from './helpers/servers.mjs';
import { buildDotbotShape, buildSuperproject, gitmodulesOf } from './helpers/submodule-repos.mjs';
import { tempDir } from './helpers/temp.mjs';

const loopback = { allowedProtocols: ['http'], allowedNetworks: ['127.0.0.0/8', '::1/128'], submodules: true };
let root, repos, pinnedRepos, server, strict, lenient, shape, pinned;

before(async () => {
  root = tempDir('home-native-submodules-');
  repos = path.join(root, 'repos');
  pinnedRepos = path.join(root, 'pinned');
  mkdirSync(repos);
  mkdirSync(pinnedRepos);
  shape = buildDotbotShape(repos);
  pinned = buildDotbotShape(pinnedRepos, { dotbotPinnedBehindTip: true });
  server = await startHttpGitServer(repos);
  // git http-backend's default: only what a ref advertises is served.
  strict = await startHttpGitServer(pinnedRepos);
  const allowById = { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'uploadpack.allowAnySHA1InWant', GIT_CONFIG_VALUE_0: 'true' };
  lenient = await startHttpGitServer(pinnedRepos, { env: allowById });
});
after(async () => {
  for (const s of [server, strict, lenient]) await s?.stop();
});

const cli = (cwd, ...args) => git(cwd, '-c', 'protocol.file.allow=never', ...args);
// git() trims its output; `submodule status` puts its verdict in the first column.
const cliLines = (cwd, ...args) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' } })
    .split('\n')
    .filter(Boolean);

async function rejection(promise) {
  return promise.then(
    () => assert.fail('expected the clone to fail'),
    (e) => e,
  );
}

/** Every file of a git dir's or work tree's metadata that names an absolute path below `dir`. */
function absolutePathsIn(dir, needle) {
  const found = [];
  const walk = (at) => {
    for (const name of readdirSync(at)) {
      const full = path.join(at, name);
      const st = lstatSync(full);
      if (st.isDirectory()) walk(full);
      else if (st.isFile() && (name === 'config' || name === '.git') && readFileSync(full, 'utf8').includes(needle)) found.push(full);
    }
  };
  walk(dir);
  return found;
}

test('the dotbot shape: every submodule at its recorded commit, nested too, as git leaves them', async () => {
  const h = newHome(root);
  const report = await cloneRepository({ url: server.url('dotfiles'), homeDir: h.home, ...loopback });
  assert.deepEqual(report.submodules, [
    { path: 'dotbot', commit: shape.commits.dotbot, shallow: true },
    { path: 'dotbot/lib/pyyaml', commit: shape.commits.pyyaml, shallow: true },
  ]);
  assert.equal(readFileSync(path.join(h.dotfiles, 'dotbot/bin/dotbot'), 'utf8'), '#!/bin/sh\necho dotbot\n');
  assert.ok(existsSync(path.join(h.dotfiles, 'dotbot/lib/pyyaml/lib/yaml/__init__.py')));
  // The git CLI sees them initialized at the recorded commits (a leading space: checked out, matching).
  const status = cliLines(h.dotfiles, 'submodule', 'status', '--recursive');
  assert.equal(status.length, 2, status.join('\n'));
  assert.match(status[0], new RegExp(`^ ${shape.commits.dotbot} dotbot( |$)`));
  assert.match(status[1], new RegExp(`^ ${shape.commits.pyyaml} dotbot/lib/pyyaml( |$)`));
  assert.equal(cli(h.dotfiles, 'config', 'submodule.dotbot.url'), server.url('dotbot'));
  assert.equal(cli(h.dotfiles, 'config', '--bool', 'submodule.dotbot.active'), 'true');
  // Relative links between work trees and git dirs: the home is mounted elsewhere in the container.
  assert.match(readFileSync(path.join(h.dotfiles, 'dotbot/.git'), 'utf8'), /^gitdir: \.\.\/\.git\/modules\/dotbot\/?\n$/);
  assert.match(cli(h.dotfiles, '--git-dir=.git/modules/dotbot', 'config', 'core.worktree'), /^\.\.\/\.\.\/\.\.\/dotbot\/?$/);
  assert.deepEqual(absolutePathsIn(h.dotfiles, path.dirname(h.home)), []);
  assert.deepEqual(absolutePathsIn(h.dotfiles, h.staging), []);
  // The installer's own `git submodule update --init --recursive` has nothing left to fetch.
  const requests = server.stats.requests;
  cli(h.dotfiles, 'submodule', 'update', '--init', '--recursive');
  assert.equal(server.stats.requests, requests, 'git submodule update made requests');
  assert.equal(cli(path.join(h.dotfiles, 'dotbot'), 'rev-parse', 'HEAD'), shape.commits.dotbot);
});

test('without submodules (the default) the gitlink stays an empty directory', async () => {
  const h = newHome(root);
  const report = await cloneRepository({ url: server.url('dotfiles'), homeDir: h.home, ...loopback, submodules: false });
  assert.deepEqual(report.submodules, []);
  assert.deepEqual(readdirSync(path.join(h.dotfiles, 'dotbot')), []);
});

test('a commit the server will not serve alone: every branch is fetched instead, and the report says so', async () => {
  const h = newHome(root);
  const report = await cloneRepository({ url: strict.url('dotfiles'), homeDir: h.home, ...loopback });
  assert.deepEqual(
    report.submodules.map((s) => [s.path, s.commit, s.shallow]),
    [
      ['dotbot', pinned.commits.dotbot, false],
      ['dotbot/lib/pyyaml', pinned.commits.pyyaml, true],
    ],
  );
  assert.equal(cli(path.join(h.dotfiles, 'dotbot'), 'rev-parse', 'HEAD'), pinned.commits.dotbot);
  // A server that serves any commit by id: depth 1 for each.
  const l = newHome(root);
  const shallow = await cloneRepository({ url: lenient.url('dotfiles'), homeDir: l.home, ...loopback });
  assert.deepEqual(shallow.submodules.map((s) => s.shallow), [true, true]);
});

test('hostile .gitmodules shapes are refused before any fetch; the previous checkout is kept', async () => {
  const link = shape.commits.pyyaml;
  const cases = [
    ['a name that climbs out of .git/modules', { gitmodules: gitmodulesOf([{ name: '../../hooks', path: 'sub', url: '../pyyaml.git' }]), gitlinks: { sub: link } }, /'\.\.' component/],
    ['a name with a backslash climb', { gitmodules: gitmodulesOf([{ name: 'a\\\\..\\\\..\\\\x', path: 'sub', url: '../pyyaml.git' }]), gitlinks: { sub: link } }, /'\.\.' component/],
    ['a path into .git', { gitmodules: gitmodulesOf([{ name: 'x', path: '.git/hooks', url: '../pyyaml.git' }]), gitlinks: { sub: link } }, /\.git directory/],
    ['a path in an NTFS spelling of .git', { gitmodules: gitmodulesOf([{ name: 'x', path: 'git~1/x', url: '../pyyaml.git' }]), gitlinks: { sub: link } }, /\.git directory/],
    ['a path that reads as an option', { gitmodules: gitmodulesOf([{ name: 'x', path: '-sub', url: '../pyyaml.git' }]), gitlinks: { '-sub': link } }, /starts with '-'/],
    ['a URL that reads as an option', { gitmodules: gitmodulesOf([{ name: 'x', path: 'sub', url: '--upload-pack=touch /tmp/pwned' }]), gitlinks: { sub: link } }, /URL that starts with '-'/],
    ['two submodules at one path', { gitmodules: gitmodulesOf([{ name: 'a', path: 'sub', url: '../pyyaml.git' }, { name: 'b', path: 'sub', url: '../pyyaml.git' }]), gitlinks: { sub: link } }, /another submodule has too/],
    ['gitdirs nested in one another', { gitmodules: gitmodulesOf([{ name: 'a', path: 'one', url: '../pyyaml.git' }, { name: 'a/modules/b', path: 'two', url: '../pyyaml.git' }]), gitlinks: { one: link, two: link } }, /nested gitdirs/],
    ['a relative URL above the host', { gitmodules: gitmodulesOf([{ name: 'x', path: 'sub', url: '../../../../x.git' }]), gitlinks: { sub: link } }, /climbs above its host/],
  ];
  let n = 0;
  for (const [what, layout, message] of cases) {
    const name = `hostile-${++n}`;
    buildSuperproject(repos, name, layout);
    const h = newHome(root);
    const intact = plantPrevious(h.home);
    const requests = server.stats.requests;
    const error = await rejection(cloneRepository({ url: server.url(name), homeDir: h.home, ...loopback }));
    assert.ok(error instanceof HomeNativeError, `${what}: ${error}`);
    assert.equal(error.code, 'ERR_CLONE_UNSAFE_PATH', `${what}: ${error.message}`);
    assert.match(error.message, message, what);
    // Only the superproject's own requests: no submodule was fetched.
    assert.ok(server.stats.requests - requests <= 3, `${what}: ${server.stats.requests - requests} requests`);
    assert.ok(intact(), `${what}: the previous ~/.dotfiles must be kept`);
    assert.deepEqual(stagingDebris(h.staging), [], what);
  }
  assert.ok(!existsSync('/tmp/pwned'));
});

test('one budget for the whole tree: a submodule crossing maxFiles fails the clone', async () => {
  const whole = await cloneRepository({ url: server.url('dotfiles'), homeDir: newHome(root).home, ...loopback, submodules: false });
  const h = newHome(root);
  const intact = plantPrevious(h.home);
  // Room for the superproject and a little more, not for its submodules.
  const error = await rejection(cloneRepository({ url: server.url('dotfiles'), homeDir: h.home, ...loopback, maxFiles: whole.files + 3 }));
  assert.equal(error.code, 'ERR_CLONE_TOO_LARGE', error.message);
  assert.match(error.message, /maxFiles/);
  assert.ok(intact());
  assert.deepEqual(stagingDebris(h.staging), []);
});

test('submodule URLs meet the same protocols and network policy', async () => {
  const link = shape.commits.pyyaml;
  buildSuperproject(repos, 'to-file', { gitmodules: gitmodulesOf([{ name: 'x', path: 'sub', url: `file://${path.join(repos, 'pyyaml.git')}` }]), gitlinks: { sub: link } });
  buildSuperproject(repos, 'to-private', { gitmodules: gitmodulesOf([{ name: 'x', path: 'sub', url: 'http://10.0.0.1/pyyaml.git' }]), gitlinks: { sub: link } });
  let error = await rejection(cloneRepository({ url: server.url('to-file'), homeDir: newHome(root).home, ...loopback }));
  assert.equal(error.code, 'ERR_PROTOCOL_NOT_ALLOWED', error.message);
  assert.match(error.message, /^submodule 'sub': /);
  error = await rejection(cloneRepository({ url: server.url('to-private'), homeDir: newHome(root).home, ...loopback }));
  assert.equal(error.code, 'ERR_DESTINATION_NOT_ALLOWED', error.message);
});

test('credentials are offered to submodules on the superproject host only', async (t) => {
  const secret = 'token-for-localhost-only';
  const authRepos = path.join(root, 'auth');
  mkdirSync(authRepos);
  buildDotbotShape(authRepos);
  const auth = await startHttpGitServer(authRepos, { basicAuth: { username: 'alice', password: secret } });
  t.after(() => auth.stop());
  const asked = [];
  const credentials = async (request) => {
    asked.push(request.host);
    return request.host === 'localhost' ? { username: 'alice', password: secret } : null;
  };
  const report = await cloneRepository({ url: auth.url('dotfiles'), homeDir: newHome(root).home, ...loopback, credentials });
  assert.equal(report.submodules.length, 2);
  assert.ok(asked.every((host) => host === 'localhost'));
  // The same server under another name is another host: it gets no credentials.
  buildSuperproject(authRepos, 'elsewhere', {
    gitmodules: gitmodulesOf([{ name: 'x', path: 'sub', url: `http://127.0.0.1:${auth.port}/pyyaml.git` }]),
    gitlinks: { sub: shape.commits.pyyaml },
  });
  asked.length = 0;
  const error = await rejection(cloneRepository({ url: auth.url('elsewhere'), homeDir: newHome(root).home, ...loopback, credentials }));
  assert.equal(error.code, 'ERR_CLONE_AUTH', error.message);
  assert.match(error.message, /none are configured/);
  assert.ok(!asked.includes('127.0.0.1'));
});
