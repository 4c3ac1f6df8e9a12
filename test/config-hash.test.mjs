// configHash against the seed's own computation, node:crypto over JSON.stringify, for thousands
// of generated strings: ASCII, control characters, quotes, CJK, emoji, U+2028, lone surrogates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { configHash, HomeNativeError } from '@spoon/home-native';
import { rng } from './helpers/random.mjs';

const seedHash = (env) =>
  createHash('sha256')
    .update(JSON.stringify({ repo: env.dotfilesRepoUrl, ref: env.dotfilesRepoRef ?? '', setup: env.setupCommand ?? '' }))
    .digest('hex');


const alphabets = [
  () => String.fromCharCode(0x20 + Math.floor(random() * 95)), // printable ASCII
  () => String.fromCharCode(Math.floor(random() * 0x20)), // control characters
  () => ['"', '\\', '/', '\b', '\f', '\n', '\r', '\t', '\u007f'][Math.floor(random() * 9)],
  () => String.fromCharCode(0x4e00 + Math.floor(random() * 0x5000)), // CJK
  () => String.fromCodePoint(0x1f300 + Math.floor(random() * 0x300)), // emoji (surrogate pairs)
  () => ['\u2028', '\u2029', '\ufeff', '\ufffd', '\u00e9'][Math.floor(random() * 5)],
  () => String.fromCharCode(0xd800 + Math.floor(random() * 0x800)), // lone surrogates
];
let random = rng(20261126);
const randomString = (maxLength) => {
  let text = '';
  const length = Math.floor(random() * maxLength);
  for (let i = 0; i < length; i++) text += alphabets[Math.floor(random() * alphabets.length)]();
  return text;
};

test('matches the seed for 5,000 generated environments', () => {
  random = rng(20261126);
  let compared = 0;
  for (let i = 0; i < 5000; i++) {
    const env = {
      dotfilesRepoUrl: `https://example.com/${randomString(40)}`,
      ...(random() < 0.7 && { dotfilesRepoRef: randomString(20) }),
      ...(random() < 0.7 && { setupCommand: randomString(30) }),
    };
    assert.equal(configHash(env), seedHash(env), JSON.stringify(env));
    compared++;
  }
  assert.equal(compared, 5000);
});

test('edge strings: empty, lone surrogates at the ends, pairs split by escapes', () => {
  const cases = ['', '\ud800', '\udfff', 'a\ud83d', '\ude00b', '\ud83d\ude00', '\ud83d"\ude00', '\u2028\u2029', '\u0000\u001f'];
  for (const repo of cases) {
    for (const ref of cases) {
      const env = { dotfilesRepoUrl: repo, dotfilesRepoRef: ref, setupCommand: ref + repo };
      assert.equal(configHash(env), seedHash(env), JSON.stringify(env));
    }
  }
});

test('undefined ref and setup hash as empty strings; an absent repo drops the key like JSON.stringify', () => {
  assert.equal(configHash({ dotfilesRepoUrl: 'https://x' }), seedHash({ dotfilesRepoUrl: 'https://x' }));
  assert.equal(configHash({}), seedHash({}));
});

test('non-string fields are ERR_INVALID_ARG_TYPE', () => {
  for (const bad of [{ dotfilesRepoUrl: 1 }, { dotfilesRepoUrl: 'x', dotfilesRepoRef: null }, { setupCommand: [] }]) {
    assert.throws(() => configHash(bad), (error) => error instanceof HomeNativeError && error.code === 'ERR_INVALID_ARG_TYPE');
  }
  assert.throws(() => configHash(null), { code: 'ERR_INVALID_ARG_TYPE' });
});
