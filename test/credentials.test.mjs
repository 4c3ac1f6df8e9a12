// Private repositories: clone.credentials answers a server's authentication challenge from the
// JS thread. The secret is used and forgotten: never in .git/config, the home, the staging area,
// an error, a progress event, a trace or the report. A refusal ends after two attempts, and a
// challenge with nothing to offer is ERR_CLONE_AUTH at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import { mkdirSync, readdirSync, readFileSync, lstatSync } from 'node:fs';
import path from 'node:path';
import { HomeNativeError, cloneRepository, configure, materializeUserHome } from '@spoon/home-native';
import { resetSettingsForTests } from '../dist/settings.js';
import { buildDotfilesRepo } from './helpers/fixtures.mjs';
import { newHome, plantPrevious, stagingDebris } from './helpers/home.mjs';
import { startHttpGitServer } from './helpers/servers.mjs';
import { tempDir } from './helpers/temp.mjs';

const secret = 'ghp_0123456789abcdefSECRETtoken';
const loopback = { allowedProtocols: ['http'], allowedNetworks: ['127.0.0.0/8', '::1/128'] };
let root, server, open, fixture;

before(async () => {
  root = tempDir('home-native-credentials-');
  const repos = path.join(root, 'repos');
  mkdirSync(repos);
  fixture = buildDotfilesRepo(repos);
  server = await startHttpGitServer(repos, { basicAuth: { username: 'alice', password: secret } });
  open = await startHttpGitServer(repos);
});
after(async () => {
  await server?.stop();
  await open?.stop();
  resetSettingsForTests();
});

/** Every file below `dir`, links not followed, that holds `needle`. */
function filesHolding(dir, needle) {
  const found = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    const st = lstatSync(full);
    if (st.isDirectory()) found.push(...filesHolding(full, needle));
    else if (st.isFile() && readFileSync(full).includes(needle)) found.push(full);
  }
  return found;
}

/** A credentials function that records what it was asked and answers with `answers` in turn. */
function recorder(...answers) {
  const asked = [];
  const fn = async (request) => {
    asked.push(request);
    return answers[Math.min(asked.length, answers.length) - 1];
  };
  return { fn, asked };
}

async function rejection(promise) {
  return promise.then(
    () => assert.fail('expected the clone to fail'),
    (e) => e,
  );
}

function assertNoSecret(...values) {
  for (const value of values) {
    const text = typeof value === 'string' ? value : JSON.stringify(value, Object.getOwnPropertyNames(value ?? {}));
    assert.ok(!String(text).includes(secret), `the secret leaked: ${text}`);
  }
}

test('the right secret clones; it is nowhere in the home, the staging area, the report or the progress', async () => {
  const h = newHome(root);
  const { fn, asked } = recorder({ username: 'alice', password: secret });
  const events = [];
  const traced = [];
  const channel = diagnostics.tracingChannel('home-native:clone');
  const subscriber = { start: (c) => traced.push({ ...c }), asyncEnd: (c) => traced.push({ ...c }) };
  channel.subscribe(subscriber);
  let report;
  try {
    report = await cloneRepository({ url: server.url('dotfiles'), homeDir: h.home, credentials: fn, onProgress: (p) => events.push(p), ...loopback });
  } finally {
    channel.unsubscribe(subscriber);
  }
  assert.equal(report.commit, fixture.commits.main);
  assert.deepEqual(asked, [{ url: server.url('dotfiles'), host: 'localhost', protocol: 'http', attempt: 1 }]);
  assert.deepEqual(filesHolding(h.home, secret), []);
  assert.deepEqual(filesHolding(path.dirname(h.home), secret), []);
  assert.match(readFileSync(path.join(h.dotfiles, '.git', 'config'), 'utf8'), new RegExp(`url = ${server.url('dotfiles').replaceAll('.', '\\.')}\\n`));
  assertNoSecret(report, events, traced);
});

test('a wrong secret is ERR_CLONE_AUTH after two attempts; the previous checkout is kept', async () => {
  const h = newHome(root);
  const intact = plantPrevious(h.home);
  const wrong = 'not-the-token';
  const { fn, asked } = recorder({ username: 'alice', password: wrong });
  const before = server.stats.unauthorized;
  const error = await rejection(cloneRepository({ url: server.url('dotfiles'), homeDir: h.home, credentials: fn, ...loopback }));
  assert.ok(error instanceof HomeNativeError);
  assert.equal(error.code, 'ERR_CLONE_AUTH', error.message);
  assert.match(error.message, /refused the credentials \(2 attempts\)/);
  assert.deepEqual(asked.map((r) => r.attempt), [1, 2]);
  // The first request without credentials, then one per attempt: the server saw no third try.
  assert.equal(server.stats.unauthorized - before, 3);
  assert.ok(intact());
  assert.deepEqual(stagingDebris(h.staging), []);
  assert.ok(!error.message.includes(wrong) && !String(error.stack).includes(wrong));
});

test('a challenge with nothing to offer is ERR_CLONE_AUTH saying the server wants credentials', async () => {
  const none = newHome(root);
  let error = await rejection(cloneRepository({ url: server.url('dotfiles'), homeDir: none.home, ...loopback }));
  assert.equal(error.code, 'ERR_CLONE_AUTH');
  assert.match(error.message, /wants credentials, and none are configured \(clone\.credentials\)/);
  const nulls = newHome(root);
  const { fn, asked } = recorder(null);
  error = await rejection(cloneRepository({ url: server.url('dotfiles'), homeDir: nulls.home, credentials: fn, ...loopback }));
  assert.equal(error.code, 'ERR_CLONE_AUTH');
  assert.match(error.message, /wants credentials, and the credentials function has none for localhost/);
  assert.equal(asked.length, 1);
  // A server that does not ask never calls the function.
  const { fn: unused, asked: never } = recorder({ username: 'x', password: 'y' });
  await cloneRepository({ url: open.url('dotfiles'), homeDir: newHome(root).home, credentials: unused, ...loopback });
  assert.equal(never.length, 0);
});

test('a function that throws, rejects or answers nonsense is ERR_CLONE_AUTH, without what it said', async () => {
  const answers = [
    () => {
      throw new Error(`boom ${secret}`);
    },
    async () => Promise.reject(Object.assign(new Error(`nope ${secret}`), { code: 'E_VAULT' })),
    async () => ({ username: 'alice', password: 42 }),
    async () => secret,
  ];
  for (const credentials of answers) {
    const error = await rejection(cloneRepository({ url: server.url('dotfiles'), homeDir: newHome(root).home, credentials, ...loopback }));
    assert.equal(error.code, 'ERR_CLONE_AUTH', error.message);
    assertNoSecret(error.message, String(error.stack));
  }
});

test('a function that never answers holds the clone only until its deadline, or its abort', async () => {
  const forever = () => new Promise(() => {});
  let started = Date.now();
  let error = await rejection(cloneRepository({ url: server.url('dotfiles'), homeDir: newHome(root).home, credentials: forever, timeoutMs: 700, ...loopback }));
  assert.equal(error.code, 'ERR_CLONE_TIMEOUT');
  assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
  started = Date.now();
  error = await rejection(
    cloneRepository({ url: server.url('dotfiles'), homeDir: newHome(root).home, credentials: forever, signal: AbortSignal.timeout(300), ...loopback }),
  );
  assert.equal(error.code, 'ERR_ABORTED');
  assert.ok(Date.now() - started < 5000);
});

test('configure({ clone: { credentials } }) is what materializeUserHome clones with', async (t) => {
  t.after(resetSettingsForTests);
  const { fn, asked } = recorder({ username: 'alice', password: secret });
  configure({ clone: { ...loopback, credentials: fn } });
  const h = newHome(root);
  const report = await materializeUserHome({
    homeDir: h.home,
    containerHome: '/home/alice',
    userEnv: { username: 'alice', enabled: true, dotfilesRepoUrl: server.url('dotfiles'), files: [] },
    redact: (v) => v,
  });
  assert.equal(report.repository, 'cloned');
  assert.equal(asked.length, 1);
  assert.deepEqual(filesHolding(h.home, secret), []);
  assertNoSecret(report);
  assert.throws(() => configure({ clone: { credentials: 'alice:token' } }), { code: 'ERR_INVALID_ARG_TYPE' });
});

test('user info in the URL is tried first, as git does, and is recorded and reported nowhere', async () => {
  const h = newHome(root);
  const { fn, asked } = recorder(null);
  const report = await cloneRepository({ url: server.url('dotfiles', `alice:${secret}`), homeDir: h.home, credentials: fn, ...loopback });
  assert.equal(report.commit, fixture.commits.main);
  assert.equal(asked.length, 0);
  assert.deepEqual(filesHolding(path.dirname(h.home), secret), []);
  assertNoSecret(report);
});
