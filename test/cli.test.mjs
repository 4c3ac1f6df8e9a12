// The spoon-home CLI as a child process: each command's output (human and --json), exit codes,
// `code` on stderr, usage errors, and the progress display on a pseudo-terminal and off it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { configHash } from '@spoon/home-native';
import { runCli, runCliOnTty, root } from './helpers/cli.mjs';
import { answers, startConvexServer } from './helpers/convex-server.mjs';
import { git } from './helpers/fixtures.mjs';
import { ownedHome } from './helpers/setup-user.mjs';
import { tempDir } from './helpers/temp.mjs';
import { sampleEnvironment } from './helpers/sample-environment.mjs';

const TOKEN = 'cli-token-Zx81';
const environment = sampleEnvironment();

async function envFile(t, value = environment) {
  const dir = tempDir(t, 'spoon-cli-');
  const file = path.join(dir, 'env.json');
  await writeFile(file, JSON.stringify(value));
  return file;
}

const assertFailure = (result, exitCode, code) => {
  assert.equal(result.code, exitCode, `exit code; stderr: ${result.stderr}`);
  assert.match(result.stderr, new RegExp(`^spoon-home: ${code}: `, 'm'));
};

test('--version prints the versions; --json parses', async () => {
  const { version } = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
  const human = await runCli(['--version']);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, new RegExp(`^spoon-home +${version.replaceAll('.', '\\.')}$`, 'm'));
  assert.match(human.stdout, /^libgit2 +\d+\.\d+\.\d+$/m);
  // HTTPS runs on this process's OpenSSL: the version it reports at run time.
  const tls = human.stdout.match(/^tls +(.+)$/m)?.[1] ?? '';
  assert.ok(tls.startsWith(`OpenSSL ${process.versions.openssl} `), human.stdout);
  // And on its zlib (Node's own reports a build suffix: "1.3.1-e00f703").
  const zlib = human.stdout.match(/^zlib +(.+)$/m)?.[1] ?? '';
  assert.ok(zlib && process.versions.zlib.startsWith(zlib), human.stdout);
  const json = await runCli(['--version', '--json']);
  const parsed = JSON.parse(json.stdout);
  assert.equal(parsed.package, version);
  assert.equal(parsed.node, process.versions.node);
  assert.equal(typeof parsed.napi, 'number');
  assert.ok(parsed.tls.startsWith(`OpenSSL ${process.versions.openssl} `), parsed.tls);
  assert.equal(parsed.openssl, parsed.tls);
  assert.equal(parsed.zlib, zlib);
});

test('hash prints the config hash of an environment file, from a file or stdin', async (t) => {
  const file = await envFile(t);
  const expected = configHash(environment);
  const human = await runCli(['hash', '--env', file]);
  assert.equal(human.code, 0, human.stderr);
  assert.equal(human.stdout, `${expected}\n`);
  const json = JSON.parse((await runCli(['hash', '--env', file, '--json'])).stdout);
  assert.deepEqual(json, { configHash: expected, hasRepository: true });
  const stdin = await runCli(['hash', '--env', '-'], { input: JSON.stringify(environment) });
  assert.equal(stdin.stdout, `${expected}\n`);
  // Over the 64 MiB cap on stdin: refused as too large, not cut short and parsed.
  const huge = await runCli(['hash', '--env', '-'], { input: Buffer.alloc(64 * 1024 * 1024 + 1, 0x20) });
  assert.equal(huge.code, 1);
  assert.match(huge.stderr, /ERR_BAD_ENVIRONMENT.*larger than 67108864 bytes/);
});

test('a malformed environment file: exit 1, ERR_BAD_ENVIRONMENT naming each field', async (t) => {
  const file = await envFile(t, { ...environment, enabled: 'yes', files: [{ path: '.x', content: 5, isExecutable: false }] });
  const human = await runCli(['hash', '--env', file]);
  assertFailure(human, 1, 'ERR_BAD_ENVIRONMENT');
  assert.match(human.stderr, /enabled: enabled must be a boolean/);
  assert.match(human.stderr, /files\[0\]\.content: content must be a string/);
  assert.equal(human.stdout, '');
  const json = await runCli(['hash', '--env', file, '--json']);
  assert.equal(json.code, 1);
  const { error } = JSON.parse(json.stderr);
  assert.equal(error.code, 'ERR_BAD_ENVIRONMENT');
  assert.deepEqual(error.failures.map((f) => f.path), ['enabled', 'files[0].content']);
});

test('an unreadable or non-JSON environment file is ERR_BAD_ENVIRONMENT', async (t) => {
  const missing = await runCli(['hash', '--env', '/nonexistent/env.json']);
  assertFailure(missing, 1, 'ERR_BAD_ENVIRONMENT');
  assert.match(missing.stderr, /ENOENT/);
  const dir = tempDir(t);
  await writeFile(path.join(dir, 'bad.json'), '{ nope');
  assertFailure(await runCli(['hash', '--env', path.join(dir, 'bad.json')]), 1, 'ERR_BAD_ENVIRONMENT');
});

test('usage errors exit 2 with ERR_USAGE', async () => {
  const cases = [
    [[], /usage: spoon-home <command>/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['hash'], /--env is required/],
    [['hash', '--env'], /argument missing/],
    [['hash', '--env', 'x', '--bogus'], /Unknown option '--bogus'/],
    [['hash', '--env', 'x', 'stray'], /Unexpected argument 'stray'/],
    [['fetch'], /--job is required/],
    [['fetch', '--job', 'j', '--timeout-ms', 'soon'], /--timeout-ms must be a positive integer/],
    [['status'], /--home is required/],
    [['materialize', '--home', 'h', '--env', 'e'], /--container-home is required/],
    [['materialize', '--home', 'h', '--env', 'e', '--container-home', 'relative'], /--container-home must be an absolute path/],
    [['--version', 'extra'], /unexpected argument after --version/],
  ];
  for (const [args, message] of cases) {
    const result = await runCli(args);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, /spoon-home: ERR_USAGE: /, args.join(' '));
    assert.match(result.stderr + result.stdout, message, args.join(' '));
  }
  const json = await runCli(['hash', '--json']);
  assert.equal(json.code, 2);
  assert.equal(JSON.parse(json.stderr).error.code, 'ERR_USAGE');
  const help = await runCli(['status', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /usage: spoon-home status --home DIR/);
});

test('materialize rejects an unknown protocol as a usage error', async (t) => {
  const file = await envFile(t);
  const result = await runCli(['materialize', '--home', '/tmp/x', '--container-home', '/home/alice', '--env', file, '--allow-protocol', 'ftp']);
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /--allow-protocol must be one of https, http, ssh, git, file, got ftp/);
});

// --- fetch, against the loopback Convex server ---

let server;
before(async () => {
  server = await startConvexServer();
});
after(() => server.close());
const backendEnv = () => ({ CONVEX_URL: server.url, WORKER_TOKEN: TOKEN });

test('fetch prints the validated environment with contents elided', async () => {
  server.answer = answers.success({ ...environment, unknownField: 'dropped' });
  const result = await runCli(['fetch', '--job', 'j42'], { env: backendEnv() });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^username +alice$/m);
  assert.match(result.stdout, /^dotfilesRepoUrl +https:\/\/example\.com\/alice\/dotfiles\.git$/m);
  assert.match(result.stdout, /^ {2}\.gitconfig +0644 +<21 bytes>$/m);
  assert.match(result.stdout, /^ {2}bin\/hello +0755 +<21 bytes>$/m);
  assert.ok(!result.stdout.includes('name = Alice'), 'contents are elided');
  assert.ok(!result.stdout.includes('unknownField'));
  assert.deepEqual(server.requests.at(-1).body.args, [{ workerToken: TOKEN, jobId: 'j42' }]);
});

test('fetch --show-content and --json', async () => {
  server.answer = answers.success(environment);
  const shown = await runCli(['fetch', '--job', 'j1', '--show-content'], { env: backendEnv() });
  assert.match(shown.stdout, /^ {6}\| \tname = Alice$/m);
  const json = JSON.parse((await runCli(['fetch', '--job', 'j1', '--json'], { env: backendEnv() })).stdout);
  assert.equal(json.username, 'alice');
  assert.deepEqual(json.files[0], { path: '.gitconfig', isExecutable: false, bytes: 21 });
  const full = JSON.parse((await runCli(['fetch', '--job', 'j1', '--json', '--show-content'], { env: backendEnv() })).stdout);
  assert.equal(full.files[1].content, environment.files[1].content);
});

test('fetch of a job without an environment', async () => {
  server.answer = answers.success(null);
  const human = await runCli(['fetch', '--job', 'j0'], { env: backendEnv() });
  assert.equal(human.code, 0, human.stderr);
  assert.equal(human.stdout, 'no environment for job j0\n');
  assert.equal((await runCli(['fetch', '--job', 'j0', '--json'], { env: backendEnv() })).stdout.trim(), 'null');
});

test('fetch failures: ERR_BACKEND, ERR_BAD_ENVIRONMENT, ERR_NOT_CONFIGURED; the token never printed', async () => {
  server.answer = answers.functionError(`worker token ${TOKEN} is not valid`);
  const backend = await runCli(['fetch', '--job', 'j1'], { env: backendEnv() });
  assertFailure(backend, 1, 'ERR_BACKEND');
  assert.match(backend.stderr, /worker token \[redacted\] is not valid/);

  server.answer = answers.success({ ...environment, files: [{ path: TOKEN, content: 1, isExecutable: false }] });
  const bad = await runCli(['fetch', '--job', 'j1', '--json'], { env: backendEnv() });
  assert.equal(bad.code, 1);
  assert.equal(JSON.parse(bad.stderr).error.code, 'ERR_BAD_ENVIRONMENT');

  server.answer = answers.success(null, [`[LOG] token=${TOKEN}`]);
  const logged = await runCli(['fetch', '--job', 'j1', '--json'], { env: backendEnv() });
  assert.equal(logged.stdout.trim(), 'null', 'backend log lines never reach stdout');
  assert.match(logged.stderr, /token=\[redacted\]/);

  for (const result of [backend, bad, logged]) assert.ok(!`${result.stdout}${result.stderr}`.includes(TOKEN));

  const unset = await runCli(['fetch', '--job', 'j1'], { env: { CONVEX_URL: server.url } });
  assertFailure(unset, 1, 'ERR_NOT_CONFIGURED');
  assert.match(unset.stderr, /workerToken/);
});

test('fetch against a hanging backend ends with ERR_BACKEND at --timeout-ms', async () => {
  server.answer = answers.hang();
  const started = Date.now();
  const result = await runCli(['fetch', '--job', 'j1', '--timeout-ms', '500'], { env: backendEnv() });
  assertFailure(result, 1, 'ERR_BACKEND');
  assert.match(result.stderr, /did not answer within 500 ms/);
  assert.ok(Date.now() - started < 10_000);
});

// --- status ---

async function homeWithDotfiles(t) {
  const dir = tempDir(t, 'spoon-status-');
  const home = path.join(dir, 'alice');
  await mkdir(path.join(home, '.dotfiles'), { recursive: true });
  git(path.join(home, '.dotfiles'), 'init', '-q', '-b', 'main');
  await writeFile(path.join(home, '.dotfiles', '.bashrc'), 'export A=1\n');
  git(path.join(home, '.dotfiles'), 'add', '.');
  git(path.join(home, '.dotfiles'), 'commit', '-q', '-m', 'dotfiles');
  await mkdir(path.join(home, '.spoon'));
  await writeFile(path.join(home, '.spoon', 'env-hash'), configHash(environment));
  return { dir, home, commit: git(path.join(home, '.dotfiles'), 'rev-parse', 'HEAD') };
}

test('status: marker matches, dotfiles commit, no links out', async (t) => {
  const { home, commit } = await homeWithDotfiles(t);
  const file = await envFile(t);
  const result = await runCli(['status', '--home', home, '--env', file]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, new RegExp(`^marker +${configHash(environment)}, matches `, 'm'));
  assert.match(result.stdout, new RegExp(`^dotfiles +${commit} \\(refs/heads/main\\)$`, 'm'));
  assert.match(result.stdout, /^outside links +none$/m);
  const json = JSON.parse((await runCli(['status', '--home', home, '--env', file, '--json'])).stdout);
  assert.equal(json.marker.matches, true);
  assert.equal(json.dotfiles.commit, commit);
  assert.equal(json.containerHome, '/home/alice');
  assert.deepEqual(json.links.outside, []);
});

test('status: a marker that differs, packed refs, and every link leading out listed', async (t) => {
  const { dir, home, commit } = await homeWithDotfiles(t);
  git(path.join(home, '.dotfiles'), 'pack-refs', '--all');
  const other = await envFile(t, { ...environment, dotfilesRepoRef: 'dev' });
  await mkdir(path.join(home, 'sub', 'deep'), { recursive: true });
  const links = {
    'etc-passwd': '/etc/passwd',
    up: '../outside',
    'sub/deep/up3': '../../../outside',
    'in-container': '/home/alice/.bashrc',
    'in-relative': 'sub/deep/../../.dotfiles/.bashrc',
    'via-link': 'up/file',
    'other-user': '/home/alice/../bob/.ssh',
    loop1: 'loop2',
    loop2: 'loop1',
  };
  for (const [name, target] of Object.entries(links)) await symlink(target, path.join(home, name));
  const result = await runCli(['status', '--home', home, '--env', other, '--json']);
  assert.equal(result.code, 0, result.stderr);
  const json = JSON.parse(result.stdout);
  assert.equal(json.marker.matches, false);
  assert.equal(json.marker.value, configHash(environment));
  assert.equal(json.marker.expected, configHash({ ...environment, dotfilesRepoRef: 'dev' }));
  assert.equal(json.dotfiles.commit, commit, 'read from packed-refs');
  assert.deepEqual(
    json.links.outside.map((l) => `${l.path} -> ${l.target}`),
    ['etc-passwd -> /etc/passwd', 'loop1 -> loop2', 'loop2 -> loop1', 'other-user -> /home/alice/../bob/.ssh', 'sub/deep/up3 -> ../../../outside', 'up -> ../outside', 'via-link -> up/file'],
  );
  assert.equal(json.links.symlinks, 9);
  const human = await runCli(['status', '--home', home, '--env', other]);
  assert.match(human.stdout, /, differs from /);
  assert.match(human.stdout, /^ {2}etc-passwd -> \/etc\/passwd {2}\(absolute target outside \/home\/alice\)$/m);
  assert.ok(dir);
});

test('status never follows a planted link: .spoon and .dotfiles pointing outside are reported, not read', async (t) => {
  const dir = tempDir(t, 'spoon-status-');
  const home = path.join(dir, 'alice');
  const outside = path.join(dir, 'outside');
  await mkdir(path.join(outside, '.git'), { recursive: true });
  await mkdir(home);
  // A marker and a repository outside the home that would "match" if followed.
  await writeFile(path.join(outside, 'env-hash'), configHash(environment));
  await writeFile(path.join(outside, '.git', 'HEAD'), `${'a'.repeat(40)}\n`);
  await symlink(outside, path.join(home, '.spoon'));
  await symlink(outside, path.join(home, '.dotfiles'));
  const file = await envFile(t);
  const json = JSON.parse((await runCli(['status', '--home', home, '--env', file, '--json'])).stdout);
  assert.equal(json.marker.value, null);
  assert.match(json.marker.problem, /\.spoon is a symlink \(not followed\)/);
  assert.equal(json.marker.matches, false);
  assert.equal(json.dotfiles.commit, null);
  assert.match(json.dotfiles.problem, /not a directory \(not followed\)/);
  assert.deepEqual(json.links.outside.map((l) => l.path), ['.dotfiles', '.spoon']);
});

test('status: the walk is capped and says so; a missing home is ERR_HOME_INVALID', async (t) => {
  const { home } = await homeWithDotfiles(t);
  const capped = JSON.parse((await runCli(['status', '--home', home, '--max-entries', '5', '--json'])).stdout);
  assert.equal(capped.links.capped, true);
  assert.equal(capped.links.entries, 5);
  const human = await runCli(['status', '--home', home, '--max-entries', '5']);
  assert.match(human.stdout, /capped: more entries not looked at/);
  const missing = await runCli(['status', '--home', path.join(home, 'nope')]);
  assertFailure(missing, 1, 'ERR_HOME_INVALID');
});

// --- materialize (needs the overlay writer and the clone) ---

async function bareRepository(t) {
  const dir = tempDir(t, 'spoon-repo-');
  const work = path.join(dir, 'work');
  await mkdir(work);
  git(work, 'init', '-q', '-b', 'main');
  await writeFile(path.join(work, '.bashrc'), 'export FROM_REPO=1\n');
  await writeFile(path.join(work, 'install.sh'), 'echo "# added by install.sh" >> "$HOME/.bashrc"\n');
  git(work, 'add', '.');
  git(work, 'commit', '-q', '-m', 'dotfiles');
  const bare = path.join(dir, 'dotfiles.git');
  git(dir, 'clone', '-q', '--bare', work, bare);
  return { url: `file://${bare}`, commit: git(work, 'rev-parse', 'HEAD') };
}

test('materialize: clone, local setup, overlay, summary; the second run is unchanged', async (t) => {
  const repo = await bareRepository(t);
  const dir = tempDir(t, 'spoon-mat-');
  const home = ownedHome(path.join(dir, 'homes', 'alice'));
  const file = await envFile(t, { ...environment, dotfilesRepoUrl: repo.url });
  const args = ['materialize', '--home', home, '--container-home', '/home/alice', '--env', file, '--local-setup', '--allow-protocol', 'file'];
  const first = await runCli(args);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, new RegExp(`^repository +cloned ${repo.commit} \\(`, 'm'));
  assert.match(first.stdout, /^setup +install\.sh$/m);
  assert.match(first.stdout, /^files +2 written, 0 unchanged$/m);
  assert.match(first.stdout, /^time +lock .* ms, profile .*, clone .*, setup .*, overlay .*, total .*$/m);
  // Plain progress: one line per step, no carriage returns.
  assert.match(first.stderr, /^spoon-home: clone: /m);
  assert.match(first.stderr, /^spoon-home: overlay$/m);
  assert.ok(!first.stderr.includes('\r'));
  // The checkout in ~/.dotfiles; install.sh ran there with HOME at the home.
  assert.equal(await readFile(path.join(home, '.dotfiles', '.bashrc'), 'utf8'), 'export FROM_REPO=1\n');
  assert.equal(await readFile(path.join(home, '.bashrc'), 'utf8'), '# added by install.sh\n');
  assert.equal(await readFile(path.join(home, 'bin', 'hello'), 'utf8'), environment.files[1].content);

  const second = await runCli([...args, '--json']);
  assert.equal(second.code, 0, second.stderr);
  const { report } = JSON.parse(second.stdout);
  assert.equal(report.repository, 'unchanged');
  assert.equal(report.clone, null);
  assert.deepEqual(report.files, { written: 0, unchanged: 2 });
  assert.equal(second.stderr, '', '--json prints no progress');

  const status = JSON.parse((await runCli(['status', '--home', home, '--env', file, '--json'])).stdout);
  assert.equal(status.marker.matches, true);
  assert.equal(status.dotfiles.commit, repo.commit);
});

test('materialize on a terminal redraws one progress line with \\r', async (t) => {
  const repo = await bareRepository(t);
  const dir = tempDir(t, 'spoon-tty-');
  const home = path.join(dir, 'alice');
  const file = await envFile(t, { ...environment, dotfilesRepoUrl: repo.url, setupCommand: undefined });
  const result = await runCliOnTty(['materialize', '--home', home, '--container-home', '/home/alice', '--env', file, '--allow-protocol', 'file']);
  assert.equal(result.code, 0, result.output);
  assert.match(result.output, /\r\x1b\[2Kspoon-home: lock/);
  assert.match(result.output, /\r\x1b\[2Kspoon-home: clone: /);
  assert.match(result.output, /\r\x1b\[2Kspoon-home: done/);
  assert.match(result.output, /files +2 written, 0 unchanged/);
});

test('materialize failures: a protocol not allowed is ERR_PROTOCOL_NOT_ALLOWED, exit 1', async (t) => {
  const repo = await bareRepository(t);
  const dir = tempDir(t, 'spoon-mat-');
  const file = await envFile(t, { ...environment, dotfilesRepoUrl: repo.url });
  const result = await runCli(['materialize', '--home', path.join(dir, 'alice'), '--container-home', '/home/alice', '--env', file, '--local-setup']);
  assertFailure(result, 1, 'ERR_PROTOCOL_NOT_ALLOWED');
});
