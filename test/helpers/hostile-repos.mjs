// Hostile repositories for the clone's budget and name checks, made with git plumbing straight into
// bare repositories that startHttpGitServer can serve (no work tree, no push, no fsck on the way:
// `git hash-object --literally` writes the malformed trees as they are). Every builder returns
// { bare, name, ...facts the test checks }.
//
// Two repositories cannot come out of git's own pack-objects (it dies walking a tree with an empty
// name; hashing a 3 GiB blob into a repository would take longer than the test): they carry a
// prebuilt `hostile.pack` that the server hands out instead (packObjectsHook below), while the
// repository itself holds the commit and trees that the ref advertisement and the shallow
// negotiation read.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const gitEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Hostile',
  GIT_AUTHOR_EMAIL: 'hostile@example.com',
  GIT_COMMITTER_NAME: 'Hostile',
  GIT_COMMITTER_EMAIL: 'hostile@example.com',
  GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
};

const MODE = { file: '100644', exec: '100755', link: '120000', tree: '40000', gitlink: '160000' };

function git(bare, args, input) {
  return execFileSync('git', [`--git-dir=${bare}`, ...args], { env: gitEnv, input, maxBuffer: 1 << 28 }).toString().trim();
}

function initBare(root, name) {
  const bare = path.join(root, `${name}.git`);
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', bare], { env: gitEnv });
  git(bare, ['config', 'http.receivepack', 'false']);
  return bare;
}

/** `git hash-object -w`; `literally` skips git's checks, for the malformed. */
function writeObject(bare, type, content, { literally = false } = {}) {
  return git(bare, ['hash-object', '-w', '-t', type, ...(literally ? ['--literally'] : []), '--stdin'], content);
}

/**
 * A tree's bytes: `<mode> <name>\0<20-byte id>` per entry, in git's order (a directory sorts as
 * its name with a '/' appended) unless `sorted` is false.
 */
export function treeBytes(entries, { sorted = true } = {}) {
  const key = (e) => Buffer.from(e.mode === MODE.tree ? `${e.name}/` : e.name);
  const list = sorted ? [...entries].sort((a, b) => Buffer.compare(key(a), key(b))) : entries;
  return Buffer.concat(list.map((e) => Buffer.concat([Buffer.from(`${e.mode} ${e.name}\0`), Buffer.from(e.oid, 'hex')])));
}

const writeTree = (bare, entries, options) => writeObject(bare, 'tree', treeBytes(entries, options), { literally: true });

/** Many trees (their bytes) in one git process (`--stdin-paths`): a process per tree is slow. */
function writeTrees(bare, contents) {
  const dir = mkdtempSync(path.join(path.dirname(bare), 'trees-'));
  try {
    const files = contents.map((content, i) => {
      const file = path.join(dir, String(i));
      writeFileSync(file, content);
      return file;
    });
    return git(bare, ['hash-object', '-w', '-t', 'tree', '--literally', '--stdin-paths'], files.join('\n')).split('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The id git gives an object: SHA-1 of `<type> <length>\0<content>`. */
const objectId = (type, content) => createHash('sha1').update(`${type} ${content.length}\0`).update(content).digest('hex');

function commit(bare, tree, message = 'hostile\n') {
  const id = git(bare, ['commit-tree', tree], message);
  git(bare, ['update-ref', 'refs/heads/main', id]);
  return id;
}

/**
 * uploadpack.packObjectsHook for startHttpGitServer's `env`: where a repository holds a
 * hostile.pack, upload-pack sends it instead of running pack-objects (git runs the hook in the
 * repository, with pack-objects' command line as its arguments). Command-line configuration
 * (GIT_CONFIG_COUNT) is where git accepts this setting; never a repository's own config.
 */
export function packObjectsHookEnv(dir) {
  const hook = path.join(dir, 'pack-objects-hook.sh');
  writeFileSync(hook, '#!/bin/sh\nif [ -f hostile.pack ]; then cat >/dev/null; exec cat hostile.pack; fi\nexec "$@"\n');
  chmodSync(hook, 0o755);
  return { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'uploadpack.packObjectsHook', GIT_CONFIG_VALUE_0: hook };
}

/** Packs exactly `ids` (no walk of their trees, which git refuses for some of ours) as hostile.pack. */
function servePackOf(bare, ids) {
  const pack = execFileSync('git', [`--git-dir=${bare}`, 'pack-objects', '--stdout'], { env: gitEnv, input: ids.join('\n') + '\n' });
  writeFileSync(path.join(bare, 'hostile.pack'), pack);
}

/**
 * The git bomb: one blob, a tree of `width` entries naming it, and `depth - 1` more levels of
 * trees of `width` entries naming the level below: width^depth files from depth + 2 objects.
 */
export function buildGitBomb(root, { name = 'bomb', width = 10, depth = 10 } = {}) {
  const bare = initBare(root, name);
  const blob = writeObject(bare, 'blob', 'bomb\n');
  let tree = writeTree(bare, Array.from({ length: width }, (_, i) => ({ mode: MODE.file, name: `f${i}`, oid: blob })));
  for (let level = 1; level < depth; level++) {
    tree = writeTree(bare, Array.from({ length: width }, (_, i) => ({ mode: MODE.tree, name: `d${i}`, oid: tree })));
  }
  return { bare, name, files: width ** depth, objects: depth + 2, commit: commit(bare, tree) };
}

/** `files` empty files, `perDir` to a directory. */
export function buildManyFiles(root, { name = 'many', files = 300_000, perDir = 1000 } = {}) {
  const bare = initBare(root, name);
  const empty = writeObject(bare, 'blob', '');
  const dirs = Math.ceil(files / perDir);
  const leaves = Array.from({ length: dirs }, (_, d) =>
    Array.from({ length: Math.min(perDir, files - d * perDir) }, (_, i) => ({ mode: MODE.file, name: `f${i}`, oid: empty })),
  );
  const ids = writeTrees(bare, leaves.map((entries) => treeBytes(entries)));
  const top = writeTree(bare, ids.map((oid, d) => ({ mode: MODE.tree, name: `d${d}`, oid })));
  return { bare, name, files, commit: commit(bare, top) };
}

/** A file at the bottom of `depth` nested directories named `component`. */
export function buildDeepTree(root, { name = 'deep', depth = 3000, component = 'd' } = {}) {
  const bare = initBare(root, name);
  // Each level names the one below: the ids are computed here, the trees written in one go.
  const trees = [treeBytes([{ mode: MODE.file, name: 'bottom', oid: writeObject(bare, 'blob', 'deep\n') }])];
  for (let level = 0; level < depth; level++) {
    trees.push(treeBytes([{ mode: MODE.tree, name: component, oid: objectId('tree', trees[trees.length - 1]) }]));
  }
  const written = writeTrees(bare, trees);
  return { bare, name, depth, commit: commit(bare, written[written.length - 1]) };
}

/**
 * A root tree of `entries` ({ mode: 'file' | 'link' | 'tree' | ..., name, content }): a file's or
 * link's content becomes its blob, a tree's is a list of entries again. `sorted: false` keeps
 * the given order (for duplicates git would reorder). README.md is added so the repository is
 * otherwise ordinary.
 */
export function buildTreeRepo(root, name, entries, { sorted = true, prebuiltPack = false } = {}) {
  const bare = initBare(root, name);
  const ids = [];
  const build = (list, top) => {
    const all = top ? [{ mode: 'file', name: 'README.md', content: 'hostile\n' }, ...list] : list;
    const resolved = all.map((e) => {
      const oid = e.mode === 'tree' ? build(e.content, false) : writeObject(bare, 'blob', e.content);
      ids.push(oid);
      return { mode: MODE[e.mode], name: e.name, oid };
    });
    return writeTree(bare, resolved, { sorted });
  };
  const tree = build(entries, true);
  const id = commit(bare, tree);
  if (prebuiltPack) servePackOf(bare, [id, tree, ...ids]);
  return { bare, name, commit: id };
}

/** A commit whose message is `bytes` long (one small file in its tree). */
export function buildBigCommit(root, { name = 'big-commit', bytes = 50_000_000 } = {}) {
  const bare = initBare(root, name);
  const tree = writeTree(bare, [{ mode: MODE.file, name: 'README.md', oid: writeObject(bare, 'blob', 'big commit\n') }]);
  const line = 'A commit message that never ends. '.repeat(3) + '\n';
  const message = line.repeat(Math.ceil(bytes / line.length)).slice(0, bytes);
  return { bare, name, bytes, commit: commit(bare, tree, message) };
}

// --- the zlib bomb -------------------------------------------------------------------------------

/** A pack object's header: type and size as git's varint (4 bits, then 7 per byte). */
function packObjectHeader(type, size) {
  const bytes = [(type << 4) | (size % 16)];
  let rest = Math.floor(size / 16);
  while (rest > 0) {
    bytes[bytes.length - 1] |= 0x80;
    bytes.push(rest % 128);
    rest = Math.floor(rest / 128);
  }
  return Buffer.from(bytes);
}

const PACK_BLOB = 3;
const PACK_TREE = 2;
const PACK_COMMIT = 1;

/**
 * The zlib bomb: one blob of `bytes` zeros (3 GiB by default, about 3 MB deflated), in a tree of
 * one file `zeros.bin`. The deflate stream is one compressed run of zeros repeated (full-flush
 * blocks are byte-aligned and share no history, so they concatenate), its Adler-32 computed, not
 * summed: over zeros, A stays 1 and B is the length mod 65521. Only hashing the blob's id reads
 * all the bytes (a few seconds); that is why a test builds it once.
 */
/** A run of `bytes` zeros as one zlib stream, built from one deflated chunk (see buildZlibBomb). */
function zerosStream(bytes) {
  const chunk = 64 * 2 ** 20;
  if (bytes % chunk !== 0) throw new Error('a run of zeros is a whole number of 64 MiB chunks');
  const block = zlib.deflateRawSync(Buffer.alloc(chunk), { level: 9, finishFlush: zlib.constants.Z_FULL_FLUSH });
  const adler = Buffer.alloc(4);
  adler.writeUInt32BE((((bytes % 65521) << 16) | 1) >>> 0);
  return Buffer.concat([Buffer.from([0x78, 0x01]), ...Array(bytes / chunk).fill(block), zlib.deflateRawSync(Buffer.alloc(0)), adler]);
}

/** The id of a blob of `bytes` zeros: the one step that reads every byte. */
function zerosBlobId(bytes) {
  const chunk = Buffer.alloc(64 * 2 ** 20);
  const hash = createHash('sha1').update(`blob ${bytes}\0`);
  for (let done = 0; done < bytes; done += chunk.length) hash.update(chunk.subarray(0, Math.min(chunk.length, bytes - done)));
  return hash.digest('hex');
}

/** A pack of `objects` ({ header, data }: the object header bytes, then its deflated data), with its trailer. */
function packOf(objects) {
  const header = Buffer.alloc(12);
  header.write('PACK', 0);
  header.writeUInt32BE(2, 4);
  header.writeUInt32BE(objects.length, 8);
  const body = Buffer.concat([header, ...objects.flatMap((o) => [o.header, o.data])]);
  return Buffer.concat([body, createHash('sha1').update(body).digest()]);
}

/** A repository whose tree holds `zeros.bin` (blob `blob`), and its commit and tree as pack objects. */
function zerosRepo(root, name, blob) {
  const bare = initBare(root, name);
  const treeContent = treeBytes([{ mode: MODE.file, name: 'zeros.bin', oid: blob }]);
  const tree = writeObject(bare, 'tree', treeContent, { literally: true });
  const id = commit(bare, tree);
  const commitContent = execFileSync('git', [`--git-dir=${bare}`, 'cat-file', 'commit', id], { env: gitEnv });
  const objects = [
    { header: packObjectHeader(PACK_COMMIT, commitContent.length), data: zlib.deflateSync(commitContent) },
    { header: packObjectHeader(PACK_TREE, treeContent.length), data: zlib.deflateSync(treeContent) },
  ];
  return { bare, id, objects };
}

/**
 * The zlib bomb: one blob of `bytes` zeros (3 GiB by default, about 3 MB deflated), in a tree of
 * one file `zeros.bin`. The deflate stream is one compressed run of zeros repeated (full-flush
 * blocks are byte-aligned and share no history, so they concatenate), its Adler-32 computed, not
 * summed: over zeros, A stays 1 and B is the length mod 65521. Only hashing the blob's id reads
 * all the bytes (a few seconds); that is why a test builds it once.
 */
export function buildZlibBomb(root, { name = 'zlib-bomb', bytes = 3 * 2 ** 30 } = {}) {
  const { bare, id, objects } = zerosRepo(root, name, zerosBlobId(bytes));
  const pack = packOf([...objects, { header: packObjectHeader(PACK_BLOB, bytes), data: zerosStream(bytes) }]);
  writeFileSync(path.join(bare, 'hostile.pack'), pack);
  return { bare, name, bytes, packBytes: pack.length, commit: id };
}

/** git's delta instructions: copy `size` bytes at `offset` of the base. */
function deltaCopy(offset, size) {
  const bytes = [0x80];
  for (let i = 0; i < 4; i++) {
    const b = Math.floor(offset / 2 ** (8 * i)) & 0xff;
    if (b) {
      bytes[0] |= 1 << i;
      bytes.push(b);
    }
  }
  for (let i = 0; i < 3; i++) {
    const b = Math.floor(size / 2 ** (8 * i)) & 0xff;
    if (b) {
      bytes[0] |= 0x10 << i;
      bytes.push(b);
    }
  }
  return bytes;
}

/** A little-endian base-128 varint (a delta's sizes). */
function varint(value) {
  const bytes = [];
  do {
    let b = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) b |= 0x80;
    bytes.push(b);
  } while (value > 0);
  return bytes;
}

/** An OFS_DELTA's base: `distance` bytes back from the delta's own start (git's offset encoding). */
function ofsDistance(distance) {
  const bytes = [distance & 127];
  while ((distance = Math.floor(distance / 128)) > 0) bytes.unshift(128 | (--distance & 127));
  return Buffer.from(bytes);
}

const PACK_OFS_DELTA = 6;

/**
 * The delta bomb: a blob of `baseBytes` zeros and `deltas` offset deltas against it, each a few
 * dozen bytes that make a new object of the base plus 4 bytes. Resolving each one inflates the
 * base, applies the delta and hashes the result: a fraction of a second apiece, so the indexer's
 * delta resolution, not the transfer, takes the time. The deltas are named by no tree: the
 * indexer resolves them all the same.
 */
export function buildDeltaBomb(root, { name = 'delta-bomb', baseBytes = 64 * 2 ** 20, deltas = 64 } = {}) {
  const { bare, id, objects } = zerosRepo(root, name, zerosBlobId(baseBytes));
  const base = { header: packObjectHeader(PACK_BLOB, baseBytes), data: zerosStream(baseBytes) };
  let offset = 12 + objects.reduce((sum, o) => sum + o.header.length + o.data.length, 0);
  const baseOffset = offset;
  offset += base.header.length + base.data.length;
  const piece = 8 * 2 ** 20;
  const list = [...objects, base];
  for (let i = 0; i < deltas; i++) {
    const ops = [...varint(baseBytes), ...varint(baseBytes + 4)];
    for (let at = 0; at < baseBytes; at += piece) ops.push(...deltaCopy(at, piece));
    const tag = Buffer.alloc(4);
    tag.writeUInt32BE(i);
    ops.push(4, ...tag);
    const data = zlib.deflateSync(Buffer.from(ops));
    const header = Buffer.concat([packObjectHeader(PACK_OFS_DELTA, ops.length), ofsDistance(offset - baseOffset)]);
    list.push({ header, data });
    offset += header.length + data.length;
  }
  const pack = packOf(list);
  writeFileSync(path.join(bare, 'hostile.pack'), pack);
  return { bare, name, deltas, packBytes: pack.length, commit: id };
}
