// cloneRepository against real git servers on loopback: git daemon, git http-backend over HTTP
// and HTTPS, throttled and dying servers. Every failure must keep the previous ~/.dotfiles and
// leave no debris in the staging area.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync, symlinkSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cloneRepository, HomeNativeError, versions } from '@spoon/home-native';
import { buildDotfilesRepo, buildLargeBlobRepo, buildLongHistoryRepo, git } from './helpers/fixtures.mjs';
import { tempDir } from './helpers/temp.mjs';
import { makeTlsFiles, startGitDaemon, startHttpGitServer } from './helpers/servers.mjs';
import { newHome, plantPrevious, stagingDebris } from './helpers/home.mjs';
import { runNode } from './helpers/child.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const SECRET = 's3cr3t-t0ken';
const LARGE_BYTES = 8 << 20;
let tmp, repos, fixture, tls;
let httpServer, daemon, httpsServer, slowServer, stallServer, dyingServer;

before(async () => {
  tmp = tempDir('home-native-clone-');
  repos = path.join(tmp, 'repos');
  mkdirSync(repos);
  fixture = buildDotfilesRepo(repos);
  buildLongHistoryRepo(repos, { commits: 2000, files: 1000 });
  buildLargeBlobRepo(repos, { bytes: LARGE_BYTES });
  mkdirSync(path.join(tmp, 'tls'));
  tls = makeTlsFiles(path.join(tmp, 'tls'));
  httpServer = await startHttpGitServer(repos);
  daemon = await startGitDaemon(repos);
  httpsServer = await startHttpGitServer(repos, { tls });
  slowServer = await startHttpGitServer(repos, { throttle: { chunkBytes: 16 * 1024, delayMs: 20 } });
  stallServer = await startHttpGitServer(repos, { stallMs: 1500 });
  dyingServer = await startHttpGitServer(repos, { dieAfterBytes: 256 * 1024 });
});

after(async () => {
  for (const server of [httpServer, daemon, httpsServer, slowServer, stallServer, dyingServer]) await server?.stop();
});

const http = { allowedProtocols: ['http'], allowedNetworks: ['127.0.0.0/8', '::1/128'] };

/** Asserts `promise` rejects with `code`, the previous checkout intact and no staging debris. */
async function rejectsKeepingPrevious(h, intact, promise, code) {
  const error = await promise.then(
    () => assert.fail(`expected ${code}, the clone succeeded`),
    (e) => e,
  );
  assert.ok(error instanceof HomeNativeError, String(error));
  assert.equal(error.code, code, error.message);
  assert.ok(intact(), 'the previous ~/.dotfiles must be kept as it was');
  assert.deepEqual(stagingDebris(h.staging), [], 'no debris in the staging area');
  return error;
}

const mode = (p) => lstatSync(p).mode & 0o777;

test('default branch over smart HTTP: files, modes, symlinks, no submodule content, single branch', async () => {
  const h = newHome(tmp);
  const report = await cloneRepository({ url: httpServer.url('dotfiles'), homeDir: h.home, ...http });
  assert.equal(report.commit, fixture.commits.main);
  assert.equal(report.ref, 'refs/heads/main');
  assert.equal(report.shallow, true);
  assert.ok(report.receivedBytes > 0 && report.objects > 0 && report.files >= 6, JSON.stringify(report));
  const d = h.dotfiles;
  assert.equal(readFileSync(path.join(d, 'README.md'), 'utf8'), 'dotfiles\n');
  assert.equal(mode(path.join(d, 'bin/tool.sh')), 0o755);
  assert.equal(mode(path.join(d, 'README.md')), 0o644);
  assert.equal(mode(d), 0o755, 'the checkout root is 0755 as git clone makes it');
  assert.ok(lstatSync(path.join(d, 'link-inside')).isSymbolicLink());
  assert.equal(readlinkSync(path.join(d, 'link-inside')), 'README.md');
  assert.ok(lstatSync(path.join(d, 'link-out')).isSymbolicLink());
  assert.equal(readlinkSync(path.join(d, 'link-out')), '/etc/hostname');
  assert.equal(readFileSync(path.join(d, 'nested/deep/file'), 'utf8'), 'deep\n');
  assert.deepEqual(existsSync(path.join(d, 'sub')) ? readdirSync(path.join(d, 'sub')) : [], [], 'no submodule content');
  assert.ok(!existsSync(path.join(d, 'feature.txt')));
  // What `git clone --single-branch --depth 1` leaves: one branch, its remote-tracking ref, no tags.
  assert.deepEqual(git(d, 'for-each-ref', '--format=%(refname)').split('\n').sort(), ['refs/heads/main', 'refs/remotes/origin/main']);
  assert.equal(git(d, 'rev-parse', 'HEAD'), fixture.commits.main);
  assert.equal(git(d, 'rev-parse', '--abbrev-ref', '@{upstream}'), 'origin/main');
  assert.equal(git(d, 'rev-parse', '--is-shallow-repository'), 'true');
  assert.equal(git(d, 'status', '--porcelain'), '');
  assert.deepEqual(stagingDebris(h.staging), []);
  assert.equal(statSync(h.staging).mode & 0o777, 0o700);
});

test('a branch by name', async () => {
  const h = newHome(tmp);
  const report = await cloneRepository({ url: httpServer.url('dotfiles'), ref: 'feature', homeDir: h.home, ...http });
  assert.equal(report.commit, fixture.commits.feature);
  assert.equal(report.ref, 'refs/heads/feature');
  assert.equal(readFileSync(path.join(h.dotfiles, 'feature.txt'), 'utf8'), 'feature\n');
  assert.equal(git(h.dotfiles, 'symbolic-ref', 'HEAD'), 'refs/heads/feature');
});

test('an annotated tag is checked out detached; no other tag is fetched', async () => {
  const h = newHome(tmp);
  const report = await cloneRepository({ url: httpServer.url('dotfiles'), ref: 'v1.0', homeDir: h.home, ...http });
  assert.equal(report.commit, fixture.commits.first);
  assert.equal(report.ref, 'refs/tags/v1.0');
  assert.equal(git(h.dotfiles, 'rev-parse', 'HEAD'), fixture.commits.first);
  assert.throws(() => git(h.dotfiles, 'symbolic-ref', '-q', 'HEAD'));
  assert.deepEqual(git(h.dotfiles, 'tag', '--list').split('\n'), ['v1.0']);
  assert.deepEqual(readdirSync(h.dotfiles).sort(), ['.git', 'README.md']);
});

test('a lightweight tag', async () => {
  const h = newHome(tmp);
  const report = await cloneRepository({ url: httpServer.url('dotfiles'), ref: 'light', homeDir: h.home, ...http });
  assert.equal(report.commit, fixture.commits.feature);
  assert.equal(report.ref, 'refs/tags/light');
});

test('a 40-hex commit id that the remote advertises', async () => {
  const h = newHome(tmp);
  const report = await cloneRepository({ url: httpServer.url('dotfiles'), ref: fixture.commits.feature, homeDir: h.home, ...http });
  assert.equal(report.commit, fixture.commits.feature);
  assert.equal(git(h.dotfiles, 'rev-parse', 'HEAD'), fixture.commits.feature);
  // The annotated tag's commit, advertised only as the peeled `refs/tags/v1.0^{}`.
  const t = newHome(tmp);
  assert.equal((await cloneRepository({ url: httpServer.url('dotfiles'), ref: fixture.commits.first, homeDir: t.home, ...http })).commit, fixture.commits.first);
  // An id that no ref points at: git http-backend does not serve it by default.
  const u = newHome(tmp);
  const intact = plantPrevious(u.home);
  await rejectsKeepingPrevious(u, intact, cloneRepository({ url: httpServer.url('dotfiles'), ref: 'f'.repeat(40), homeDir: u.home, ...http }), 'ERR_REF_NOT_FOUND');
});

test('an unknown ref is ERR_REF_NOT_FOUND and keeps the previous checkout', async () => {
  const h = newHome(tmp);
  const intact = plantPrevious(h.home);
  const error = await rejectsKeepingPrevious(h, intact, cloneRepository({ url: httpServer.url('dotfiles'), ref: 'no-such-branch', homeDir: h.home, ...http }), 'ERR_REF_NOT_FOUND');
  assert.match(error.message, /no-such-branch/);
});

test('disallowed protocols are refused before anything is touched', async () => {
  const bare = path.join(repos, 'dotfiles.git');
  const cases = [
    [{ url: `file://${bare}` }],
    [{ url: bare }],
    [{ url: `ext::sh -c touch% ${path.join(tmp, 'pwned')}` }, { allowedProtocols: ['https', 'http', 'ssh', 'git', 'file'] }],
    [{ url: 'git@localhost:alice/dotfiles.git' }],
    [{ url: 'ssh://git@localhost/alice/dotfiles.git' }, { allowedProtocols: ['https', 'git'] }],
    [{ url: httpServer.url('dotfiles') }, { allowedProtocols: ['https'], allowedNetworks: ['127.0.0.0/8', '::1/128'] }],
    [{ url: daemon.url('dotfiles') }],
  ];
  for (const [target, extra = {}] of cases) {
    const h = newHome(tmp);
    const intact = plantPrevious(h.home);
    const error = await rejectsKeepingPrevious(h, intact, cloneRepository({ ...target, homeDir: h.home, ...extra }), 'ERR_PROTOCOL_NOT_ALLOWED');
    assert.ok(error.url, `the refused URL is reported: ${target.url}`);
  }
  assert.ok(!existsSync(path.join(tmp, 'pwned')), 'ext:: never ran');
  // The same local path works when the test opts in to `file`.
  const h = newHome(tmp);
  const report = await cloneRepository({ url: bare, homeDir: h.home, allowedProtocols: ['file'] });
  assert.equal(report.commit, fixture.commits.main);
});

test('credentials in the URL never appear in any error, including libgit2 messages', async () => {
  const userinfo = `alice:${SECRET}`;
  const closedPort = httpServer.port === 1 ? 2 : 1;
  const attempts = [
    { url: httpServer.url('dotfiles', userinfo), ref: 'missing', ...http }, // ERR_REF_NOT_FOUND
    { url: httpServer.url('no-such-repo', userinfo), ...http }, // 404 from the server
    { url: `http://${userinfo}@localhost:${closedPort}/x.git`, ...http }, // connection refused
    { url: httpServer.url('dotfiles', userinfo) }, // http not allowed
    { url: `https://${userinfo}@localhost:${httpsServer.port}/dotfiles.git` }, // untrusted certificate
    { url: dyingServer.url('large', userinfo), ...http }, // dies mid-pack
    { url: `ext::https://${userinfo}@localhost/x` }, // refused transport
    { url: `http://${userinfo}@localhost:${httpServer.port}/dotfiles.git?x=${'y'.repeat(10)}`, ref: 'missing', ...http },
  ];
  for (const options of attempts) {
    const h = newHome(tmp);
    const error = await cloneRepository({ ...options, homeDir: h.home }).then(
      () => assert.fail('expected a failure'),
      (e) => e,
    );
    assert.ok(error instanceof HomeNativeError);
    const everything = [error.message, error.url ?? '', error.path ?? '', error.stack ?? '', String(error), JSON.stringify(error), JSON.stringify(Object.entries(error))].join('\n');
    assert.ok(!everything.includes(SECRET), `secret leaked (${error.code}): ${everything}`);
    assert.deepEqual(stagingDebris(h.staging), []);
  }
  // Nor on disk: the clone's .git/config carries the URL without credentials.
  const h = newHome(tmp);
  await cloneRepository({ url: httpServer.url('dotfiles', userinfo), homeDir: h.home, ...http });
  const config = readFileSync(path.join(h.dotfiles, '.git/config'), 'utf8');
  assert.ok(!config.includes(SECRET), config);
  assert.match(config, new RegExp(`url = http://localhost:${httpServer.port}/dotfiles.git`));
  const grep = spawnSync('grep', ['-rl', SECRET, h.dotfiles], { encoding: 'utf8' });
  assert.equal(grep.status, 1, `files holding the secret: ${grep.stdout}`);
});

test('abort: before the start, while connecting, while receiving, during checkout', async () => {
  const already = newHome(tmp);
  const intact0 = plantPrevious(already.home);
  await rejectsKeepingPrevious(already, intact0, cloneRepository({ url: httpServer.url('dotfiles'), homeDir: already.home, signal: AbortSignal.abort(), ...http }), 'ERR_ABORTED');

  // The server sits on every request for 1.5 s: the abort lands while we wait for its refs.
  const connecting = newHome(tmp);
  const intact1 = plantPrevious(connecting.home);
  const started = Date.now();
  await rejectsKeepingPrevious(connecting, intact1, cloneRepository({ url: stallServer.url('dotfiles'), homeDir: connecting.home, signal: AbortSignal.timeout(100), ...http }), 'ERR_ABORTED');
  // The clone's own socket stream notices the abort while it waits for the silent server.
  assert.ok(Date.now() - started < 1000, `aborted after ${Date.now() - started} ms`);

  const receiving = newHome(tmp);
  const intact2 = plantPrevious(receiving.home);
  const controller = new AbortController();
  const phases = [];
  await rejectsKeepingPrevious(
    receiving,
    intact2,
    cloneRepository({
      url: slowServer.url('large'),
      homeDir: receiving.home,
      signal: controller.signal,
      onProgress: (p) => {
        phases.push(p.phase);
        if (p.phase === 'receiving' && p.receivedBytes > 0) controller.abort();
      },
      ...http,
    }),
    'ERR_ABORTED',
  );
  assert.ok(phases.includes('receiving'), phases.join());

  const checkout = newHome(tmp);
  const intact3 = plantPrevious(checkout.home);
  const c2 = new AbortController();
  await rejectsKeepingPrevious(
    checkout,
    intact3,
    cloneRepository({
      url: httpServer.url('long'),
      homeDir: checkout.home,
      signal: c2.signal,
      onProgress: (p) => p.phase === 'checkout' && c2.abort(),
      ...http,
    }),
    'ERR_ABORTED',
  );
});

test('timeout: a slow server hits the deadline (ERR_CLONE_TIMEOUT)', async () => {
  const h = newHome(tmp);
  const intact = plantPrevious(h.home);
  const started = Date.now();
  await rejectsKeepingPrevious(h, intact, cloneRepository({ url: slowServer.url('large'), homeDir: h.home, timeoutMs: 400, ...http }), 'ERR_CLONE_TIMEOUT');
  assert.ok(Date.now() - started < 5000, 'the deadline stops the transfer, not its end');
});

test('timeout: a server that answers nothing hits the deadline too', async () => {
  const h = newHome(tmp);
  const intact = plantPrevious(h.home);
  const started = Date.now();
  await rejectsKeepingPrevious(h, intact, cloneRepository({ url: stallServer.url('dotfiles'), homeDir: h.home, timeoutMs: 200, ...http }), 'ERR_CLONE_TIMEOUT');
  assert.ok(Date.now() - started < 1000, `timed out after ${Date.now() - started} ms`);
});

test('.gitattributes filters still apply (eol=crlf), as git applies them', async () => {
  const root = path.join(tmp, `attrs-${Date.now()}`);
  mkdirSync(root);
  const work = path.join(root, 'work');
  mkdirSync(work);
  git(work, 'init', '--quiet', '--initial-branch=main');
  writeFileSync(path.join(work, '.gitattributes'), '*.txt text eol=crlf\n');
  mkdirSync(path.join(work, 'sub'));
  writeFileSync(path.join(work, 'sub/a.txt'), 'one\ntwo\n');
  writeFileSync(path.join(work, 'b.bin'), 'one\ntwo\n');
  git(work, 'add', '.');
  git(work, 'commit', '--quiet', '-m', 'attrs');
  const h = newHome(tmp);
  await cloneRepository({ url: work, homeDir: h.home, allowedProtocols: ['file'] });
  assert.equal(readFileSync(path.join(h.dotfiles, 'sub/a.txt'), 'utf8'), 'one\r\ntwo\r\n');
  assert.equal(readFileSync(path.join(h.dotfiles, 'b.bin'), 'utf8'), 'one\ntwo\n');
  assert.equal(git(h.dotfiles, 'status', '--porcelain'), '');
});

test('byte limit: enforced as the data arrives (ERR_CLONE_TOO_LARGE)', async () => {
  const h = newHome(tmp);
  const intact = plantPrevious(h.home);
  const sentBefore = slowServer.stats.bytesSent;
  await rejectsKeepingPrevious(h, intact, cloneRepository({ url: slowServer.url('large'), homeDir: h.home, maxBytes: 512 * 1024, ...http }), 'ERR_CLONE_TOO_LARGE');
  const sent = slowServer.stats.bytesSent - sentBefore;
  assert.ok(sent < LARGE_BYTES / 2, `stopped early: the server sent ${sent} of ${LARGE_BYTES} bytes`);
});

test('a server that dies mid-pack is ERR_CLONE_FAILED and keeps the previous checkout', async () => {
  const h = newHome(tmp);
  const intact = plantPrevious(h.home);
  const error = await rejectsKeepingPrevious(h, intact, cloneRepository({ url: dyingServer.url('large'), homeDir: h.home, ...http }), 'ERR_CLONE_FAILED');
  assert.match(error.message, /\[class \d+\]/, 'libgit2 error class reported');
});

test('~/.dotfiles planted as a symlink to outside is replaced; the outside is untouched', async () => {
  const h = newHome(tmp);
  const outside = path.join(tmp, `outside-${Date.now()}`);
  mkdirSync(outside);
  writeFileSync(path.join(outside, 'secret.txt'), 'keep me\n');
  symlinkSync(outside, h.dotfiles);
  await cloneRepository({ url: httpServer.url('dotfiles'), homeDir: h.home, ...http });
  assert.ok(lstatSync(h.dotfiles).isDirectory(), 'a real directory now');
  assert.equal(readFileSync(path.join(h.dotfiles, 'README.md'), 'utf8'), 'dotfiles\n');
  assert.deepEqual(readdirSync(outside), ['secret.txt']);
  assert.equal(readFileSync(path.join(outside, 'secret.txt'), 'utf8'), 'keep me\n');
  assert.deepEqual(stagingDebris(h.staging), []);
});

test('a file at ~/.dotfiles, and an existing checkout, are replaced', async () => {
  const h = newHome(tmp);
  writeFileSync(h.dotfiles, 'a file\n');
  await cloneRepository({ url: httpServer.url('dotfiles'), homeDir: h.home, ...http });
  assert.ok(lstatSync(h.dotfiles).isDirectory());
  await cloneRepository({ url: httpServer.url('dotfiles'), ref: 'feature', homeDir: h.home, ...http });
  assert.ok(existsSync(path.join(h.dotfiles, 'feature.txt')));
  assert.deepEqual(stagingDebris(h.staging), []);
});

test('`into` below the home, parents created; escapes refused', async () => {
  const h = newHome(tmp);
  await cloneRepository({ url: httpServer.url('dotfiles'), homeDir: h.home, into: 'src/dotfiles', ...http });
  assert.ok(existsSync(path.join(h.home, 'src/dotfiles/README.md')));
  await assert.rejects(cloneRepository({ url: httpServer.url('dotfiles'), homeDir: h.home, into: '../escape', ...http }), { code: 'ERR_INVALID_PATH' });
  await assert.rejects(cloneRepository({ url: httpServer.url('dotfiles'), homeDir: h.home, into: '.spoon/x', ...http }), { code: 'ERR_RESERVED_PATH' });
});

test('ownership: uid/gid applied to every entry, symlinks included', { skip: process.getuid() !== 0 && 'needs root' }, async () => {
  const h = newHome(tmp);
  await cloneRepository({ url: httpServer.url('dotfiles'), homeDir: h.home, uid: 12345, gid: 23456, ...http });
  for (const rel of ['', 'README.md', 'link-out', 'bin/tool.sh', '.git', '.git/HEAD', 'nested/deep/file']) {
    const st = lstatSync(path.join(h.dotfiles, rel));
    assert.equal(st.uid, 12345, rel);
    assert.equal(st.gid, 23456, rel);
  }
});

test('shallow: a depth-1 clone of a long history receives a small fraction of the full clone', async () => {
  const shallow = newHome(tmp);
  const full = newHome(tmp);
  const a = await cloneRepository({ url: httpServer.url('long'), homeDir: shallow.home, ...http });
  const b = await cloneRepository({ url: httpServer.url('long'), homeDir: full.home, depth: 0, ...http });
  assert.equal(a.commit, b.commit);
  assert.equal(a.shallow, true);
  assert.equal(b.shallow, false);
  assert.ok(a.receivedBytes * 5 < b.receivedBytes, `shallow ${a.receivedBytes} vs full ${b.receivedBytes}`);
  assert.equal(git(shallow.dotfiles, 'rev-list', '--count', 'HEAD'), '1');
  assert.equal(git(full.dotfiles, 'rev-list', '--count', 'HEAD'), '2000');
});

// libgit2 1.7 and 1.8 stumble over git daemon's shallow answer ("expected SHA1 list"): the clone
// falls back to a full fetch. 1.9 reads it (libgit2 PR 6973) and the shallow clone succeeds. The
// system libgit2 (1.8) and the prebuild's (1.9) both run this test; `shallow` must tell the truth.
const [major, minor] = versions().libgit2.split('.').map(Number);
const gitDaemonShallow = major > 1 || (major === 1 && minor >= 9);

test(`git:// against git daemon: ${gitDaemonShallow ? 'a shallow clone' : 'shallow refused, full fetch instead, reported as shallow: false'}`, async () => {
  const h = newHome(tmp);
  const report = await cloneRepository({ url: daemon.url('dotfiles'), ref: 'feature', homeDir: h.home, allowedProtocols: ['git'], allowedNetworks: ['127.0.0.0/8', '::1/128'] });
  assert.equal(report.commit, fixture.commits.feature);
  assert.equal(report.shallow, gitDaemonShallow);
  assert.equal(existsSync(path.join(h.dotfiles, '.git', 'shallow')), gitDaemonShallow);
  assert.equal(git(h.dotfiles, 'rev-parse', 'HEAD'), fixture.commits.feature);
});

test('HTTPS with a per-clone caFile; without it the certificate is refused', async () => {
  const url = `https://localhost:${httpsServer.port}/dotfiles.git`;
  const h = newHome(tmp);
  const report = await cloneRepository({ url, homeDir: h.home, caFile: tls.caFile, allowedNetworks: ['127.0.0.0/8', '::1/128'] });
  assert.equal(report.commit, fixture.commits.main);
  const bad = newHome(tmp);
  const intact = plantPrevious(bad.home);
  const error = await rejectsKeepingPrevious(bad, intact, cloneRepository({ url, homeDir: bad.home, allowedNetworks: ['127.0.0.0/8', '::1/128'] }), 'ERR_CLONE_FAILED');
  assert.match(error.message, /certificate/i);
  // The right CA, but a name the certificate does not carry (it names DNS:localhost only).
  const byIp = newHome(tmp);
  await assert.rejects(
    cloneRepository({ url: `https://127.0.0.1:${httpsServer.port}/dotfiles.git`, homeDir: byIp.home, caFile: tls.caFile, allowedNetworks: ['127.0.0.0/8'] }),
    (e) => e.code === 'ERR_CLONE_FAILED' && /certificate/i.test(e.message),
  );
  // A CA that did not sign the server's certificate is refused too.
  const other = path.join(tmp, 'other-ca');
  mkdirSync(other);
  const { caFile: wrongCa } = makeTlsFiles(other);
  const wrong = newHome(tmp);
  await assert.rejects(cloneRepository({ url, homeDir: wrong.home, caFile: wrongCa, allowedNetworks: ['127.0.0.0/8', '::1/128'] }), (e) => e.code === 'ERR_CLONE_FAILED' && /certificate/i.test(e.message));
});

test('checkout on two cores: the git CLI finds the tree clean, and the index holds each file\'s stat data', async () => {
  const h = newHome(tmp);
  const report = await cloneRepository({ url: httpServer.url('long'), homeDir: h.home, ...http });
  assert.equal(report.files, 1000);
  assert.equal(git(h.dotfiles, 'status', '--porcelain'), '');
  // The index names exactly the tree's blobs, with their modes.
  assert.equal(git(h.dotfiles, 'ls-files', '--stage'), git(h.dotfiles, 'ls-tree', '-r', 'HEAD').replace(/^(\d+) blob (\w+)\t/gm, '$1 $2 0\t'));
  // Each entry's stat data is the file's, so git compares stat data instead of hashing again.
  const debug = git(h.dotfiles, 'ls-files', '--debug').split('\n');
  let checked = 0;
  for (let i = 0; i < debug.length; i += 6) {
    const file = path.join(h.dotfiles, debug[i]);
    const st = lstatSync(file, { bigint: true });
    const [, mtimeSec, mtimeNsec] = debug[i + 2].match(/mtime: (\d+):(\d+)/);
    const [, dev, ino] = debug[i + 3].match(/dev: (\d+)\s+ino: (\d+)/);
    const [, size] = debug[i + 5].match(/size: (\d+)/);
    assert.equal(BigInt(mtimeSec) * 1000000000n + BigInt(mtimeNsec), st.mtimeNs, debug[i]);
    assert.equal(BigInt(ino), st.ino, debug[i]);
    assert.equal(BigInt(dev), st.dev & 0xffffffffn, debug[i]);
    assert.equal(BigInt(size), st.size, debug[i]);
    checked++;
  }
  assert.equal(checked, 1000);
  // Nothing for git to refresh.
  assert.equal(git(h.dotfiles, 'update-index', '--refresh'), '');
});

// libgit2 asks for no progress messages (scripts/libgit2/patches/no-progress.patch), as git does
// when nobody reads them, so the server's pack-objects runs without --progress. git with
// --progress, against the same server, shows what the trace looks like when it does not.
test('the server is asked for no progress messages and its pack-objects writes none', {
  skip: process.env.HOME_NATIVE_LIBGIT2 === 'system' && 'the system libgit2 carries none of this package\'s patches',
}, async () => {
  const packets = path.join(tmp, 'no-progress-packets');
  const events = path.join(tmp, 'no-progress-trace2');
  const server = await startHttpGitServer(repos, { env: { GIT_TRACE_PACKET: packets, GIT_TRACE2_EVENT: events } });
  const packObjectsArgs = () => readFileSync(events, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line))
    .filter((e) => e.event === 'start' && e.argv.includes('pack-objects')).map((e) => e.argv);
  try {
    const h = newHome(tmp);
    await cloneRepository({ url: server.url('dotfiles'), homeDir: h.home, ...http, onProgress: () => {} });
    const wants = readFileSync(packets, 'utf8').split('\n').filter((line) => /upload-pack< want [0-9a-f]{40} /.test(line));
    assert.ok(wants.length > 0, 'the server saw the want line');
    for (const want of wants) assert.match(want, / no-progress( |$)/, want);
    const ours = packObjectsArgs();
    assert.equal(ours.length, 1, JSON.stringify(ours));
    assert.ok(!ours[0].includes('--progress'), ours[0].join(' '));

    rmSync(events, { force: true });
    // Not execFileSync: the server answers on this process's event loop. Without the sanitizer
    // runtime the suites may run under (LD_PRELOAD): git's HTTP helper hangs with it.
    const { LD_PRELOAD, ...env } = process.env;
    const child = spawn('git', ['clone', '-q', '--progress', '--depth', '1', server.url('dotfiles'), path.join(tmp, 'no-progress-git')], {
      env: { ...env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
      stdio: 'ignore',
      timeout: 60_000,
    });
    const [code] = await once(child, 'exit');
    assert.equal(code, 0, 'git clone --progress');
    const theirs = packObjectsArgs();
    assert.equal(theirs.length, 1, JSON.stringify(theirs));
    assert.ok(theirs[0].includes('--progress'), theirs[0].join(' '));
  } finally {
    await server.stop();
  }
});

test('progress: phases in order, throttled, and a final done event', async () => {
  const h = newHome(tmp);
  const events = [];
  const started = Date.now();
  await cloneRepository({ url: slowServer.url('long'), homeDir: h.home, ...http, onProgress: (p) => events.push({ ...p, at: Date.now() }) });
  const elapsed = Date.now() - started;
  assert.equal(events.at(-1).phase, 'done');
  const order = ['connecting', 'receiving', 'resolving', 'checkout', 'done'];
  const seen = events.map((e) => order.indexOf(e.phase));
  assert.deepEqual(seen, [...seen].sort((x, y) => x - y), 'phases never go back');
  // One per 100 ms, plus each of the five phases' first and last state, and the final one.
  assert.ok(events.length <= elapsed / 100 + 11, `${events.length} events in ${elapsed} ms`);
  // The last receiving state is never dropped for the next phase: it carries the bytes received.
  const receiving = events.filter((e) => e.phase === 'receiving');
  assert.ok(receiving.length > 0, 'a receiving phase is reported');
  assert.ok(receiving.at(-1).receivedBytes > 0, `last receiving state: ${JSON.stringify(receiving.at(-1))}`);
});

test('progress: a JS thread too busy to listen still gets every phase, each with its last state', async () => {
  const h = newHome(tmp);
  const events = [];
  const clone = cloneRepository({ url: httpServer.url('long'), homeDir: h.home, ...http, onProgress: (p) => events.push(p) });
  // The clone runs on its own thread while this one is blocked: its states queue natively.
  const until = Date.now() + 1500;
  while (Date.now() < until);
  const report = await clone;
  const phases = [...new Set(events.map((e) => e.phase))];
  assert.deepEqual(phases, ['connecting', 'receiving', 'resolving', 'checkout', 'done']);
  const last = (phase) => events.filter((e) => e.phase === phase).at(-1);
  assert.equal(last('resolving').receivedObjects, last('resolving').totalObjects);
  assert.ok(last('receiving').receivedBytes > 0);
  assert.equal(last('checkout').checkedOutFiles, last('checkout').totalFiles);
  assert.equal(last('checkout').totalFiles, report.files);
});

test("the host's and the user's git configuration cannot influence the clone; hooks never run", async () => {
  // A child process whose HOME holds a gitconfig that would redirect the URL, set a template
  // with a post-checkout hook, and point core.hooksPath at it.
  const fake = path.join(tmp, 'fake-home');
  const hooks = path.join(fake, 'hooks');
  mkdirSync(hooks, { recursive: true });
  const marker = path.join(tmp, 'hook-ran');
  for (const name of ['post-checkout', 'post-merge', 'pre-commit', 'reference-transaction']) {
    writeFileSync(path.join(hooks, name), `#!/bin/sh\ntouch ${marker}\n`, { mode: 0o755 });
  }
  mkdirSync(path.join(fake, 'template'));
  execFileSync('cp', ['-r', hooks, path.join(fake, 'template/hooks')]);
  writeFileSync(
    path.join(fake, '.gitconfig'),
    `[url "http://localhost:1/"]\n\tinsteadOf = ${httpServer.url('').replace(/\.git$/, '')}\n[core]\n\thooksPath = ${hooks}\n[init]\n\ttemplateDir = ${path.join(fake, 'template')}\n`,
  );
  const h = newHome(tmp);
  const script = `import { cloneRepository } from '@spoon/home-native';
    const r = await cloneRepository({ url: ${JSON.stringify(httpServer.url('dotfiles'))}, homeDir: ${JSON.stringify(h.home)}, allowedProtocols: ['http'], allowedNetworks: ['127.0.0.0/8', '::1/128'] });
    console.log(r.commit);`;
  const { code, out } = await runNode(['--input-type=module', '-e', script], {
    cwd: here,
    env: { ...process.env, HOME: fake, XDG_CONFIG_HOME: path.join(fake, '.config'), GIT_CONFIG_GLOBAL: path.join(fake, '.gitconfig') },
  });
  assert.equal(code, 0, out);
  assert.equal(out.trim(), fixture.commits.main);
  assert.ok(!existsSync(marker), 'no hook ran');
  assert.deepEqual(readdirSync(path.join(h.dotfiles, '.git/hooks')).filter((n) => !n.endsWith('.sample')), []);
});
