// Crash safety: a materialization (clone from a loopback smart-HTTP server, setup through
// localRunner, 200 overlay files) runs in a child process that is killed with SIGKILL at random
// moments: anywhere, or aimed inside the clone, the setup or the overlay batch. The two configs
// (branches main and alt, each with its own overlay contents) alternate, so that every run clones,
// runs the setup and rewrites the overlay; the kill delays are random. After every kill:
//   - every overlay file is whole: its old content, or one of the two new ones (never absent,
//     never partial);
//   - the marker, when present, names a config whose ~/.dotfiles is completely checked out and
//     whose setup finished (the setup writes ~/.setup-stamp last);
//   - the home's lock is free (the dead process does not hold it).
// Then a clean materialization must converge to exactly the tree a fresh home gets, with no
// temporary files in the home and no clone debris in the staging area.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { lstat, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { configHash, configure, localRunner, materializeUserHome } from '@spoon/home-native';
import { resetSettingsForTests } from '../dist/settings.js';
import { git } from './helpers/fixtures.mjs';
import { tempDir } from './helpers/temp.mjs';
import { startHttpGitServer } from './helpers/servers.mjs';
import { stagingDebris } from './helpers/home.mjs';
import { snapshot } from './helpers/tree.mjs';
import { ownedHome } from './helpers/setup-user.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const RUNS = Number(process.env.HOME_NATIVE_CRASH_RUNS ?? 90);
const FILES = 200;
const containerHome = '/home/alice';
const variants = ['main', 'alt'];

// A file of `size` bytes that names its variant and index on every line: a partial write or a
// mix of two versions cannot pass for a whole one.
const body = (variant, i, size = 2048 + (i % 7) * 1024) => {
  const line = `${variant} file ${i} `.padEnd(63, '.') + '\n';
  return line.repeat(Math.ceil(size / 64)).slice(0, size);
};
const overlayPath = (i) => (i % 4 === 0 ? `.f${i}` : `.config/d${i % 5}/f${i}`);
const overlay = (variant) =>
  Array.from({ length: FILES }, (_, i) => ({ path: overlayPath(i), content: body(variant, i), isExecutable: i % 9 === 0 }));

const installScript = [
  'set -e',
  'v=$(cat VERSION)',
  'mkdir -p "$HOME/.setup"',
  'for i in 1 2 3 4 5; do printf "setup %s %s\\n" "$v" "$i" > "$HOME/.setup/s$i"; done',
  // Last: the stamp says the setup for $v completed.
  'printf "%s\\n" "$v" > "$HOME/.setup-stamp"',
  '',
].join('\n');

function buildRepo(root) {
  const work = path.join(root, 'work');
  mkdirSync(work);
  git(work, 'init', '--quiet', '--initial-branch=main');
  const tree = {};
  for (const variant of variants) {
    if (variant !== 'main') git(work, 'checkout', '--quiet', '-b', variant);
    const files = { 'VERSION': `${variant}\n`, 'install.sh': installScript };
    for (let i = 0; i < 150; i++) files[`pkg${i % 10}/file${i}.txt`] = `${variant} ${i}\n`.repeat(40);
    for (const [rel, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(work, rel)), { recursive: true });
      writeFileSync(path.join(work, rel), content);
    }
    git(work, 'add', '.');
    git(work, 'commit', '--quiet', '-m', variant);
    tree[variant] = files;
  }
  const repos = path.join(root, 'repos');
  mkdirSync(repos);
  git(root, 'clone', '--quiet', '--bare', work, path.join(repos, 'dotfiles.git'));
  return { repos, tree };
}

const envFor = (url, variant) => ({
  username: 'alice',
  enabled: true,
  dotfilesRepoUrl: url,
  dotfilesRepoRef: variant,
  setupCommand: 'install.sh',
  files: overlay(variant),
});

function seedOldFiles(home) {
  for (const f of overlay('old')) {
    mkdirSync(path.dirname(path.join(home, f.path)), { recursive: true });
    writeFileSync(path.join(home, f.path), f.content);
    chmodSync(path.join(home, f.path), f.isExecutable ? 0o755 : 0o644);
  }
}

/**
 * Whether another open file holds the home's lock, asked with F_OFD_GETLK (python3's fcntl):
 * a probe that neither takes the lock nor changes the lock file, so the next materialization
 * still sees what the killed one left.
 */
function lockIsHeld(lockFile) {
  const probe = [
    'import fcntl, os, struct, sys',
    'fd = os.open(sys.argv[1], os.O_RDONLY)',
    "req = struct.pack('hhqqi4x', fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0)",
    "print(struct.unpack('hhqqi4x', fcntl.fcntl(fd, fcntl.F_OFD_GETLK, req))[0] != fcntl.F_UNLCK)",
  ].join('\n');
  return execFileSync('python3', ['-c', probe, lockFile], { encoding: 'utf8' }).trim() === 'True';
}

const readOrNull = (file) => readFile(file, 'utf8').catch(() => null);

/** Every regular file below `dir` (relative paths), `.git` left out. */
async function files(dir, rel = '') {
  const out = [];
  for (const name of await readdir(path.join(dir, rel)).catch(() => [])) {
    const childRel = rel ? `${rel}/${name}` : name;
    if (childRel === '.git') continue;
    const st = await lstat(path.join(dir, childRel));
    if (st.isDirectory()) out.push(...(await files(dir, childRel)));
    else out.push(childRel);
  }
  return out.sort();
}

/** Temporary files of ours anywhere in the home. */
async function tempFiles(dir, rel = '') {
  const out = [];
  for (const name of await readdir(path.join(dir, rel)).catch(() => [])) {
    const childRel = rel ? `${rel}/${name}` : name;
    if (/^\.home-native-[0-9a-f]+\.tmp$/.test(name)) out.push(childRel);
    const st = await lstat(path.join(dir, childRel));
    if (st.isDirectory() && !st.isSymbolicLink()) out.push(...(await tempFiles(dir, childRel)));
  }
  return out;
}

/** The whole home's tree, `.dotfiles/.git` left out (its index holds times). */
const homeTree = (dir) => snapshot(dir, { skip: (rel) => rel === '.dotfiles/.git' });

test(`crash safety: ${RUNS} SIGKILLs at random points, then a clean run converges`, { timeout: 600_000 }, async (t) => {
  resetSettingsForTests();
  const scratch = tempDir(t, 'home-native-crash-');
  const { repos, tree } = buildRepo(scratch);
  const server = await startHttpGitServer(repos);
  t.after(() => server.stop());
  const url = server.url('dotfiles');
  const homes = path.join(scratch, 'homes');
  const home = path.join(homes, 'alice');
  const staging = path.join(homes, '.home-native');
  ownedHome(home);
  seedOldFiles(home);
  const filesJson = Object.fromEntries(variants.map((v) => [v, path.join(scratch, `${v}.json`)]));
  for (const v of variants) writeFileSync(filesJson[v], JSON.stringify(overlay(v)));
  const hashes = Object.fromEntries(variants.map((v) => [configHash(envFor(url, v)), v]));
  const allowed = new Map(overlay('old').map((f, i) => [f.path, new Set(['old', ...variants].map((v) => body(v, i)))]));

  /**
   * Starts a child; `killAt(lines)` decides when to kill it (or never). Not runNode
   * (helpers/child.mjs): the kill is aimed at the phases the child reports while it runs.
   */
  function runChild(variant, plan) {
    const child = spawn(process.execPath, [path.join(here, 'children/crash.mjs'), home, url, variant, filesJson[variant]], {
      cwd: here,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const started = performance.now();
    let out = '';
    let err = '';
    let timer;
    const kill = (delay) => {
      clearTimeout(timer);
      timer = setTimeout(() => child.kill('SIGKILL'), delay);
    };
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => {
      out += d;
      for (const line of String(d).split('\n')) {
        const phase = line.match(/^phase (\w+)/)?.[1];
        if (phase && plan.phase === phase) kill(plan.delayMs);
      }
    });
    if (plan.phase === 'any') kill(plan.delayMs);
    return once(child, 'exit').then(([code, signal]) => {
      clearTimeout(timer);
      return { code, signal, out, err, ms: performance.now() - started };
    });
  }

  // One uninterrupted run per variant: the timings to aim at, and proof that a run completes.
  const full = {};
  for (const v of variants) {
    const r = await runChild(v, { phase: 'never' });
    assert.equal(r.code, 0, r.err);
    full[v] = { ms: r.ms, report: JSON.parse(r.out.split('\n').find((l) => l.startsWith('done ')).slice(5)) };
  }
  const d = full.main.report.durationsMs;
  t.diagnostic(`uninterrupted run: ${full.main.ms.toFixed(0)} ms (clone ${d.clone.toFixed(0)}, setup ${d.setup.toFixed(0)}, overlay ${d.overlay.toFixed(0)} ms)`);

  const lockFile = path.join(staging, 'locks', `${createHash('sha256').update(home).digest('hex')}.lock`);
  let abandoned = 0;
  const killedIn = new Map();
  let survived = 0;
  const debrisSeen = { temp: 0, staging: 0 };
  const started = performance.now();
  for (let run = 0; run < RUNS; run++) {
    // The configs alternate: every run changes the dotfiles ref and every overlay file, so each
    // one clones, runs the setup and rewrites the batch (a killed run leaves no marker behind
    // that would let the next one skip them).
    const variant = variants[run % 2];
    // A quarter each: anywhere in the run, inside the clone, inside the setup, inside the overlay.
    const aim = ['any', 'clone', 'setup', 'overlay'][run % 4];
    const window = { any: full[variant].ms * 0.9, clone: d.clone, setup: d.setup, overlay: d.overlay }[aim];
    const plan = { phase: aim, delayMs: Math.random() * Math.max(window, 1) };
    const r = await runChild(variant, plan);
    if (r.signal !== 'SIGKILL') {
      assert.equal(r.code, 0, `run ${run} failed on its own: ${r.err}`);
      survived++;
    }
    const lastPhase = [...r.out.matchAll(/^phase (\w+)/gm)].at(-1)?.[1] ?? 'start';
    const where = r.signal === 'SIGKILL' ? `killed in ${lastPhase}` : 'completed';
    killedIn.set(where, (killedIn.get(where) ?? 0) + 1);
    const context = `run ${run} (${variant}, aimed at ${aim} +${plan.delayMs.toFixed(1)} ms, ${where})`;

    // Every overlay file is whole: old, or one of the new versions.
    for (const [rel, ok] of allowed) {
      const st = await lstat(path.join(home, rel));
      assert.ok(st.isFile(), `${context}: ${rel} is not a regular file`);
      assert.ok(ok.has(await readFile(path.join(home, rel), 'utf8')), `${context}: ${rel} is half-written or foreign`);
    }
    // A marker always speaks the truth.
    const marker = (await readOrNull(path.join(home, '.spoon/env-hash')))?.trim();
    if (marker) {
      const v = hashes[marker];
      assert.ok(v, `${context}: unknown marker ${marker}`);
      assert.equal(await readOrNull(path.join(home, '.setup-stamp')), `${v}\n`, `${context}: marker for ${v} without its setup`);
      assert.equal(await readOrNull(path.join(home, '.setup/s5')), `setup ${v} 5\n`, `${context}: setup output`);
      assert.deepEqual(await files(path.join(home, '.dotfiles')), Object.keys(tree[v]).sort(), `${context}: ~/.dotfiles incomplete`);
      for (const [rel, content] of Object.entries(tree[v])) {
        assert.equal(await readFile(path.join(home, '.dotfiles', rel), 'utf8'), content, `${context}: ~/.dotfiles/${rel}`);
      }
      await lstat(path.join(home, '.dotfiles/.git/HEAD'));
    }
    // The dead process holds no lock: the kernel dropped it with the process.
    assert.equal(lockIsHeld(lockFile), false, `${context}: the lock is still held`);
    if ((await readOrNull(lockFile))?.[0] === '1') abandoned++;
    debrisSeen.temp += (await tempFiles(home)).length;
    debrisSeen.staging += stagingDebris(staging).length;
  }
  const killMs = performance.now() - started;

  // The clean run, and a fresh home made by a clean run from the same start: the same tree.
  configure({ clone: { allowedProtocols: ['http'], allowedNetworks: ['127.0.0.0/8', '::1/128'] }, runInJobContainer: localRunner });
  const redact = (text) => text;
  await materializeUserHome({ homeDir: home, containerHome, redact, userEnv: envFor(url, 'main') });
  const fresh = path.join(scratch, 'fresh', 'alice');
  ownedHome(fresh);
  seedOldFiles(fresh);
  await materializeUserHome({ homeDir: fresh, containerHome, redact, userEnv: envFor(url, 'main') });
  assert.deepEqual(await homeTree(home), await homeTree(fresh), 'the home converged to the fresh tree');
  assert.deepEqual(await tempFiles(home), [], 'no temporary file survives the clean run');
  assert.deepEqual(stagingDebris(staging), [], 'no clone debris survives the clean run');
  assert.equal(lockIsHeld(lockFile), false);
  assert.equal((await readOrNull(lockFile))?.[0], '0', 'the clean run released the lock');

  const summary = [...killedIn].map(([k, n]) => `${k}: ${n}`).join(', ');
  t.diagnostic(`runs=${RUNS} killed=${RUNS - survived} completed=${survived} in ${(killMs / 1000).toFixed(1)} s; ${summary}`);
  t.diagnostic(`after kills: lock abandoned ${abandoned} times (never held by the dead); debris seen then swept: temp files ${debrisSeen.temp}, staging entries ${debrisSeen.staging}`);
  console.log(`crash-safety: runs=${RUNS} killed=${RUNS - survived} (${summary}) ${(killMs / 1000).toFixed(1)} s`);
  resetSettingsForTests();
});
