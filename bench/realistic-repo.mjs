// A benchmark repository that looks like a real one, built by `git fast-import` from a seed:
// source-like files (lines of code-like tokens, a shared license header, helpers copied between
// files with small changes, as real code has) in directories 2-4 levels deep, and a history of
// commits that each edit a few lines of a few files. Its depth-1 pack is deltified the way a real
// one is: pack-objects finds deltas between similar blobs of the same tree.
//
// buildRealisticRepo(params) returns { root, bare, name, cached, buildMs, params }: `root` holds
// `<name>.git`, ready for startHttpGitServer(root). The result is cached under os.tmpdir() in a
// directory named by a hash of the parameters (and the generator's version), so that only the
// first run builds it.
import { spawnSync, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const GENERATOR_VERSION = 2;

/** The realistic repository (pack of a depth-1 clone: 3-4 MB). */
export const REALISTIC = Object.freeze({
  name: 'realistic', seed: 1, files: 1100, dirs: 300, meanLines: 190, familyMax: 8, familyChurn: 0.2, commits: 3000, filesPerCommit: 3, linesPerEdit: 4,
});

/** A small dotfiles repository (tens of KB). */
export const DOTFILES = Object.freeze({
  name: 'dotfiles', seed: 2, files: 40, dirs: 12, meanLines: 25, familyMax: 4, familyChurn: 0.4, commits: 200, filesPerCommit: 2, linesPerEdit: 2,
});

const gitEnv = {
  ...process.env,
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
};

/** mulberry32: a small, fast, seeded PRNG. */
function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (xs) => xs[Math.floor(next() * xs.length)],
    chance: (p) => next() < p,
  };
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ren', 'tor', 'vi', 'sel', 'dan', 'po', 'qu', 'ex', 'str', 'buf', 'node', 'ctx', 'cfg',
  'req', 'res', 'map', 'set', 'id', 'idx', 'len', 'val', 'key', 'err', 'src', 'dst', 'tmp', 'out', 'in', 'path', 'file', 'user',
  'home', 'list', 'item', 'count', 'size', 'name', 'data', 'opt', 'arg', 'fn', 'cb', 'obj', 'ref', 'hash', 'tree', 'pack'];
const KEYWORDS = ['const', 'let', 'return', 'if', 'else', 'for', 'while', 'function', 'await', 'async', 'new', 'throw', 'import', 'export'];
const OPS = [' = ', ' + ', ' - ', ' * ', ' === ', ' !== ', ' && ', ' || ', ' < ', ' >= ', ' ?? '];
const EXTS = ['.js', '.ts', '.mjs', '.py', '.go', '.rs', '.c', '.h', '.md', '.json', '.sh', '.yml'];

function makeVocabulary(rng, size) {
  const words = new Set();
  while (words.size < size) {
    const parts = 1 + rng.int(3);
    let w = '';
    for (let i = 0; i < parts; i++) {
      const s = rng.pick(SYLLABLES);
      w += i === 0 ? s : s[0].toUpperCase() + s.slice(1);
    }
    if (rng.chance(0.3)) w += rng.int(100);
    words.add(w);
  }
  return [...words];
}

function makeLine(rng, vocab, depth) {
  const indent = '  '.repeat(depth);
  const w = () => rng.pick(vocab);
  const expr = () => {
    let e = rng.chance(0.3) ? String(rng.int(4096)) : w();
    const terms = rng.int(3);
    for (let i = 0; i < terms; i++) e += rng.pick(OPS) + (rng.chance(0.2) ? `'${w()}'` : w());
    return e;
  };
  switch (rng.int(9)) {
    case 0: return `${indent}const ${w()} = ${w()}(${expr()}, ${w()});`;
    case 1: return `${indent}if (${expr()}) {`;
    case 2: return `${indent}return ${expr()};`;
    case 3: return `${indent}${w()}.${w()}(${expr()});`;
    case 4: return `${indent}// ${w()} ${w()} ${w()} ${rng.pick(KEYWORDS)} ${w()} ${w()}`;
    case 5: return `${indent}let ${w()} = { ${w()}: ${expr()}, ${w()}: ${w()} };`;
    case 6: return `${indent}}`;
    case 7: return `${indent}for (const ${w()} of ${w()}.${w()}) ${w()}.push(${expr()});`;
    default: return `${indent}${w()} = await ${w()}.${w()}(${expr()});`;
  }
}

function makeBlock(rng, vocab, lines) {
  const name = rng.pick(vocab);
  const out = [`export function ${name}(${rng.pick(vocab)}, ${rng.pick(vocab)}) {`];
  for (let i = 0; i < lines; i++) out.push(makeLine(rng, vocab, 1 + rng.int(3)));
  out.push('}', '');
  return out;
}

/** Copies `block` with a few lines changed: the helper pasted into another file and adapted. */
function mutateBlock(rng, vocab, block) {
  const out = [...block];
  const changes = 1 + rng.int(3);
  for (let i = 0; i < changes; i++) out[1 + rng.int(out.length - 3)] = makeLine(rng, vocab, 1 + rng.int(3));
  return out;
}

function generate(params) {
  const rng = prng(params.seed);
  const vocab = makeVocabulary(rng, 3000);
  // Directories: a few top-level ones, then levels 2-4 below them.
  const tops = Array.from({ length: Math.max(2, Math.round(params.dirs / 40)) }, () => rng.pick(vocab).toLowerCase());
  const dirs = [];
  const seen = new Set();
  while (dirs.length < params.dirs) {
    const levels = 2 + rng.int(3);
    const parts = [rng.pick(tops)];
    for (let i = 1; i < levels; i++) parts.push(rng.pick(vocab).toLowerCase().slice(0, 12));
    const d = parts.join('/');
    if (!seen.has(d)) {
      seen.add(d);
      dirs.push(d);
    }
  }
  const license = ['/*', ' * Copyright (c) 2026 Example Project contributors.', ' * SPDX-License-Identifier: MIT', ' */', ''];
  // A pool of helpers that files share (pasted, slightly adapted).
  const pool = Array.from({ length: Math.max(4, Math.round(params.files / 6)) }, () => makeBlock(rng, vocab, 6 + rng.int(14)));
  // Files come in families, as in real code: siblings made from one template (the same boilerplate,
  // a test next to another test, the same config file in every package), each with some of its
  // lines changed and blocks of its own; many share a basename (index.ts in every package).
  const files = [];
  const names = new Set();
  while (files.length < params.files) {
    const size = Math.min(params.files - files.length, 1 + rng.int(params.familyMax));
    const ext = rng.pick(EXTS);
    const base = rng.pick(vocab).replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    const local = Array.from({ length: 40 }, () => rng.pick(vocab));
    const mixed = (r) => (r.chance(0.7) ? local : vocab);
    const template = [...license];
    const target = Math.round(params.meanLines * (0.4 + rng.next() * 1.2));
    while (template.length < target) {
      if (rng.chance(0.35)) template.push(...mutateBlock(rng, vocab, rng.pick(pool)));
      else template.push(...makeBlock(rng, mixed(rng), 4 + rng.int(12)));
    }
    const churn = 0.05 + rng.next() * params.familyChurn;
    for (let m = 0; m < size; m++) {
      let file;
      do {
        const name = rng.chance(0.5) ? base : rng.pick(vocab).replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
        file = `${rng.pick(dirs)}/${name}${ext}`;
      } while (names.has(file));
      names.add(file);
      const lines = template.map((line, i) => (i >= license.length && rng.chance(churn) ? makeLine(rng, mixed(rng), 1 + rng.int(3)) : line));
      if (rng.chance(0.5)) lines.push(...makeBlock(rng, mixed(rng), 4 + rng.int(12)));
      files.push({ path: file, lines });
    }
  }
  return { rng, vocab, files };
}

function fastImportStream(params) {
  const { rng, vocab, files } = generate(params);
  const ts = 1767225600;
  const chunks = [];
  const blob = (text) => `data ${Buffer.byteLength(text)}\n${text}`;
  for (let c = 0; c < params.commits; c++) {
    const message = c === 0 ? 'Initial import\n' : `${rng.pick(['Fix', 'Refactor', 'Add', 'Tidy', 'Speed up', 'Document'])} ${rng.pick(vocab)} in ${rng.pick(vocab)}\n`;
    chunks.push(`commit refs/heads/main\nmark :${c + 1}\nauthor Dev <dev@example.com> ${ts + c * 3600} +0000\ncommitter Dev <dev@example.com> ${ts + c * 3600} +0000\n`);
    chunks.push(blob(message));
    if (c > 0) chunks.push(`from :${c}\n`);
    const touched = c === 0 ? files : Array.from({ length: 1 + rng.int(params.filesPerCommit * 2 - 1) }, () => rng.pick(files));
    for (const f of touched) {
      if (c > 0) {
        // Edit a few lines in one place: change, insert or delete. Code grows as it ages (more
        // lines are added than removed), which is why a repository's gc stores the newest version
        // of a file whole and the older ones as deltas against it, and why a server can send a
        // depth-1 clone the deltas it has on disk instead of computing new ones.
        const at = 5 + rng.int(Math.max(1, f.lines.length - 6));
        const n = 1 + rng.int(params.linesPerEdit);
        for (let i = 0; i < n; i++) {
          const op = rng.next();
          const line = makeLine(rng, vocab, 1 + rng.int(3));
          if (op < 0.4) f.lines[Math.min(at + i, f.lines.length - 1)] = line;
          else if (op < 0.85) f.lines.splice(at + i, 0, line);
          else if (f.lines.length > 10) f.lines.splice(at, 1);
        }
      }
      chunks.push(`M 100644 inline ${f.path}\n${blob(`${f.lines.join('\n')}\n`)}`);
    }
    chunks.push('\n');
  }
  return chunks.join('');
}

/** Builds (or finds in the cache) the repository for `params`; see the top of the file. */
export function buildRealisticRepo(params = REALISTIC, { cacheRoot = os.tmpdir() } = {}) {
  const key = createHash('sha256').update(JSON.stringify({ GENERATOR_VERSION, ...params })).digest('hex').slice(0, 16);
  const root = path.join(cacheRoot, `home-native-bench-repo-${params.name}-${key}`);
  const bare = path.join(root, `${params.name}.git`);
  if (existsSync(path.join(root, 'complete'))) return { root, bare, name: params.name, cached: true, buildMs: 0, params };
  const t0 = performance.now();
  const staging = mkdtempSync(path.join(cacheRoot, `home-native-bench-repo-${params.name}-building-`));
  try {
    const stagingBare = path.join(staging, `${params.name}.git`);
    execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', stagingBare], { env: gitEnv });
    const result = spawnSync('git', ['fast-import', '--quiet'], { cwd: stagingBare, env: gitEnv, input: fastImportStream(params), maxBuffer: 1 << 28 });
    if (result.status !== 0) throw new Error(`fast-import failed: ${result.stderr}`);
    execFileSync('git', ['symbolic-ref', 'HEAD', 'refs/heads/main'], { cwd: stagingBare, env: gitEnv });
    // One pack with real deltas, as a hosted repository has after its gc.
    execFileSync('git', ['repack', '-a', '-d', '-f', '--quiet', '--depth=50', '--window=50'], { cwd: stagingBare, env: gitEnv });
    execFileSync('git', ['config', 'http.receivepack', 'false'], { cwd: stagingBare, env: gitEnv });
    writeFileSync(path.join(staging, 'complete'), `${JSON.stringify(params)}\n`);
    rmSync(root, { recursive: true, force: true });
    mkdirSync(path.dirname(root), { recursive: true });
    renameSync(staging, root);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  return { root, bare, name: params.name, cached: false, buildMs: performance.now() - t0, params };
}

/**
 * Stats of the pack a depth-1 clone of `bare` receives: { packBytes, objects, deltas, deltaShare,
 * blobs, files }. Clones with the git CLI into `scratch` (removed after) and reads verify-pack.
 */
export function depthOnePackStats(bare, scratch) {
  const dest = path.join(scratch, 'stats-clone');
  rmSync(dest, { recursive: true, force: true });
  execFileSync('git', ['clone', '--quiet', '--depth', '1', '--single-branch', '--no-checkout', `file://${bare}`, dest], { env: gitEnv });
  try {
    const packDir = path.join(dest, '.git', 'objects', 'pack');
    const idx = execFileSync('sh', ['-c', 'ls *.idx'], { cwd: packDir, encoding: 'utf8' }).trim();
    const packBytes = Number(execFileSync('stat', ['-c', '%s', idx.replace(/\.idx$/, '.pack')], { cwd: packDir, encoding: 'utf8' }).trim());
    const out = execFileSync('git', ['verify-pack', '-v', idx], { cwd: packDir, env: gitEnv, encoding: 'utf8', maxBuffer: 1 << 28 });
    let objects = 0;
    let deltas = 0;
    let blobs = 0;
    for (const line of out.split('\n')) {
      const m = /^[0-9a-f]{40} (\w+)\s+\d+ \d+ \d+( \d+ [0-9a-f]{40})?/.exec(line);
      if (!m) continue;
      objects++;
      if (m[1] === 'blob') blobs++;
      if (m[2]) deltas++;
    }
    const files = Number(execFileSync('sh', ['-c', 'git ls-tree -r HEAD | wc -l'], { cwd: dest, env: gitEnv, encoding: 'utf8' }).trim());
    return { packBytes, objects, deltas, deltaShare: deltas / objects, blobs, files };
  } finally {
    rmSync(dest, { recursive: true, force: true });
  }
}

// `node bench/realistic-repo.mjs`: build both repositories and print their stats.
if (process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  for (const params of [REALISTIC, DOTFILES]) {
    const repo = buildRealisticRepo(params);
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'home-native-bench-stats-'));
    try {
      const stats = depthOnePackStats(repo.bare, scratch);
      console.log(JSON.stringify({ name: params.name, cached: repo.cached, buildMs: Math.round(repo.buildMs), root: repo.root, ...stats }));
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
}
