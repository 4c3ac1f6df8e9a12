// The network policy (docs/guarantees.md, "The URL is hostile"): by default a clone reaches public
// unicast addresses only. Only loopback is a real target on test machines: a listener on
// 127.0.0.1 and ::1 counts connections and must see none from any spelling of loopback, over
// https, http and git://; every other class of address is proven by the classifier's C++ table
// (cpp-tests/address_policy_test.cc). Then the allow-list, the lookup (its deadline, its abort,
// its answer being what is checked), the proxy variables and the CLI's --allow-network.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { createRequire } from 'node:module';
import { cloneRepository, configure, HomeNativeError } from '@spoon/home-native';
import { buildDotfilesRepo } from './helpers/fixtures.mjs';
import { tempDir } from './helpers/temp.mjs';
import { makeTlsFiles, startHttpGitServer } from './helpers/servers.mjs';
import { loopback, startCountingListener, startProxy } from './helpers/network-peers.mjs';
import { newHome, plantPrevious, stagingDebris } from './helpers/home.mjs';
import { runCli } from './helpers/cli.mjs';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const { proxyFor, bypassesProxy } = require('../dist/proxy-env.js');

let tmp, repos, fixture, tls, listener, httpServer, httpsServer, proxy;
const everyProtocol = ['https', 'http', 'git'];

before(async () => {
  tmp = tempDir('home-native-network-');
  repos = path.join(tmp, 'repos');
  mkdirSync(repos);
  fixture = buildDotfilesRepo(repos);
  mkdirSync(path.join(tmp, 'tls'));
  tls = makeTlsFiles(path.join(tmp, 'tls'));
  listener = await startCountingListener();
  httpServer = await startHttpGitServer(repos);
  httpsServer = await startHttpGitServer(repos, { tls });
  proxy = await startProxy();
});

after(async () => {
  for (const peer of [listener, httpServer, httpsServer, proxy]) await peer?.stop();
});

/** The clone's error; fails the test if the clone succeeds. */
async function failure(options) {
  return cloneRepository(options).then(
    () => assert.fail(`expected a failure for ${options.url}`),
    (error) => error,
  );
}

/** Asserts a refusal by the policy: its code, the host and the kind named, nothing kept from the server. */
function assertRefused(error, { host, kind }) {
  assert.ok(error instanceof HomeNativeError, String(error));
  assert.equal(error.code, 'ERR_DESTINATION_NOT_ALLOWED', error.message);
  assert.ok(error.message.includes(host), `names the host ${host}: ${error.message}`);
  assert.match(error.message, new RegExp(kind));
  assert.ok(error.url, 'the refused URL is the error`s url');
}

// Every spelling the URL parser or inet_aton turns into a loopback (or unspecified, which Linux
// connects to loopback) address. `null`: libgit2's URL parser refuses the spelling itself
// (dotted IPv4 inside an IPv6 literal), before anything resolves or connects.
const loopbackSpellings = [
  ['127.0.0.1', 'loopback'],
  ['localhost', 'loopback'],
  ['LocalHost', 'loopback'],
  ['127.1', 'loopback'],
  ['127.0.1', 'loopback'],
  ['2130706433', 'loopback'],
  ['0x7f000001', 'loopback'],
  ['0177.0.0.1', 'loopback'],
  ['0x7f.0.0.1', 'loopback'],
  ['[::1]', 'loopback'],
  ['[::ffff:7f00:1]', 'loopback'],
  ['[0:0:0:0:0:ffff:7f00:1]', 'loopback'],
  ['[::7f00:1]', 'loopback'],
  ['[64:ff9b::7f00:1]', 'loopback'],
  ['[::ffff:127.0.0.1]', null],
  ['[0:0:0:0:0:ffff:127.0.0.1]', null],
  ['0.0.0.0', 'unspecified'],
  ['0', 'unspecified'],
  ['[::]', 'unspecified'],
];

test('default settings: no spelling of loopback reaches a loopback listener, over https, http or git://', { timeout: 60_000 }, async () => {
  const h = newHome(tmp);
  const intact = plantPrevious(h.home);
  for (const scheme of everyProtocol) {
    for (const [spelling, kind] of loopbackSpellings) {
      const url = `${scheme}://${spelling}:${listener.port}/dotfiles.git`;
      const error = await failure({ url, homeDir: h.home, allowedProtocols: everyProtocol, timeoutMs: 10_000 });
      if (kind === null) {
        assert.equal(error.code, 'ERR_CLONE_FAILED', error.message);
        assert.match(error.message, /invalid url: malformed hostname/);
      } else {
        assertRefused(error, { host: spelling.replace(/^\[|\]$/g, ''), kind });
      }
    }
  }
  assert.equal(listener.count(), 0, 'no connection reached the listener');
  assert.ok(intact(), 'the previous ~/.dotfiles is kept');
  assert.deepEqual(stagingDebris(h.staging), []);
});

test('ssh, which connects through the ssh binary, is checked by host name before it starts', async () => {
  const h = newHome(tmp);
  for (const url of [`ssh://git@127.0.0.1:${listener.port}/x.git`, `ssh://git@[::1]:${listener.port}/x.git`, 'git@127.1:x.git', 'git@[::]:x.git']) {
    const error = await failure({ url, homeDir: h.home, allowedProtocols: ['ssh'], timeoutMs: 10_000 });
    assert.equal(error.code, 'ERR_DESTINATION_NOT_ALLOWED', `${url}: ${error.message}`);
  }
  assert.equal(listener.count(), 0);
});

test('a name with a trailing dot (`localhost.`) ends at the same check, or fails to resolve: it never connects', async () => {
  const h = newHome(tmp);
  const error = await failure({ url: `http://localhost.:${listener.port}/x.git`, homeDir: h.home, allowedProtocols: ['http'], timeoutMs: 10_000 });
  if (error.code === 'ERR_CLONE_FAILED') {
    assert.match(error.message, /failed to resolve address for localhost\./);
  } else {
    assertRefused(error, { host: 'localhost.', kind: 'loopback' });
  }
  assert.equal(listener.count(), 0);
});

test('the allow-list lets a loopback server through, for this clone or for every clone', async (t) => {
  const direct = newHome(tmp);
  const report = await cloneRepository({ url: httpServer.url('dotfiles'), homeDir: direct.home, allowedProtocols: ['http'], allowedNetworks: loopback });
  assert.equal(report.commit, fixture.commits.main);
  // Only the networks listed: 127.0.0.0/8 does not cover ::1, and 10/8 covers neither.
  const narrow = newHome(tmp);
  assertRefused(await failure({ url: `http://[::1]:${listener.port}/x.git`, homeDir: narrow.home, allowedProtocols: ['http'], allowedNetworks: ['127.0.0.0/8'] }), { host: '::1', kind: 'loopback' });
  assertRefused(await failure({ url: httpServer.url('dotfiles'), homeDir: narrow.home, allowedProtocols: ['http'], allowedNetworks: ['10.0.0.0/8'] }), { host: 'localhost', kind: 'loopback' });
  assert.equal(listener.count(), 0);

  t.after(() => configure({ clone: { allowedNetworks: [] } }));
  configure({ clone: { allowedNetworks: ['127.0.0.0/8'] } });
  const configured = newHome(tmp);
  const https = await cloneRepository({ url: httpsServer.url('dotfiles'), homeDir: configured.home, caFile: tls.caFile });
  assert.equal(https.commit, fixture.commits.main);
});

test('allowedNetworks is validated by the same parser the clone uses, naming the bad entry', async () => {
  const h = newHome(tmp);
  for (const bad of ['10.0.0.1/8', '10.0.0.0/33', 'localhost', '127.1/8', '']) {
    assert.throws(() => configure({ clone: { allowedNetworks: ['127.0.0.0/8', bad] } }), (e) => {
      assert.equal(e.code, 'ERR_INVALID_ARG_TYPE');
      assert.ok(e.message.includes(`'${bad}'`), e.message);
      return true;
    });
    await assert.rejects(cloneRepository({ url: httpServer.url('dotfiles'), homeDir: h.home, allowedNetworks: [bad] }), { code: 'ERR_INVALID_ARG_TYPE' });
  }
  assert.throws(() => configure({ clone: { allowedNetworks: '127.0.0.0/8' } }), { code: 'ERR_INVALID_ARG_TYPE' });
  assert.throws(() => configure({ clone: { lookup: 'dns' } }), { code: 'ERR_INVALID_ARG_TYPE', message: /clone\.lookup/ });
  await assert.rejects(cloneRepository({ url: httpServer.url('dotfiles'), homeDir: h.home, lookup: 1 }), { code: 'ERR_INVALID_ARG_TYPE', message: /lookup/ });
});

test('a lookup answering a loopback address for a public-looking name is refused: the answer is what is checked', async () => {
  const asked = [];
  const lookup = (hostname, options, callback) => {
    asked.push({ hostname, options });
    callback(null, [{ address: '127.0.0.1', family: 4 }]);
  };
  const h = newHome(tmp);
  for (const scheme of ['https', 'http']) {
    const error = await failure({ url: `${scheme}://git.example.com:${listener.port}/x.git`, homeDir: h.home, allowedProtocols: ['https', 'http'], lookup });
    assertRefused(error, { host: 'git.example.com (127.0.0.1)', kind: 'loopback' });
  }
  assert.deepEqual(asked.map((a) => a.hostname), ['git.example.com', 'git.example.com']);
  assert.equal(asked[0].options.all, true);
  // One private address among public ones refuses the name.
  const mixed = (hostname, options, callback) => callback(null, [{ address: '140.82.112.3', family: 4 }, { address: '::1', family: 6 }]);
  assertRefused(await failure({ url: `https://git.example.com:${listener.port}/x.git`, homeDir: h.home, lookup: mixed }), { host: 'git.example.com', kind: 'loopback' });
  // The `(err, address, family)` form of the callback counts the same.
  const single = (hostname, options, callback) => callback(null, '169.254.169.254', 4);
  assertRefused(await failure({ url: 'https://metadata.example/x.git', homeDir: h.home, lookup: single }), { host: 'metadata.example (169.254.169.254)', kind: 'link-local' });
  assert.equal(listener.count(), 0);
});

test('the lookup the operator plugs in is the one clones use, and its answer is what the socket connects to', async (t) => {
  const asked = [];
  t.after(() => configure({ clone: { lookup: undefined, allowedNetworks: [] } }));
  configure({
    clone: {
      allowedNetworks: loopback,
      lookup: (hostname, options, callback) => {
        asked.push(hostname);
        callback(null, [{ address: '127.0.0.1', family: 4 }]);
      },
    },
  });
  const h = newHome(tmp);
  const report = await cloneRepository({ url: httpServer.url('dotfiles').replace('localhost', 'dotfiles.internal.example'), homeDir: h.home, allowedProtocols: ['http'] });
  assert.equal(report.commit, fixture.commits.main);
  assert.ok(asked.length >= 1 && asked.every((name) => name === 'dotfiles.internal.example'), JSON.stringify(asked));
});

test('a lookup that fails or throws is ERR_CLONE_FAILED saying so', async () => {
  const h = newHome(tmp);
  const enotfound = (hostname, options, callback) => callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
  const error = await failure({ url: 'https://nowhere.example/x.git', homeDir: h.home, lookup: enotfound });
  assert.equal(error.code, 'ERR_CLONE_FAILED');
  assert.match(error.message, /failed to resolve address for nowhere\.example: ENOTFOUND/);
  const throwing = () => {
    throw new Error('resolver exploded');
  };
  const thrown = await failure({ url: 'https://nowhere.example/x.git', homeDir: h.home, lookup: throwing });
  assert.equal(thrown.code, 'ERR_CLONE_FAILED');
  assert.match(thrown.message, /resolver exploded/);
  const garbage = (hostname, options, callback) => callback(null, [{ address: 'not-an-address', family: 4 }]);
  assert.match((await failure({ url: 'https://nowhere.example/x.git', homeDir: h.home, lookup: garbage })).message, /not a list of IP addresses/);
});

test('a lookup that never answers ends at the deadline and at an abort, and frees the clone thread', { timeout: 30_000 }, async (t) => {
  t.after(() => configure({ clone: { concurrency: 4 } }));
  // One clone thread: the clone after the stuck lookups can only run if they freed it.
  configure({ clone: { concurrency: 1 } });
  const never = () => {};
  const h = newHome(tmp);
  const intact = plantPrevious(h.home);
  let started = Date.now();
  const timedOut = await failure({ url: 'https://never.example/x.git', homeDir: h.home, lookup: never, timeoutMs: 800 });
  const timeoutSettled = Date.now() - started;
  assert.equal(timedOut.code, 'ERR_CLONE_TIMEOUT', timedOut.message);
  assert.ok(timeoutSettled < 800 + 1000, `settled ${timeoutSettled} ms after the start, timeoutMs 800`);
  t.diagnostic(`a lookup that never answers: ERR_CLONE_TIMEOUT after ${timeoutSettled} ms (timeoutMs 800)`);

  const controller = new AbortController();
  started = Date.now();
  setTimeout(() => controller.abort(), 300);
  const aborted = await failure({ url: 'https://never.example/x.git', homeDir: h.home, lookup: never, signal: controller.signal });
  assert.equal(aborted.code, 'ERR_ABORTED', aborted.message);
  const abortSettled = Date.now() - started;
  assert.ok(abortSettled < 300 + 1000, `settled ${abortSettled} ms after the start, aborted at 300`);
  t.diagnostic(`a lookup that never answers: ERR_ABORTED ${abortSettled - 300} ms after the abort`);
  assert.ok(intact());
  assert.deepEqual(stagingDebris(h.staging), []);

  const next = newHome(tmp);
  const report = await cloneRepository({ url: httpServer.url('dotfiles'), homeDir: next.home, allowedProtocols: ['http'], allowedNetworks: loopback, timeoutMs: 10_000 });
  assert.equal(report.commit, fixture.commits.main);
});

const canUnshare = process.getuid?.() === 0 && spawnSync('unshare', ['-m', 'true']).status === 0;

test('the system resolver, facing a name server that never answers, ends at the deadline and frees the thread', { skip: !canUnshare && 'needs root and unshare -m', timeout: 60_000 }, async (t) => {
  const dir = path.join(tmp, 'silent-dns');
  mkdirSync(path.join(dir, 'home'), { recursive: true });
  const resolvConf = path.join(dir, 'resolv.conf');
  writeFileSync(resolvConf, 'nameserver 127.0.0.1\noptions timeout:30 attempts:5\n');
  const child = path.join(here, 'children', 'silent-dns.mjs');
  const bare = path.join(repos, 'dotfiles.git');
  const script = `mount --bind ${resolvConf} /etc/resolv.conf && exec ${process.execPath} ${child} ${path.join(dir, 'home')} file://${bare} 800`;
  // Not runNode (helpers/child.mjs): node runs inside a mount namespace of its own (unshare), with
  // the same hard kill.
  const result = spawnSync('unshare', ['-m', 'sh', '-c', script], { cwd: here, encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL' });
  assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
  const outcome = JSON.parse(result.stdout.trim().split('\n').pop());
  t.diagnostic(`silent name server: ${outcome.code} after ${outcome.settledMs} ms (timeoutMs 800), ${outcome.queries} queries, then ${outcome.followUp}`);
  assert.equal(outcome.code, 'ERR_CLONE_TIMEOUT');
  assert.ok(outcome.queries >= 1, 'the resolver did ask the silent server');
  assert.ok(outcome.settledMs < 800 + 1000, `settled ${outcome.settledMs} ms after the start, timeoutMs 800`);
  assert.equal(outcome.followUp, fixture.commits.main, 'the one clone thread cloned again');
});

// --- proxies: read from the environment the way curl and git read it ---

/** Runs `fn` with the proxy variables set to `vars` (and every other proxy variable unset). */
async function withProxyEnv(vars, fn) {
  const names = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY', 'all_proxy', 'ALL_PROXY', 'no_proxy', 'NO_PROXY'];
  const saved = Object.fromEntries(names.map((n) => [n, process.env[n]]));
  for (const n of names) delete process.env[n];
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const n of names) {
      if (saved[n] === undefined) delete process.env[n];
      else process.env[n] = saved[n];
    }
  }
}

test('HTTPS_PROXY carries an https clone through CONNECT; the target is still checked by the policy', async () => {
  const port = new URL(httpsServer.url('dotfiles')).port;
  await withProxyEnv({ HTTPS_PROXY: proxy.url }, async () => {
    proxy.requests.length = 0;
    const h = newHome(tmp);
    const report = await cloneRepository({ url: httpsServer.url('dotfiles'), homeDir: h.home, caFile: tls.caFile, allowedNetworks: ['127.0.0.0/8'] });
    assert.equal(report.commit, fixture.commits.main);
    assert.ok(proxy.requests.length >= 1 && proxy.requests.every((r) => r === `CONNECT localhost:${port}`), JSON.stringify(proxy.requests));

    // Without the allowance the target (loopback) is refused before anything is sent to the proxy.
    proxy.requests.length = 0;
    const refused = await failure({ url: httpsServer.url('dotfiles'), homeDir: h.home, caFile: tls.caFile });
    assertRefused(refused, { host: 'localhost', kind: 'loopback' });
    assert.deepEqual(proxy.requests, []);
  });
});

test('http_proxy carries an http clone (absolute-form requests); NO_PROXY sends a host around the proxy', async () => {
  await withProxyEnv({ http_proxy: proxy.url }, async () => {
    proxy.requests.length = 0;
    const h = newHome(tmp);
    const report = await cloneRepository({ url: httpServer.url('dotfiles'), homeDir: h.home, allowedProtocols: ['http'], allowedNetworks: loopback });
    assert.equal(report.commit, fixture.commits.main);
    assert.ok(proxy.requests.length >= 2, JSON.stringify(proxy.requests));
    assert.ok(proxy.requests.every((r) => r.startsWith(`GET ${httpServer.url('dotfiles')}`) || r.startsWith(`POST ${httpServer.url('dotfiles')}`)), JSON.stringify(proxy.requests));
  });
  await withProxyEnv({ https_proxy: proxy.url, no_proxy: 'example.com,localhost' }, async () => {
    proxy.requests.length = 0;
    const h = newHome(tmp);
    await cloneRepository({ url: httpsServer.url('dotfiles'), homeDir: h.home, caFile: tls.caFile, allowedNetworks: loopback });
    assert.deepEqual(proxy.requests, [], 'NO_PROXY=localhost: a direct connection');
  });
  // curl ignores upper-case HTTP_PROXY (it can come from a request header in CGI programs).
  await withProxyEnv({ HTTP_PROXY: proxy.url }, async () => {
    proxy.requests.length = 0;
    const h = newHome(tmp);
    await cloneRepository({ url: httpServer.url('dotfiles'), homeDir: h.home, allowedProtocols: ['http'], allowedNetworks: loopback });
    assert.deepEqual(proxy.requests, []);
  });
});

test('a proxy the package cannot use is ERR_NOT_CONFIGURED, never a clone that goes around it', async () => {
  const h = newHome(tmp);
  for (const value of ['socks5://127.0.0.1:1080', 'https://proxy.example:3128', 'http://user:pw@proxy.example:3128', 'http://[bad']) {
    await withProxyEnv({ HTTPS_PROXY: value }, async () => {
      const error = await failure({ url: httpsServer.url('dotfiles'), homeDir: h.home, allowedNetworks: loopback });
      assert.equal(error.code, 'ERR_NOT_CONFIGURED', `${value}: ${error.message}`);
      assert.ok(!error.message.includes('pw'), 'no proxy credentials in the message');
    });
  }
});

test('proxyFor and NO_PROXY follow curl: precedence, domains, addresses and CIDR ranges', () => {
  const env = (vars) => vars;
  assert.equal(proxyFor('https://github.com/x', env({ HTTPS_PROXY: 'proxy:3128' })), 'http://proxy:3128');
  assert.equal(proxyFor('https://github.com/x', env({ https_proxy: 'http://a:1', HTTPS_PROXY: 'http://b:2' })), 'http://a:1');
  assert.equal(proxyFor('https://github.com/x', env({ ALL_PROXY: 'http://all:1' })), 'http://all:1');
  assert.equal(proxyFor('http://github.com/x', env({ HTTP_PROXY: 'http://upper:1' })), undefined);
  assert.equal(proxyFor('http://github.com/x', env({ http_proxy: 'http://lower:1' })), 'http://lower:1');
  assert.equal(proxyFor('https://github.com/x', env({ http_proxy: 'http://lower:1' })), undefined, 'http_proxy is for http only');
  assert.equal(proxyFor('git://github.com/x', env({ ALL_PROXY: 'http://all:1' })), undefined);
  assert.equal(proxyFor('https://github.com/x', env({ HTTPS_PROXY: 'http://p:1', NO_PROXY: '*' })), undefined);
  for (const [host, list, bypass] of [
    ['github.com', 'github.com', true],
    ['api.github.com', 'github.com', true],
    ['api.github.com', '.github.com', true],
    ['notgithub.com', 'github.com', false],
    ['github.com', 'gitlab.com, github.com', true],
    ['10.1.2.3', '10.0.0.0/8', true],
    ['11.1.2.3', '10.0.0.0/8', false],
    ['::1', '::1', true],
    ['127.0.0.1', 'localhost', false],
  ]) {
    assert.equal(bypassesProxy(host, list), bypass, `${host} against ${list}`);
  }
});

// --- the command line ---

test('spoon-home materialize: loopback is refused by default and allowed with --allow-network', { timeout: 60_000 }, async () => {
  const dir = path.join(tmp, 'cli');
  mkdirSync(dir);
  const envFile = path.join(dir, 'environment.json');
  writeFileSync(
    envFile,
    JSON.stringify({ username: 'alice', enabled: true, dotfilesRepoUrl: httpServer.url('dotfiles'), dotfilesRepoRef: 'main', setupCommand: '', files: [] }),
  );
  const base = ['materialize', '--home', path.join(dir, 'alice'), '--container-home', '/home/alice', '--env', envFile, '--allow-protocol', 'http', '--json'];
  const refused = await runCli(base);
  assert.equal(refused.code, 1, refused.stderr);
  assert.match(refused.stderr, /ERR_DESTINATION_NOT_ALLOWED/);
  const allowed = await runCli([...base, '--allow-network', '127.0.0.0/8', '--allow-network', '::1/128']);
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.equal(JSON.parse(allowed.stdout).report.clone.commit, fixture.commits.main);
  const typo = await runCli([...base, '--allow-network', '127.0.0.1/8']);
  assert.equal(typo.code, 2, typo.stderr);
  assert.match(typo.stderr, /--allow-network: .*'127\.0\.0\.1\/8'/);
});
