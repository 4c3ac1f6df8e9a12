// Hostile git servers: garbage, a truncated pack, an endless pack, an endless ref advertisement,
// redirects to another host or to a scheme that is not allowed. Each clone must end with its
// error code within its timeout, keep the previous ~/.dotfiles and leave no staging debris.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { cloneRepository, HomeNativeError } from '@spoon/home-native';
import { buildDotfilesRepo, buildLargeBlobRepo } from './helpers/fixtures.mjs';
import { tempDir } from './helpers/temp.mjs';
import { startHttpGitServer } from './helpers/servers.mjs';
import { startBadGitServer } from './helpers/bad-servers.mjs';
import { newHome, plantPrevious, stagingDebris } from './helpers/home.mjs';

let tmp, repos, good, truncating;
const servers = [];

before(async () => {
  tmp = tempDir('home-native-bad-');
  repos = path.join(tmp, 'repos');
  mkdirSync(repos);
  buildDotfilesRepo(repos);
  buildLargeBlobRepo(repos, { bytes: 2 << 20 });
  good = await startHttpGitServer(repos);
  truncating = await startHttpGitServer(repos, { truncateAfterBytes: 64 * 1024 });
  servers.push(good, truncating);
});

after(async () => {
  for (const server of servers) await server.stop();
});

const TIMEOUT_MS = 3000;

/** Clones from `url` into a home with a previous checkout; returns { error, ms }. */
async function badClone(url, options = {}) {
  const h = newHome(tmp);
  const intact = plantPrevious(h.home);
  const started = performance.now();
  const error = await cloneRepository({ url, homeDir: h.home, allowedProtocols: ['http'], allowedNetworks: ['127.0.0.0/8', '::1/128'], timeoutMs: TIMEOUT_MS, ...options }).then(
    () => assert.fail(`the clone from ${url} succeeded`),
    (e) => e,
  );
  const ms = performance.now() - started;
  assert.ok(error instanceof HomeNativeError, String(error));
  assert.ok(intact(), 'the previous ~/.dotfiles is intact');
  assert.deepEqual(stagingDebris(h.staging), [], 'no staging debris');
  // The deadline holds: a little slack for the poll tick and a loaded machine.
  assert.ok(ms < TIMEOUT_MS + 1500, `took ${ms.toFixed(0)} ms`);
  return { error, ms };
}

async function bad(mode, extra) {
  const server = await startBadGitServer(mode, extra);
  servers.push(server);
  return server;
}

test('garbage instead of a ref advertisement: ERR_CLONE_FAILED', async (t) => {
  const server = await bad('garbage');
  const { error, ms } = await badClone(server.url('dotfiles'));
  assert.equal(error.code, 'ERR_CLONE_FAILED', error.message);
  t.diagnostic(`garbage: ${error.code} in ${ms.toFixed(0)} ms`);
});

test('a pack cut short with a clean end of response: ERR_CLONE_FAILED', async (t) => {
  const { error, ms } = await badClone(truncating.url('large'));
  assert.equal(error.code, 'ERR_CLONE_FAILED', error.message);
  t.diagnostic(`truncated pack: ${error.code} in ${ms.toFixed(0)} ms: ${error.message}`);
});

test('an endless pack: refused by its 64 GiB header, else ERR_CLONE_TOO_LARGE at the byte limit, ERR_CLONE_TIMEOUT without one', async (t) => {
  const server = await bad('endless-pack');
  const announced = await badClone(server.url('dotfiles'), { depth: 0 });
  assert.equal(announced.error.code, 'ERR_CLONE_TOO_LARGE', announced.error.message);
  assert.match(announced.error.message, /maxFileBytes \(104857600 bytes in one object: the pack announces 68719476736\)/);
  // With the file limit lifted, the stream itself must meet the other limits.
  const lifted = { depth: 0, maxFileBytes: 2 ** 40 };
  const sentBefore = server.stats.bytesSent;
  const limited = await badClone(server.url('dotfiles'), { ...lifted, maxBytes: 4 << 20 });
  assert.equal(limited.error.code, 'ERR_CLONE_TOO_LARGE', limited.error.message);
  assert.match(limited.error.message, /maxBytes/);
  const sentAtLimit = server.stats.bytesSent;
  const timed = await badClone(server.url('dotfiles'), { ...lifted, timeoutMs: 1500 });
  assert.equal(timed.error.code, 'ERR_CLONE_TIMEOUT', timed.error.message);
  t.diagnostic(`endless pack: ${announced.error.code} (maxFileBytes) in ${announced.ms.toFixed(0)} ms; ` +
    `${limited.error.code} in ${limited.ms.toFixed(0)} ms (${sentAtLimit - sentBefore} bytes sent); ` +
    `${timed.error.code} in ${timed.ms.toFixed(0)} ms (${server.stats.bytesSent - sentAtLimit} bytes sent)`);
});

test('an endless ref advertisement: stopped by the byte limit or the deadline, memory bounded', async (t) => {
  const server = await bad('huge-refs');
  const rssBefore = process.memoryUsage().rss;
  const limited = await badClone(server.url('dotfiles'), { maxBytes: 8 << 20 });
  assert.equal(limited.error.code, 'ERR_CLONE_TOO_LARGE', limited.error.message);
  const timed = await badClone(server.url('dotfiles'), { timeoutMs: 1500 });
  assert.ok(['ERR_CLONE_TIMEOUT', 'ERR_CLONE_TOO_LARGE'].includes(timed.error.code), timed.error.message);
  const grown = process.memoryUsage().rss - rssBefore;
  t.diagnostic(`huge refs: ${limited.error.code} in ${limited.ms.toFixed(0)} ms; ${timed.error.code} in ${timed.ms.toFixed(0)} ms; ` +
    `${server.stats.bytesSent} bytes sent; rss +${(grown / 2 ** 20).toFixed(0)} MiB`);
});

test('a redirect to another host is refused (ERR_CLONE_FAILED) before connecting to it', async (t) => {
  // 127.0.0.2 is loopback too: were the redirect followed, the real server would be reached.
  const elsewhere = await startHttpGitServer(repos);
  servers.push(elsewhere);
  const toOtherHost = await bad('redirect', { location: (p) => `http://127.0.0.2:${good.port}${p.replace('/moved/', '/')}` });
  const before = good.stats.requests;
  const { error } = await badClone(toOtherHost.url('moved/dotfiles'));
  assert.equal(error.code, 'ERR_CLONE_FAILED', error.message);
  assert.match(error.message, /redirect/i);
  assert.equal(good.stats.requests, before, 'the other host was never asked');
  t.diagnostic(`other host: ${error.code}: ${error.message}`);
});

test('a redirect to a scheme that is not allowed is ERR_PROTOCOL_NOT_ALLOWED', async (t) => {
  const cases = {
    file: () => `file://${repos}/dotfiles.git`,
    ext: () => 'ext::sh -c touch% /tmp/home-native-pwned',
    ssh: () => 'ssh://git@localhost/dotfiles.git',
  };
  for (const [name, to] of Object.entries(cases)) {
    const server = await bad('redirect', { location: to });
    const { error } = await badClone(server.url('dotfiles'));
    assert.equal(error.code, 'ERR_PROTOCOL_NOT_ALLOWED', `${name}: ${error.message}`);
    t.diagnostic(`${name}: ${error.code}: ${error.message}`);
  }
});
