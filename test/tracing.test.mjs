// Tracing: every cloneRepository and materializeUserHome is published on node:diagnostics_channel
// tracing channels (home-native:clone, home-native:materialize), with the report or the error,
// and nothing secret in what a subscriber sees.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { cloneRepository, configure, localRunner, materializeUserHome } from '@spoon/home-native';
import { resetSettingsForTests } from '../dist/settings.js';
import { buildDotfilesRepo } from './helpers/fixtures.mjs';
import { tempDir } from './helpers/temp.mjs';
import { startHttpGitServer } from './helpers/servers.mjs';

const secret = 's3cr3t-token-value';
const loopback = { allowedProtocols: ['http'], allowedNetworks: ['127.0.0.0/8', '::1/128'] };
const events = ['start', 'end', 'asyncStart', 'asyncEnd', 'error'];
let tmp, server, fixture;

before(async () => {
  tmp = tempDir('home-native-tracing-');
  const repos = path.join(tmp, 'repos');
  mkdirSync(repos);
  fixture = buildDotfilesRepo(repos);
  server = await startHttpGitServer(repos);
});
after(async () => {
  await server?.stop();
  resetSettingsForTests();
});

/** Records every event of a tracing channel while `body` runs; unsubscribes after. */
async function recording(name, body) {
  const channel = diagnostics.tracingChannel(name);
  const seen = [];
  const handlers = Object.fromEntries(events.map((event) => [event, (context) => seen.push({ event, context: { ...context } })]));
  channel.subscribe(handlers);
  try {
    await body();
  } finally {
    channel.unsubscribe(handlers);
  }
  return seen;
}

let homes = 0;
const newHome = () => {
  const home = path.join(tmp, 'homes', `u${++homes}`);
  mkdirSync(home, { recursive: true });
  return home;
};

test('a clone is traced from start to asyncEnd with its report; the URL carries no secret', async () => {
  let report;
  const homeDir = newHome();
  const seen = await recording('home-native:clone', async () => {
    report = await cloneRepository({ url: server.url('dotfiles', `alice:${secret}`), ref: 'main', homeDir, ...loopback });
  });
  assert.deepEqual(seen.map((e) => e.event), ['start', 'end', 'asyncStart', 'asyncEnd']);
  const start = seen[0].context;
  assert.equal(start.homeDir, homeDir);
  assert.equal(start.ref, 'main');
  assert.ok(!start.url.includes(secret) && start.url.includes('/dotfiles.git'), start.url);
  assert.deepEqual(seen.at(-1).context.result, report);
  assert.equal(report.commit, fixture.commits.main);
  assert.ok(!JSON.stringify(seen).includes(secret));
});

test('a failed clone is traced with its error; redact applies to what the channel shows', async () => {
  const homeDir = newHome();
  const redact = (text) => text.replaceAll('dotfiles', '[repo]');
  const seen = await recording('home-native:clone', async () => {
    await assert.rejects(cloneRepository({ url: server.url('dotfiles'), ref: 'no-such-ref', homeDir, redact, ...loopback }), {
      code: 'ERR_REF_NOT_FOUND',
    });
  });
  assert.deepEqual(seen.map((e) => e.event), ['start', 'end', 'error', 'asyncStart', 'asyncEnd']);
  assert.equal(seen.find((e) => e.event === 'error').context.error.code, 'ERR_REF_NOT_FOUND');
  assert.ok(seen[0].context.url.endsWith('/[repo].git'), seen[0].context.url);
});

test('a materialization is traced, and so is the clone inside it; the environment stays out', async (t) => {
  t.after(resetSettingsForTests);
  configure({ clone: loopback, runInJobContainer: localRunner });
  const homeDir = newHome();
  const userEnv = {
    username: 'alice',
    enabled: true,
    dotfilesRepoUrl: server.url('dotfiles'),
    files: [{ path: '.netrc', content: `machine example.com password ${secret}\n`, isExecutable: false }],
  };
  let clones;
  let report;
  const seen = await recording('home-native:materialize', async () => {
    clones = await recording('home-native:clone', async () => {
      report = await materializeUserHome({ homeDir, containerHome: '/home/alice', userEnv, redact: (v) => v });
    });
  });
  assert.deepEqual(seen.map((e) => e.event), ['start', 'end', 'asyncStart', 'asyncEnd']);
  assert.deepEqual(seen[0].context, { homeDir, containerHome: '/home/alice' });
  assert.deepEqual(seen.at(-1).context.result, report);
  assert.equal(report.repository, 'cloned');
  assert.deepEqual(clones.find((e) => e.event === 'asyncEnd').context.result, report.clone);
  assert.ok(!JSON.stringify([seen, clones]).includes(secret));
});

test('without a subscriber nothing is built: the context function is never called', async () => {
  const { traced, cloneChannel } = await import('../dist/tracing.js');
  let built = 0;
  const result = await traced(cloneChannel, () => { built++; return {}; }, async () => 42);
  assert.equal(result, 42);
  assert.equal(built, 0);
  const handlers = { start() {} };
  diagnostics.tracingChannel('home-native:clone').subscribe(handlers);
  try {
    await traced(cloneChannel, () => { built++; return { url: '', homeDir: '' }; }, async () => 43);
  } finally {
    diagnostics.tracingChannel('home-native:clone').unsubscribe(handlers);
  }
  assert.equal(built, 1);
});
