// One validation vocabulary (lib/validate.ts): configure(), cloneRepository() and writeHomeFiles()
// accept and refuse the same ids, counts and protocols, with the addon's own bounds as the rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { cloneRepository, configure, writeHomeFiles } from '@spoon/home-native';
import { tempDir } from './helpers/temp.mjs';

const require = createRequire(import.meta.url);
const { resetSettingsForTests } = require('../dist/settings.js');

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
