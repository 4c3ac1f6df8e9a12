// One validation vocabulary (lib/validate.ts): configure(), cloneRepository() and writeHomeFiles()
// accept and refuse the same ids, counts and protocols, with the addon's own bounds as the rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { cloneRepository, configure, writeHomeFiles } from '@spoon/home-native';
import { tempDir } from './helpers/temp.mjs';

const require = createRequire(import.meta.url);
const { resetSettingsForTests } = require('../dist/settings.js');
const { native } = require('../dist/native.js');

// 0xffffffff is (uid_t)-1, which chown reads as "leave unchanged": not an owner anywhere.
const badIds = [-1, 1.5, 0xffffffff, 2 ** 32, Number.NaN, '0'];
const goodIds = [0, 65534, 0xfffffffe];

test('ids: every entry point refuses the same values before anything reaches the addon', async (t) => {
  t.after(resetSettingsForTests);
  const home = tempDir(t, 'home-native-validate-');
  for (const bad of badIds) {
    for (const field of ['uid', 'gid']) {
      assert.throws(() => configure({ [field]: bad }), { code: 'ERR_INVALID_ARG_TYPE', message: new RegExp(field) }, `configure ${field} ${bad}`);
      await assert.rejects(cloneRepository({ url: 'https://example.com/x.git', homeDir: home, [field]: bad }), { code: 'ERR_INVALID_ARG_TYPE', message: new RegExp(field) });
      await assert.rejects(writeHomeFiles(home, [], { [field]: bad }), { code: 'ERR_INVALID_ARG_TYPE', message: new RegExp(field) });
    }
  }
  for (const good of goodIds) configure({ uid: good, gid: good });
});

test('counts and protocols: the same rule in settings and per clone', async (t) => {
  t.after(resetSettingsForTests);
  for (const bad of [0, -1, 1.5, 2 ** 53, '5']) {
    assert.throws(() => configure({ clone: { maxFiles: bad } }), { code: 'ERR_INVALID_ARG_TYPE' });
    await assert.rejects(cloneRepository({ url: 'https://example.com/x.git', homeDir: '/nonexistent', maxFiles: bad }), { code: 'ERR_INVALID_ARG_TYPE' });
  }
  for (const bad of [['ftp'], 'https', [1]]) {
    assert.throws(() => configure({ clone: { allowedProtocols: bad } }), { code: 'ERR_INVALID_ARG_TYPE', message: /https, http, ssh, git, file/ });
    await assert.rejects(cloneRepository({ url: 'https://example.com/x.git', homeDir: '/nonexistent', allowedProtocols: bad }), {
      code: 'ERR_INVALID_ARG_TYPE',
      message: /https, http, ssh, git, file/,
    });
  }
});

test('the addon reads every argument one way: a wrong type or range names the argument', async () => {
  const addon = native();
  const refused = (call, what) =>
    assert.throws(call, (e) => e.code === 'ERR_INVALID_ARG_TYPE' && e.message.includes(what), `expected a refusal naming ${what}`);
  const home = '/nonexistent-home';
  refused(() => addon.readSmallFile(home, 'x', 2 ** 30, {}), 'readSmallFile: maxBytes');
  refused(() => addon.readSmallFile(home, 'x', 1.5, {}), 'readSmallFile: maxBytes');
  refused(() => addon.readSmallFile(home, 7, 10, {}), 'readSmallFile: relPath');
  refused(() => addon.readSmallFile(home, 'x', 10, { uid: 4294967295 }), 'readSmallFile: uid');
  refused(() => addon.readSmallFile(home, 'x', 10, { forceManualWalk: 1 }), 'readSmallFile: forceManualWalk');
  refused(() => addon.sweepDebris(home, '/s', ['a', 3], {}), 'sweepDebris: overlayPaths[1]');
  refused(() => addon.acquireHomeLock('/s', 5), 'acquireHomeLock: homeDir');
  refused(() => addon.configHash(undefined, 1, ''), 'configHash: ref');
  refused(() => addon.setCloneConcurrency(0), 'limit');
  refused(() => addon.writeHomeFiles(home, [{ path: 'a', content: 1, isExecutable: false }], {}), 'files[0].content');
  const clone = {
    url: 'https://example.com/x.git', homeDir: home, into: '.dotfiles', stagingDir: '/s', depth: 1, timeoutMs: 1000,
    maxBytes: 1, maxFiles: 1, maxCheckoutBytes: 1, maxFileBytes: 1, maxMemoryBytes: 1, allowedProtocols: ['https'], allowedNetworks: [], submodules: false,
  };
  refused(() => addon.cloneRepository({ ...clone, depth: -1 }), 'options.depth');
  refused(() => addon.cloneRepository({ ...clone, maxFiles: '10' }), 'options.maxFiles');
  refused(() => addon.cloneRepository({ ...clone, allowedProtocols: ['https', 2] }), 'options.allowedProtocols[1]');
  refused(() => addon.cloneRepository({ ...clone, lookup: 'dns' }), 'options.lookup');
  refused(() => addon.cloneRepository(clone, undefined, 'progress'), 'onProgress');
  refused(() => addon.cloneRepository('url'), 'options');
  assert.equal(addon.checkAllowedNetworks(['10.0.0.0/8', 4]), 'allowedNetworks holds CIDR strings');
});
