// The worker imports the package as ESM; other callers require() it. Both entries must expose the
// same objects (one settings store, one addon, one error class) and exactly the declared names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import * as esm from '@spoon/home-native';

const require = createRequire(import.meta.url);
const cjs = require('@spoon/home-native');

test('import and require give the same objects', () => {
  const names = Object.keys(esm).filter((name) => name !== 'default').sort();
  assert.deepEqual(names, Object.keys(cjs).sort());
  for (const name of names) assert.equal(esm[name], cjs[name], name);
});

test('every value index.d.ts declares is exported, and nothing else', async () => {
  const declarations = await readFile(new URL('../index.d.ts', import.meta.url), 'utf8');
  const declared = [...declarations.matchAll(/^export declare (?:function|const|class) (\w+)/gm)].map((m) => m[1]).sort();
  assert.deepEqual(Object.keys(cjs).sort(), declared);
});

test('an error thrown through one entry is an instance of the other entry\'s class', async () => {
  const error = await esm.writeHomeFiles('relative/path', []).catch((e) => e);
  assert.ok(error instanceof cjs.HomeNativeError);
  assert.equal(error.code, 'ERR_INVALID_ARG_TYPE');
});
