// HTTPS clones on the process's OpenSSL (src/core/git/tls_stream.cc): full chain verification
// with the intermediates the server sends, IP-address subjectAltNames, the refusals (name,
// address, expiry, unknown CA, not TLS at all), per-clone trust that no other clone sees, and the
// clone's deadline and abort during the handshake. Certificates: a root -> intermediate -> leaf
// chain made by the openssl CLI for each run; servers: git http-backend behind Node's https.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { cloneRepository, HomeNativeError } from '@spoon/home-native';
import { buildDotfilesRepo, git } from './helpers/fixtures.mjs';
import { tempDir } from './helpers/temp.mjs';
import { listenOnLoopback, makeTlsChain, startHttpGitServer } from './helpers/servers.mjs';
import { newHome, plantPrevious, stagingDebris } from './helpers/home.mjs';

let tmp, repos, fixture, chain, other;
const servers = {};

before(async () => {
  tmp = tempDir('home-native-tls-');
  repos = path.join(tmp, 'repos');
  mkdirSync(repos);
  fixture = buildDotfilesRepo(repos);
  const dir = (name) => {
    const d = path.join(tmp, name);
    mkdirSync(d);
    return d;
  };
  chain = makeTlsChain(dir('chain'), 'chain');
  other = makeTlsChain(dir('other'), 'other');
  const serve = (leaf, { sendChain = true, ...options } = {}) =>
    startHttpGitServer(repos, { tls: { key: leaf.key, cert: sendChain ? leaf.chain : leaf.cert }, ...options });
  servers.chain = await serve(chain.leaf('localhost'));
  servers.leafOnly = await serve(chain.leaf('localhost'), { sendChain: false });
  servers.ip = await serve(chain.leaf('127.0.0.1', { san: 'IP:127.0.0.1' }), { urlHost: '127.0.0.1' });
  servers.dnsOnlyByIp = await serve(chain.leaf('localhost'), { urlHost: '127.0.0.1' });
  servers.otherName = await serve(chain.leaf('git.example.org', { san: 'DNS:git.example.org' }));
  servers.expired = await serve(chain.leaf('localhost', { expired: true }));
  // Both answer each request 300 ms late, so that clones started together are in flight together.
  servers.slowChain = await serve(chain.leaf('localhost'), { stallMs: 300 });
  servers.slowOther = await serve(other.leaf('localhost'), { stallMs: 300 });
});

after(async () => {
  for (const server of Object.values(servers)) await server.stop();
});

// Every clone of this file goes through here: HTTPS only, as the default allows, to servers on
// loopback, which the network policy refuses unless allowed.
const cloneOptions = (url, home, extra = {}) => ({ url, homeDir: home.home, allowedNetworks: ['127.0.0.0/8', '::1/128'], ...extra });

async function clones(url, extra) {
  const h = newHome(tmp);
  const report = await cloneRepository(cloneOptions(url, h, extra));
  assert.equal(report.commit, fixture.commits.main);
  assert.equal(git(h.dotfiles, 'rev-parse', 'HEAD'), fixture.commits.main);
}

/** The clone fails with ERR_CLONE_FAILED and a message matching `reason`, keeping what was there. */
async function refused(url, extra, reason) {
  const h = newHome(tmp);
  const intact = plantPrevious(h.home);
  const error = await cloneRepository(cloneOptions(url, h, extra)).then(
    () => assert.fail(`expected a refusal (${reason}), the clone succeeded`),
    (e) => e,
  );
  assert.ok(error instanceof HomeNativeError, String(error));
  assert.equal(error.code, 'ERR_CLONE_FAILED', error.message);
  assert.match(error.message, reason);
  assert.ok(intact(), 'the previous ~/.dotfiles must be kept');
  assert.deepEqual(stagingDebris(h.staging), []);
  return error;
}

test('a caFile with only the root: the intermediate the server sends completes the chain', async () => {
  await clones(servers.chain.url('dotfiles'), { caFile: chain.rootFile });
});

test('a server that does not send its intermediate: refused with the root alone, accepted when caFile holds it', async () => {
  const error = await refused(servers.leafOnly.url('dotfiles'), { caFile: chain.rootFile }, /unable to get local issuer certificate/);
  assert.match(error.message, /intermediate certificates/);
  const both = path.join(tmp, 'root-and-intermediate.pem');
  writeFileSync(both, readFileSync(chain.rootFile, 'utf8') + readFileSync(chain.intermediateFile, 'utf8'));
  await clones(servers.leafOnly.url('dotfiles'), { caFile: both });
});

test('https://127.0.0.1:PORT with a certificate for IP:127.0.0.1 is accepted', async () => {
  assert.match(servers.ip.url('dotfiles'), /^https:\/\/127\.0\.0\.1:\d+\//);
  await clones(servers.ip.url('dotfiles'), { caFile: chain.rootFile });
});

test('an address the certificate does not name is refused (DNS:localhost only, reached as 127.0.0.1)', async () => {
  await refused(servers.dnsOnlyByIp.url('dotfiles'), { caFile: chain.rootFile }, /TLS certificate of 127\.0\.0\.1 rejected: IP address mismatch/);
});

test('a certificate for another name is refused', async () => {
  await refused(servers.otherName.url('dotfiles'), { caFile: chain.rootFile }, /TLS certificate of localhost rejected: hostname mismatch/);
});

test('an expired certificate is refused', async () => {
  await refused(servers.expired.url('dotfiles'), { caFile: chain.rootFile }, /TLS certificate of localhost rejected: certificate has expired/);
});

test('a CA that did not sign the chain, or none beside the system store, is refused', async () => {
  await refused(servers.chain.url('dotfiles'), { caFile: other.rootFile }, /rejected: unable to get local issuer certificate/);
  await refused(servers.chain.url('dotfiles'), {}, /rejected: unable to get local issuer certificate/);
});

test('a caFile that holds no certificate is refused with its path', async () => {
  const junk = path.join(tmp, 'not-a-bundle.pem');
  writeFileSync(junk, 'not a certificate\n');
  await refused(servers.chain.url('dotfiles'), { caFile: junk }, new RegExp(`caFile ${junk} could not be loaded: no certificate`));
  await refused(servers.chain.url('dotfiles'), { caFile: path.join(tmp, 'missing.pem') }, /caFile .*missing\.pem could not be loaded/);
});

test('clones at once with different caFiles do not see each other\'s CA', async () => {
  const a = servers.slowChain.url('dotfiles');
  const b = servers.slowOther.url('dotfiles');
  const started = servers.slowChain.stats.requests + servers.slowOther.stats.requests;
  const outcome = (url, caFile) => {
    const h = newHome(tmp);
    return cloneRepository(cloneOptions(url, h, { caFile })).then(
      (r) => r.commit,
      (e) => e.code,
    );
  };
  // Four clones on the four clone threads, each pair of servers with one CA that fits and one
  // that does not: a store shared between clones would let a mismatched pair through.
  const results = await Promise.all([
    outcome(a, chain.rootFile),
    outcome(b, other.rootFile),
    outcome(a, other.rootFile),
    outcome(b, chain.rootFile),
  ]);
  assert.deepEqual(results, [fixture.commits.main, fixture.commits.main, 'ERR_CLONE_FAILED', 'ERR_CLONE_FAILED']);
  assert.ok(servers.slowChain.stats.requests + servers.slowOther.stats.requests > started);
  // Nor did any of them leave its CA behind for a clone that brings none.
  await refused(a, {}, /unable to get local issuer certificate/);
  await refused(b, {}, /unable to get local issuer certificate/);
});

// A server that accepts the connection and never says a word of TLS: the handshake waits on it.
async function silentServer() {
  const server = net.createServer(() => {});
  const { port, destroyConnections } = await listenOnLoopback(server);
  return {
    url: `https://localhost:${port}/dotfiles.git`,
    async stop() {
      destroyConnections();
      server.close();
    },
  };
}

test('the deadline holds during a handshake the server never answers', { timeout: 30_000 }, async () => {
  const silent = await silentServer();
  try {
    const h = newHome(tmp);
    const started = Date.now();
    await assert.rejects(cloneRepository(cloneOptions(silent.url, h, { timeoutMs: 400 })), { code: 'ERR_CLONE_TIMEOUT' });
    // The socket stream looks at the deadline every 50 ms; far below the 30 s server timeout.
    assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
  } finally {
    await silent.stop();
  }
});

test('an abort holds during a handshake the server never answers', { timeout: 30_000 }, async () => {
  const silent = await silentServer();
  try {
    const h = newHome(tmp);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const started = Date.now();
    await assert.rejects(cloneRepository(cloneOptions(silent.url, h, { signal: controller.signal })), { code: 'ERR_ABORTED' });
    assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
  } finally {
    await silent.stop();
  }
});

test('a server that does not speak TLS: the handshake fails with OpenSSL\'s reason', async () => {
  const plain = await startHttpGitServer(repos);
  try {
    const url = plain.url('dotfiles').replace(/^http:/, 'https:');
    await refused(url, { caFile: chain.rootFile }, /TLS handshake with localhost failed: \w+/);
  } finally {
    await plain.stop();
  }
});
