// The trust store is the one of the machine the process runs on, found at run time: SSL_CERT_FILE
// or SSL_CERT_DIR when the operator sets them, else the system bundle
// (src/core/git/trust_store.cc). It is read once per process (src/core/git/tls_trust.cc), so each
// case clones in a child process of its own.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDotfilesRepo } from './helpers/fixtures.mjs';
import { runNode } from './helpers/child.mjs';
import { tempDir } from './helpers/temp.mjs';
import { makeTlsChain, makeTlsFiles, startHttpGitServer } from './helpers/servers.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let tmp, fixture, tls, server, chain, chainServer, homes = 0;

before(async () => {
  tmp = tempDir('trust-store-');
  const repos = path.join(tmp, 'repos');
  mkdirSync(repos);
  fixture = buildDotfilesRepo(repos);
  mkdirSync(path.join(tmp, 'tls'));
  tls = makeTlsFiles(path.join(tmp, 'tls'));
  server = await startHttpGitServer(repos, { tls });
  mkdirSync(path.join(tmp, 'chain'));
  chain = makeTlsChain(path.join(tmp, 'chain'));
  const leaf = chain.leaf('localhost');
  chainServer = await startHttpGitServer(repos, { tls: { key: leaf.key, cert: leaf.chain } });
});

after(async () => {
  await server?.stop();
  await chainServer?.stop();
});

// Clones over HTTPS without a caFile in a fresh process with `env` added; its outcome as JSON.
async function cloneInChild(env, url = server.url('dotfiles')) {
  const homeDir = path.join(tmp, 'homes', `h${homes++}`);
  mkdirSync(homeDir, { recursive: true });
  const script = `
    const { cloneRepository } = require(${JSON.stringify(path.join(root, 'dist', 'index.js'))});
    cloneRepository({ url: ${JSON.stringify(url)}, homeDir: ${JSON.stringify(homeDir)}, allowedNetworks: ['127.0.0.0/8', '::1/128'] }).then(
      (r) => console.log(JSON.stringify({ commit: r.commit })),
      (e) => console.log(JSON.stringify({ code: e.code, message: e.message })));`;
  const { SSL_CERT_FILE, SSL_CERT_DIR, ...base } = process.env;
  const { code, stdout, stderr } = await runNode(['-e', script], { env: { ...base, ...env }, timeoutMs: 60_000 });
  assert.equal(code, 0, stderr);
  return JSON.parse(stdout);
}

test('SSL_CERT_FILE names the trust store', async () => {
  const result = await cloneInChild({ SSL_CERT_FILE: tls.caFile });
  assert.deepEqual(result, { commit: fixture.commits.main });
});

test('SSL_CERT_FILE with only the root: the intermediate the server sends completes the chain', async () => {
  const result = await cloneInChild({ SSL_CERT_FILE: chain.rootFile }, chainServer.url('dotfiles'));
  assert.deepEqual(result, { commit: fixture.commits.main });
});

// OpenSSL's layout, as /etc/ssl/certs has it: each CA under its subject hash (`openssl rehash`).
test('SSL_CERT_DIR names a directory of certificates in OpenSSL\'s hashed layout', async () => {
  const dir = path.join(tmp, 'cert-dir');
  mkdirSync(dir);
  const hash = execFileSync('openssl', ['x509', '-hash', '-noout', '-in', tls.caFile], { encoding: 'utf8' }).trim();
  copyFileSync(tls.caFile, path.join(dir, `${hash}.0`));
  const result = await cloneInChild({ SSL_CERT_DIR: dir });
  assert.deepEqual(result, { commit: fixture.commits.main });
});

test('without them, the system bundle is used: it does not know the test CA', async () => {
  const result = await cloneInChild({});
  assert.equal(result.code, 'ERR_CLONE_FAILED', JSON.stringify(result));
  assert.match(result.message, /certificate/i);
});

test('a trust store that cannot be read fails the clone with its reason', async () => {
  const result = await cloneInChild({ SSL_CERT_FILE: path.join(tmp, 'missing.pem') });
  assert.equal(result.code, 'ERR_CLONE_FAILED', JSON.stringify(result));
  assert.match(result.message, /trust store/);
});
