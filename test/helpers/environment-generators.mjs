// Generators of user environments for test/environment-check.test.mjs: strings of exact UTF-8
// sizes in every kind of code unit, paths near the limits, and whole environments valid or broken
// in every way the schema distinguishes, with exotic containers the fast path must leave to zod.
// Deterministic: one seeded stream (`reseed`) drives every choice.
import { createRequire } from 'node:module';
import vm from 'node:vm';
import { rng } from './random.mjs';

const require = createRequire(import.meta.url);
const { environmentLimits: limits } = require('../../dist/environment-schema.js');
const bytes = (text) => Buffer.byteLength(text, 'utf8');

let random = rng(1);
/** Restarts the stream every generator draws from. */
export function reseed(seed) {
  random = rng(seed);
}
const int = (n) => Math.floor(random() * n);
const chance = (p) => random() < p;
const pick = (list) => list[int(list.length)];
// `[[weight, make], ...]`: rare, costly cases (strings near the byte limits) get small weights.
const weighted = (choices) => {
  let roll = random() * choices.reduce((sum, [weight]) => sum + weight, 0);
  for (const [weight, make] of choices) if ((roll -= weight) < 0) return make();
  return choices.at(-1)[1]();
};

// Code units by UTF-8 size; `lone` surrogates take 3 bytes alone and pair up when they meet.
const units = {
  ascii: () => String.fromCharCode(0x20 + int(95)),
  control: () => String.fromCharCode(1 + int(0x1f)),
  two: () => String.fromCharCode(0x80 + int(0x780)),
  three: () => String.fromCharCode(pick([0x800 + int(0xd000), 0xe000 + int(0x2000)])),
  astral: () => String.fromCodePoint(0x10000 + int(0xfffff)),
  lone: () => String.fromCharCode(0xd800 + int(0x800)),
};
const unitBytes = { ascii: 1, control: 1, two: 2, three: 3, astral: 4, lone: 3 };
// A string's make-up: mostly one kind, so both the 3-bytes-per-unit bound and the exact count
// get their turn near each limit.
export const styles = [['ascii'], ['ascii', 'two'], ['three'], ['astral'], ['lone'], ['ascii', 'astral', 'lone', 'three', 'two', 'control']];

// `/` and NUL only where a case puts them on purpose.
const unit = (kinds, forPath) => {
  for (;;) {
    const kind = pick(kinds);
    const text = units[kind]();
    if (!(forPath && text === '/')) return { text, size: unitBytes[kind] };
  }
};

// Cut or pad with ASCII (which never pairs with a neighbour) to exactly `target` bytes.
function fit(text, target) {
  let size = bytes(text);
  while (size > target) size = bytes((text = text.slice(0, -1)));
  return text + 'a'.repeat(target - size);
}

/** A string of exactly `target` UTF-8 bytes in one of the styles. */
export function sized(target, { style = pick(styles), forPath = false } = {}) {
  if (target > 8192) {
    const chunk = sized(4096, { style, forPath });
    return fit(chunk.repeat(Math.floor(target / bytes(chunk))), target);
  }
  let text = '';
  let estimate = 0; // pairs make the real size smaller than the estimate, never larger
  while (estimate + 4 <= target) {
    const next = unit(style, forPath);
    text += next.text;
    estimate += next.size;
  }
  return fit(text, target);
}

const shortText = (max = 40) => sized(int(max + 1));
const near = (limit) => limit + pick([-2, -1, 0, 0, 0, 1, 1, 2]);

/** A path of exactly `target` bytes, no component above `componentMax` bytes. */
export function pathOfBytes(target, componentMax = limits.maxComponentBytes) {
  const parts = [];
  let left = target;
  while (left > 0) {
    const room = parts.length === 0 ? left : left - 1;
    if (room === 0) {
      parts.push('');
      break;
    }
    const size = Math.min(room, 1 + int(componentMax));
    parts.push(sized(size, { forPath: true }));
    left -= size + (parts.length === 1 ? 0 : 1);
  }
  return parts.join('/');
}

const component = () => (chance(0.1) ? pick(['.', '..', '.config', 'bin', '']) : sized(1 + int(24), { forPath: true }));

// Any value whose type is not `type`, boxed primitives and Dates included.
const anyValue = () => [null, undefined, 0, 1, NaN, 12n, true, false, 'true', '', [], {}, ['x']].concat(
  [new String('x'), new Boolean(true), Symbol('s'), () => 'x', new Date(0)],
);
const wrongType = (type) => pick(anyValue().filter((v) => typeof v !== type));

function username(c) {
  const first = 'abcdefghijklmnopqrstuvwxyz_';
  const rest = `${first}0123456789-`;
  const valid = (length) => {
    let name = first[int(first.length)];
    while (name.length < length) name += rest[int(rest.length)];
    return name;
  };
  if (!chance(c.fault)) return valid(chance(0.2) ? limits.maxUsernameLength : 1 + int(limits.maxUsernameLength));
  const name = valid(1 + int(limits.maxUsernameLength - 1));
  const at = int(name.length + 1);
  return pick([
    () => valid(limits.maxUsernameLength + 1 + int(3)),
    () => '',
    () => pick(['0', '9', '-', 'A', '.']) + name.slice(1),
    () => name.slice(0, at) + pick(['A', 'Z', '.', '/', ' ', 'é', '\0', '\n', '$', '😀', '\ud800']) + name.slice(at),
    () => `${name}\n`,
    () => `\n${name}`,
    () => wrongType('string'),
  ])();
}

function text(c) {
  if (!chance(c.fault)) {
    return weighted([
      [10, () => shortText(80)],
      [10, () => `https://example.com/${shortText(30)}.git`],
      [3, () => ''],
      [5, () => shortText(300)],
      [0.5, () => sized(near(limits.maxStringBytes) - 2)],
      [0.5, () => sized(limits.maxStringBytes)],
      [0.5, () => sized(int(limits.maxStringBytes + 1))],
    ]);
  }
  const base = shortText(30);
  const at = int(base.length + 1);
  return weighted([
    [1, () => sized(limits.maxStringBytes + 1 + int(4))],
    [1, () => sized(near(limits.maxStringBytes))],
    [4, () => base.slice(0, at) + '\0' + base.slice(at)],
    [1, () => '\0'],
    [6, () => wrongType('string')],
  ]);
}

function overlayPath(c) {
  if (!chance(c.fault)) {
    return weighted([
      [20, () => Array.from({ length: 1 + int(5) }, component).join('/') || 'x'],
      [5, () => `/home/user/${component()}/${component()}`],
      [2, () => `${component()}/`],
      [3, () => sized(1 + int(limits.maxComponentBytes), { forPath: true })],
      [1, () => sized(limits.maxComponentBytes, { forPath: true })],
      [1, () => `dir/${sized(limits.maxComponentBytes, { forPath: true })}/x`],
      [0.3, () => pathOfBytes(limits.maxPathBytes)],
      [0.3, () => pathOfBytes(limits.maxPathBytes - int(300))],
      [0.5, () => 'a/'.repeat(int(2048)) + 'b'],
    ]);
  }
  const good = `${component()}/${component()}`;
  const at = int(good.length + 1);
  return weighted([
    [3, () => ''],
    [3, () => good.slice(0, at) + '\0' + good.slice(at)],
    [2, () => `dir/${sized(limits.maxComponentBytes + 1 + int(3), { forPath: true })}`],
    [2, () => sized(near(limits.maxComponentBytes), { forPath: true })],
    [2, () => `${sized(near(limits.maxComponentBytes), { forPath: true })}/x`],
    [0.5, () => pathOfBytes(limits.maxPathBytes + 1 + int(3))],
    [0.5, () => pathOfBytes(near(limits.maxPathBytes))],
    [0.5, () => pathOfBytes(limits.maxPathBytes, limits.maxComponentBytes + 8)],
    [5, () => wrongType('string')],
    [1, () => Buffer.from('x')],
  ]);
}

function content(c) {
  if (!chance(c.fault)) {
    return weighted([
      [10, () => shortText(200)],
      [2, () => ''],
      [5, () => `#!/bin/sh\necho ${shortText(20)}\n`],
      [2, () => shortText(4000)],
      [0.02, () => sized(limits.maxFileBytes)],
    ]);
  }
  return weighted([
    [0.1, () => sized(limits.maxFileBytes + 1 + int(3))],
    [10, () => wrongType('string')],
    [2, () => new Uint8Array([104, 105])],
  ]);
}

const boolean = (c) => (chance(c.fault) ? wrongType('boolean') : chance(0.5));

// Own, enumerable, writable: what JSON.parse and object literals make.
const keysIn = (object, entries) => {
  for (const [key, value] of entries) object[key] = value;
  return object;
};

// Keys in random order, some left out, some extra, some `undefined`; the container possibly
// something other than a literal object.
function shapeObject(c, fields, optional) {
  const entries = [];
  for (const [key, make] of fields) {
    if (optional.includes(key)) {
      const roll = random();
      if (roll < 0.45) continue;
      if (roll < 0.55) entries.push([key, undefined]);
      else entries.push([key, make(c)]);
    } else if (!chance(c.fault / 4)) {
      entries.push([key, make(c)]);
    }
  }
  if (chance(0.25)) {
    for (let n = 1 + int(3); n > 0; n--) {
      const key = pick(['extra', 'version', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'files2', 'Username', '']);
      entries.push([key, pick([1, 'x', null, {}, [1]])]);
    }
  }
  for (let i = entries.length - 1; i > 0; i--) {
    const j = int(i + 1);
    [entries[i], entries[j]] = [entries[j], entries[i]];
  }
  const roll = random();
  if (roll < 0.05) return keysIn(Object.create(null), entries);
  if (roll < 0.08) {
    // Not enumerable: zod reads the field all the same.
    const object = {};
    for (const [key, value] of entries) {
      Object.defineProperty(object, key, { value, enumerable: false, writable: true, configurable: true });
    }
    return object;
  }
  if (roll < 0.09) {
    // JSON.parse makes `__proto__` an own property like any other: an unknown field, stripped.
    const body = JSON.stringify(Object.fromEntries(entries), (_, v) => (typeof v === 'bigint' ? 1 : v));
    return JSON.parse(`{"__proto__":{"username":"evil"}${body === '{}' ? '}' : `,${body.slice(1)}`}`);
  }
  if (roll < 0.09 + c.exotic) return exotic(c, entries);
  return keysIn({}, entries);
}

// Containers zod may take but the fast path leaves to it.
function exotic(c, entries) {
  c.plain = false;
  const object = keysIn({}, entries);
  return pick([
    () => keysIn(new (class Env {})(), entries),
    () => Object.create(object),
    () => keysIn(Object.create(Object.create(null)), entries),
    () => keysIn(new Date(0), entries),
    () => keysIn(vm.runInNewContext('({})'), entries),
    () => keysIn(vm.runInNewContext('new Date(0)'), entries),
    () => keysIn(new Map(), entries),
    () => keysIn(/re/, entries),
    () => keysIn(new Uint8Array(2), entries),
    () => keysIn(new String('s'), entries),
    () => keysIn([], entries),
    () => keysIn(function named() {}, entries),
    () => Object.assign(object, { then: pick([() => {}, 1, null]) }),
    () => Object.assign(object, { then: () => {}, catch: () => {} }),
    () => new Proxy(object, {}),
    () => {
      const [key, value] = entries.length ? pick(entries) : ['username', 'bob'];
      Object.defineProperty(object, key, { get: () => value, enumerable: true, configurable: true });
      return object;
    },
  ])();
}

const overlayFile = (c) =>
  chance(c.fault / 3)
    ? pick([null, undefined, 'file', 3, true, [], ['.rc', '', false], new Date(0)])
    : shapeObject(c, [['path', overlayPath], ['content', content], ['isExecutable', boolean]], []);

function files(c) {
  if (chance(c.fault / 2)) {
    return pick([
      () => wrongType('object'),
      () => null,
      () => ({ 0: overlayFile(c), length: 1 }),
      () => new Set([overlayFile(c)]),
      () => {
        const list = [overlayFile(c), overlayFile(c)];
        list.length = 3 + int(3); // holes
        return list;
      },
      () => {
        const list = [overlayFile(c)];
        delete list[0];
        return list;
      },
    ])();
  }
  const count = pick([0, 1, 1, 2, 2, 3, 4, 6, 12, 25]);
  const list = Array.from({ length: count }, () => overlayFile(c));
  if (chance(0.05)) list.extra = 'ignored';
  if (chance(c.exotic)) {
    c.plain = false;
    return pick([
      () => Object.assign(new (class Files extends Array {})(), list),
      () => new Proxy(list, {}),
      () => {
        const copy = [...list, { path: 'x', content: '', isExecutable: false }];
        const last = copy.at(-1);
        Object.defineProperty(copy, copy.length - 1, { get: () => last, enumerable: true });
        return copy;
      },
      () => vm.runInNewContext('[]').concat(list),
      () => {
        // zod spreads the array: its own iterator decides what zod sees.
        const shown = [...list, ...(chance(0.5) ? [overlayFile(c)] : [])];
        return Object.assign(list, { [Symbol.iterator]: () => shown[Symbol.iterator]() });
      },
    ])();
  }
  return list;
}

export function environment(fault, exoticRate) {
  const c = { fault, exotic: exoticRate, plain: true };
  let value;
  if (chance(fault / 10)) {
    value = pick([...anyValue(), [{ username: 'a', enabled: true, files: [] }], new Map(), 'alice']);
  } else {
    value = shapeObject(
      c,
      [
        ['username', username],
        ['enabled', boolean],
        ['dotfilesRepoUrl', text],
        ['dotfilesRepoRef', text],
        ['setupCommand', text],
        ['files', files],
      ],
      ['dotfilesRepoUrl', 'dotfilesRepoRef', 'setupCommand'],
    );
  }
  return { value, plain: c.plain };
}
