// parseUserEnvironment's hand-written fast path against the zod schema it shortcuts, on generated
// environments valid and broken in every way the schema distinguishes: whatever the fast path
// accepts, zod accepts with the same result, key order included; whatever zod rejects reaches zod,
// so the error stays the schema's. The fast path must also take every ordinary valid environment,
// or it would silently stop saving anything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import vm from 'node:vm';
import { envFor } from './helpers/load-run.mjs';
import { environment, pathOfBytes, reseed, sized, styles } from './helpers/environment-generators.mjs';
import { sampleEnvironment } from './helpers/sample-environment.mjs';

const require = createRequire(import.meta.url);
const { checkUserEnvironment, environmentLimits, parseUserEnvironment, parseWithSchema } = require('../dist/environment-schema.js');

const limits = environmentLimits;
const bytes = (text) => Buffer.byteLength(text, 'utf8');
const casesChecked = { total: 0 };

// Key order and shape; long strings abbreviated, as deepStrictEqual compares them whole.
const layout = (value) => JSON.stringify(value, (_, v) => (typeof v === 'string' && v.length > 64 ? `${v.length}:${v.slice(0, 32)}` : v));

const outcome = (parse, value) => {
  try {
    return { ok: true, value: parse(value) };
  } catch (error) {
    return { ok: false, error };
  }
};

/**
 * One environment through the fast path, the schema alone and parseUserEnvironment. `plain`: the
 * value holds only plain objects and arrays with own data properties, which the fast path must
 * take whenever zod does. Returns whether zod accepted and whether the fast path did.
 */
function differential(value, label, { plain = false } = {}) {
  casesChecked.total++;
  const fast = checkUserEnvironment(value);
  const schema = outcome(parseWithSchema, value);
  const combined = outcome(parseUserEnvironment, value);
  const why = () => `${label}${schema.ok ? '' : `: ${schema.error.message.slice(0, 300)}`}`;
  if (fast !== undefined) {
    assert.ok(schema.ok, `the fast path accepted what zod rejects: ${why()}`);
    assert.deepStrictEqual(fast, schema.value, label);
    assert.equal(layout(fast), layout(schema.value), label);
    // A fresh result, as zod's: callers may keep or change it without touching the input.
    assert.notEqual(fast, value, label);
    assert.notEqual(fast.files, value.files, label);
    fast.files.forEach((file, i) => assert.notEqual(file, value.files[i], label));
  } else if (plain && schema.ok) {
    assert.fail(`the fast path declined a plain, valid environment: ${label}`);
  }
  if (value === null) {
    assert.deepStrictEqual(combined, { ok: true, value: null });
  } else if (schema.ok) {
    assert.ok(combined.ok, why());
    assert.deepStrictEqual(combined.value, schema.value, label);
    assert.equal(layout(combined.value), layout(schema.value), label);
  } else {
    assert.equal(fast, undefined, label);
    assert.equal(schema.error.code, 'ERR_BAD_ENVIRONMENT', why());
    assert.ok(!combined.ok, why());
    assert.equal(combined.error.code, 'ERR_BAD_ENVIRONMENT');
    assert.equal(combined.error.message, schema.error.message);
    assert.deepStrictEqual(combined.error.failures, schema.error.failures);
  }
  return { zod: schema.ok, fast: fast !== undefined };
}

// --- tests ------------------------------------------------------------------------------------

const goodEnv = sampleEnvironment();

test('the fast path takes the environments workers actually get', (t) => {
  const common = [
    goodEnv,
    { username: 'bob', enabled: false, files: [] },
    { username: '_svc-1', enabled: true, dotfilesRepoRef: undefined, setupCommand: undefined, files: [] },
    Object.assign(Object.create(null), goodEnv),
    ...Array.from({ length: 200 }, (_, i) => envFor(i, 'http://127.0.0.1:8080/dotfiles.git')),
  ];
  for (const [i, env] of common.entries()) {
    for (const value of [env, JSON.parse(JSON.stringify(env)), structuredClone({ ...env })]) {
      const verdict = differential(value, `common shape ${i}`, { plain: true });
      assert.deepStrictEqual(verdict, { zod: true, fast: true });
    }
  }
  // Absent and undefined optional fields both come out absent, in the schema's key order.
  const out = parseUserEnvironment({
    files: [{ isExecutable: true, content: 'x', path: 'p', mode: 1 }],
    setupCommand: undefined,
    enabled: true,
    username: 'u',
    extra: 1,
  });
  assert.equal(JSON.stringify(out), '{"username":"u","enabled":true,"files":[{"path":"p","content":"x","isExecutable":true}]}');
  assert.deepStrictEqual(Object.keys(out), ['username', 'enabled', 'files']);
  t.diagnostic(`${common.length * 3} common environments checked`);
});

test('each limit, exactly at it and just past it, in every kind of UTF-8', (t) => {
  const file = (overrides = {}) => ({ path: 'f', content: 'x', isExecutable: false, ...overrides });
  const env = (overrides = {}) => ({ username: 'alice', enabled: true, files: [file()], ...overrides });
  const MiB = 1024 * 1024;
  let checked = 0;
  const expect = (value, accepted, label) => {
    checked++;
    const verdict = differential(value, label, { plain: true });
    assert.equal(verdict.zod, accepted, `zod on ${label}`);
    assert.equal(verdict.fast, accepted, `the fast path on ${label}`);
  };
  reseed(4096);
  expect(env({ username: 'a'.repeat(limits.maxUsernameLength) }), true, 'username at 32');
  expect(env({ username: 'a'.repeat(limits.maxUsernameLength + 1) }), false, 'username at 33');
  for (const [i, style] of styles.entries()) {
    for (let round = 0; round < 4; round++) {
      const tag = `${style.join('+')} #${round}`;
      for (const key of ['dotfilesRepoUrl', 'dotfilesRepoRef', 'setupCommand']) {
        expect(env({ [key]: sized(limits.maxStringBytes, { style }) }), true, `${key} at the limit, ${tag}`);
        expect(env({ [key]: sized(limits.maxStringBytes + 1, { style }) }), false, `${key} past the limit, ${tag}`);
      }
      const component = sized(limits.maxComponentBytes, { style, forPath: true });
      expect(env({ files: [file({ path: `a/${component}/b` })] }), true, `component at 255, ${tag}`);
      expect(env({ files: [file({ path: `a/${component}x/b` })] }), false, `component at 256, ${tag}`);
      const path = pathOfBytes(limits.maxPathBytes);
      expect(env({ files: [file({ path })] }), true, `path at 4096, ${tag}`);
      expect(env({ files: [file({ path: `${path}/` })] }), false, `path at 4097, ${tag}`);
      if (round === 0) {
        const content = sized(limits.maxFileBytes, { style });
        expect(env({ files: [file({ content })] }), true, `content at 1 MiB, ${tag}`);
        expect(env({ files: [file({ content: `${content}a` })] }), false, `content past 1 MiB, ${tag}`);
        const sixteen = Array.from({ length: 16 }, (_, k) => file({ path: `f${k}`, content }));
        expect(env({ files: sixteen }), true, `total at 16 MiB, ${tag}`);
        expect(env({ files: [...sixteen, file({ content: 'y' })] }), false, `total past 16 MiB, ${tag}`);
        const under = [...sixteen.slice(1), file({ content: sized(MiB - 1, { style }) })];
        expect(env({ files: under }), true, `total just under 16 MiB, ${tag}`);
      }
    }
    // Where the 3-bytes-per-unit bound stops proving the limit: 85 units of 3 bytes fit NAME_MAX.
    const three = ['€', '\ud800', '\u0800'][i % 3];
    expect(env({ files: [file({ path: three.repeat(85) })] }), true, `85 three-byte units`);
    expect(env({ files: [file({ path: three.repeat(86) })] }), false, `86 three-byte units`);
  }
  expect(env({ files: [file({ path: '😀'.repeat(63) + 'abc' })] }), true, 'astral component at 255 bytes in 129 units');
  expect(env({ files: [file({ path: '😀'.repeat(64) })] }), false, 'astral component at 256 bytes in 128 units');
  expect(env({ files: [file({ path: '\ud83d'.repeat(85) })] }), true, '85 lone high surrogates');
  expect(env({ files: [file({ path: '\ude00'.repeat(86) })] }), false, '86 lone low surrogates');
  expect(env({ files: [file({ path: '\ud83d\ude00'.repeat(64) })] }), false, 'the same units paired: 256 bytes');
  expect(env({ files: Array.from({ length: limits.maxFiles }, (_, k) => file({ path: `f${k}` })) }), true, '10,000 files');
  expect(env({ files: Array.from({ length: limits.maxFiles + 1 }, (_, k) => file({ path: `f${k}` })) }), false, '10,001 files');
  t.diagnostic(`${checked} boundary cases checked`);
});

test('values the fast path leaves to zod: none of the caller code runs before zod sees them', (t) => {
  let calls = 0;
  const counted = (value) => () => (calls++, value);
  const base = () => ({ username: 'bob', enabled: true, files: [{ path: 'a', content: 'b', isExecutable: false }] });
  const withGetter = (object, key) => {
    const value = object[key];
    Object.defineProperty(object, key, { get: counted(value), enumerable: true, configurable: true });
    return object;
  };
  const traps = ['get', 'has', 'ownKeys', 'getOwnPropertyDescriptor', 'getPrototypeOf'];
  const trapsAll = (target) => new Proxy(target, Object.fromEntries(traps.map((trap) => [trap, (...args) => (calls++, Reflect[trap](...args))])));
  const cases = [
    ['getter username', () => withGetter(base(), 'username')],
    ['getter files', () => withGetter(base(), 'files')],
    ['getter optional', () => withGetter({ ...base(), setupCommand: 'x' }, 'setupCommand')],
    ['getter in a file', () => ({ ...base(), files: [withGetter({ path: 'a', content: 'b', isExecutable: true }, 'content')] })],
    ['getter element', () => ({ ...base(), files: withGetter([{ path: 'a', content: 'b', isExecutable: true }], '0') })],
    ['getter then', () => withGetter({ ...base(), then: () => {} }, 'then')],
    ['proxy environment', () => trapsAll(base())],
    ['proxy files', () => ({ ...base(), files: trapsAll(base().files) })],
    ['proxy file', () => ({ ...base(), files: [trapsAll(base().files[0])] })],
    ['inherited getter', () => Object.create(withGetter(base(), 'enabled'))],
    ['prototype with a getter', () => Object.setPrototypeOf(base(), withGetter({ extra: 1 }, 'extra'))],
    ['an own iterator on files', () => ({ ...base(), files: Object.assign(base().files, { [Symbol.iterator]: counted([].values()) }) })],
  ];
  for (const [label, make] of cases) {
    calls = 0;
    const value = make();
    assert.equal(checkUserEnvironment(value), undefined, label);
    assert.equal(calls, 0, `${label}: the fast path ran caller code`);
    differential(value, label);
  }

  // Shapes zod accepts although they are not plain: they stay accepted, through zod.
  const accepted = [
    ['class instance', Object.assign(new (class Env {})(), base())],
    ['inherited fields', Object.create(base())],
    ['a Date from another realm', Object.assign(vm.runInNewContext('new Date(0)'), base())],
    ['`then` that is not a function', { ...base(), then: 1 }],
    ['an Array subclass', { ...base(), files: Object.assign(new (class L extends Array {})(), base().files) }],
    ['a RegExp as a file', { ...base(), files: [Object.assign(/x/, base().files[0])] }],
  ];
  for (const [label, value] of accepted) {
    assert.deepStrictEqual(differential(value, label), { zod: true, fast: false }, label);
  }
  // And ones it rejects, each with the schema's message.
  const rejected = [
    ['a Date', Object.assign(new Date(0), base())],
    ['a Map', Object.assign(new Map(), base())],
    ['a thenable', { ...base(), then() {}, catch() {} }],
    ['an array', Object.assign([], base())],
    ['a function', Object.assign(() => {}, base())],
    ['a hole in files', { ...base(), files: [base().files[0], , base().files[0]] }],
    ['an array as a file', { ...base(), files: [Object.assign([], base().files[0])] }],
    ['files as an array-like', { ...base(), files: { 0: base().files[0], length: 1 } }],
    ['optional null', { ...base(), dotfilesRepoUrl: null }],
    ['files with an own iterator', { ...base(), files: Object.assign(base().files, { *[Symbol.iterator]() { yield { path: 1 }; } }) }],
    ['username undefined', { ...base(), username: undefined }],
  ];
  for (const [label, value] of rejected) {
    assert.deepStrictEqual(differential(value, label), { zod: false, fast: false }, label);
  }
  // A polluted Object.prototype is inherited by every literal: zod reads it, so the fast path
  // must not answer for it.
  try {
    Object.prototype.setupCommand = 'polluted';
    assert.deepStrictEqual(differential(base(), 'inherited setupCommand'), { zod: true, fast: false });
    delete Object.prototype.setupCommand;
    Object.prototype.then = () => {};
    Object.prototype.catch = () => {};
    assert.deepStrictEqual(differential(base(), 'inherited then/catch'), { zod: false, fast: false });
  } finally {
    delete Object.prototype.setupCommand;
    delete Object.prototype.then;
    delete Object.prototype.catch;
  }
  t.diagnostic(`${cases.length + accepted.length + rejected.length + 2} unusual values checked`);
});

test('thousands of generated environments: the fast path never disagrees with zod', (t) => {
  const counts = { cases: 0, zodAccepted: 0, zodRejected: 0, fastAccepted: 0, plainValid: 0 };
  for (const [seed, fault, exoticRate, n] of [
    [20240601, 0, 0, 600],
    [20240602, 0.03, 0.01, 2000],
    [20240603, 0.12, 0.03, 2000],
    [20240604, 0.4, 0.08, 1000],
  ]) {
    reseed(seed);
    for (let i = 0; i < n; i++) {
      const { value, plain } = environment(fault, exoticRate);
      const verdict = differential(value, `seed ${seed} case ${i}`, { plain });
      counts.cases++;
      counts[verdict.zod ? 'zodAccepted' : 'zodRejected']++;
      if (verdict.fast) counts.fastAccepted++;
      if (plain && verdict.zod) counts.plainValid++;
    }
  }
  // Guards against a generator that drifted into testing nothing.
  assert.ok(counts.zodAccepted > counts.cases / 4, JSON.stringify(counts));
  assert.ok(counts.zodRejected > counts.cases / 5, JSON.stringify(counts));
  assert.ok(counts.fastAccepted >= counts.plainValid && counts.plainValid > counts.cases / 4, JSON.stringify(counts));
  t.diagnostic(
    `${counts.cases} generated environments: zod accepted ${counts.zodAccepted}, rejected ${counts.zodRejected}; ` +
      `the fast path answered ${counts.fastAccepted} itself`,
  );
});

test('total differential cases', (t) => {
  assert.ok(casesChecked.total > 5000);
  t.diagnostic(`${casesChecked.total} environments compared in all`);
});
