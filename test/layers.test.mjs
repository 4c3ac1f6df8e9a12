// The layers of src/core (src/core/README.md) hold only while every include points down: a unit
// may include its own layer and the layers below it, never one above, and no two units may
// include each other, directly or through others. The compiler accepts all of that, so this
// test reads the includes instead. It also keeps src/sources.txt, the one source list of both
// builds, in step with the files.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const core = path.join(root, 'src', 'core');

// Layer -> the layers its units may include. The rule would also allow git -> fs; no git unit
// needs the filesystem layer today, so the first that does is a decision to make here, not an
// accident.
const allowed = {
  base: ['base'],
  fs: ['fs', 'base'],
  git: ['git', 'base'],
  home: ['home', 'fs', 'git', 'base'],
};

// src/addon is above all of src/core (it is the Node binding of it): core never includes it.
const includePattern = /^\s*#\s*include\s*["<]((?:core|addon)\/[^">]+)[">]/gm;

// Unit ("layer/name", a .h and its .cc together) -> the units it includes, with where.
function readUnits() {
  const units = new Map();
  for (const entry of readdirSync(core, { withFileTypes: true })) {
    if (entry.isFile()) {
      assert.ok(entry.name === 'README.md', `src/core/${entry.name}: every unit lives in a layer folder`);
      continue;
    }
    assert.ok(entry.name in allowed, `src/core/${entry.name}/: not a layer (${Object.keys(allowed).join(', ')})`);
    for (const file of readdirSync(path.join(core, entry.name))) {
      if (!/\.(h|cc)$/.test(file)) continue;
      const unit = `${entry.name}/${file.replace(/\.(h|cc)$/, '')}`;
      const text = readFileSync(path.join(core, entry.name, file), 'utf8');
      const includes = units.get(unit) ?? [];
      for (const [, target] of text.matchAll(includePattern)) {
        includes.push({ from: `src/core/${entry.name}/${file}`, target: target.replace(/^core\//, '').replace(/\.h$/, '') });
      }
      units.set(unit, includes);
    }
  }
  return units;
}

// Every include that names no layer, no existing unit, or a layer above the includer's.
function layerViolations(units) {
  const problems = [];
  for (const [unit, includes] of units) {
    const layer = unit.split('/')[0];
    for (const { from, target } of includes) {
      const [targetLayer, name] = target.split('/');
      if (targetLayer === 'addon') {
        problems.push(`${from}: src/core includes the addon ("${target}.h")`);
      } else if (name === undefined || !(targetLayer in allowed)) {
        problems.push(`${from}: "core/${target}.h" names no layer`);
      } else if (!units.has(target)) {
        problems.push(`${from}: "core/${target}.h" is no unit of src/core`);
      } else if (!allowed[layer].includes(targetLayer)) {
        problems.push(`${from}: ${layer} includes ${targetLayer} ("core/${target}.h")`);
      }
    }
  }
  return problems;
}

// A cycle of units as [a, b, ..., a], or null when the include graph has none.
function findCycle(units) {
  const state = new Map();  // unit -> 'open' while on the path, 'done' once all below it are seen
  const trail = [];
  const visit = (unit) => {
    state.set(unit, 'open');
    trail.push(unit);
    for (const { target } of units.get(unit) ?? []) {
      if (target === unit || !units.has(target)) continue;
      if (state.get(target) === 'open') return [...trail.slice(trail.indexOf(target)), target];
      if (!state.has(target)) {
        const cycle = visit(target);
        if (cycle) return cycle;
      }
    }
    trail.pop();
    state.set(unit, 'done');
    return null;
  };
  for (const unit of units.keys()) {
    if (!state.has(unit)) {
      const cycle = visit(unit);
      if (cycle) return cycle;
    }
  }
  return null;
}

const fake = (edges) => new Map(Object.entries(edges).map(([unit, targets]) => [
  unit, targets.map((target) => ({ from: `${unit}.cc`, target })),
]));

test('the checks themselves: an upward include and a cycle are caught', () => {
  assert.deepEqual(layerViolations(fake({ 'base/a': ['fs/b'], 'fs/b': [] })), ['base/a.cc: base includes fs ("core/fs/b.h")']);
  assert.equal(layerViolations(fake({ 'git/a': ['home/b'], 'home/b': [] })).length, 1);
  assert.equal(layerViolations(fake({ 'git/a': ['fs/b'], 'fs/b': [] })).length, 1);
  assert.equal(layerViolations(fake({ 'home/a': ['b'] })).length, 1);
  assert.equal(layerViolations(fake({ 'home/a': ['addon/js_error'] })).length, 1);
  assert.deepEqual(layerViolations(fake({ 'home/a': ['git/b', 'fs/c', 'base/d'], 'git/b': ['base/d'], 'fs/c': ['base/d'], 'base/d': [] })), []);
  assert.deepEqual(findCycle(fake({ 'git/a': ['git/b'], 'git/b': ['git/c'], 'git/c': ['git/a'] })), ['git/a', 'git/b', 'git/c', 'git/a']);
  assert.equal(findCycle(fake({ 'git/a': ['git/b', 'git/a'], 'git/b': [] })), null);
});

test('src/core: every include points to the same layer or one below it', () => {
  const problems = layerViolations(readUnits());
  assert.deepEqual(problems, [], `includes against the layers (src/core/README.md):\n${problems.join('\n')}`);
});

test('src/core: no include cycle between units', () => {
  const cycle = findCycle(readUnits());
  assert.equal(cycle, null, `include cycle: ${cycle?.join(' -> ')}`);
});

test('src/sources.txt lists every .cc under src/core and src/addon, once, and nothing else', () => {
  const listed = readFileSync(path.join(root, 'src', 'sources.txt'), 'utf8')
    .split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
  const present = [
    ...Object.keys(allowed).flatMap((layer) => readdirSync(path.join(core, layer)).map((f) => `src/core/${layer}/${f}`)),
    ...readdirSync(path.join(root, 'src', 'addon')).map((f) => `src/addon/${f}`),
  ].filter((f) => f.endsWith('.cc'));
  assert.deepEqual([...listed].sort(), [...new Set(listed)].sort(), 'a source listed twice');
  assert.deepEqual([...listed].sort(), present.sort());
});
