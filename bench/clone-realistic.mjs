// Clone benchmark on repositories shaped like real ones (bench/realistic-repo.mjs), runnable alone
// (`node bench/clone-realistic.mjs [--runs N] [--json]`) or by bench/run.mjs (`clone-realistic`).
// Each case is a depth-1 clone into tmpfs over loopback, cloneRepository vs
// `git clone --depth 1 --single-branch` of the same URL, alternating, same run, the first round a
// warm-up that is not counted:
//   1. the realistic repository (about 1,100 files, a 3-4 MB pack) over smart HTTP;
//      target median ratio (package/git) <= 0.8
//   2. the same over HTTPS (a CA made here, given to both tools); target <= 0.8
//   3. a small dotfiles repository (40 files, tens of KB) over HTTPS; target <= 0.6
// Each against two servers, both git http-backend behind a Node HTTP server:
//   - "pack built per fetch": upload-pack runs pack-objects for every clone. For the realistic
//     repository that takes about 0.4 s of the server's CPU (it deltifies the blobs whose stored
//     deltas have bases a depth-1 clone does not get), which both tools wait for alike.
//   - "pack cache": upload-pack's uploadpack.packObjectsHook (bench/pack-cache-hook.sh) answers a
//     fetch it has seen from a cache, as hosted servers do (GitLab's Gitaly caches pack-objects
//     output): the server's part is then a few ms, and what is measured is the two clients.
// Then the phases of the realistic repository over HTTPS, from separate instrumented runs (so
// that the instrumentation does not touch the timings above): the package's from its onProgress
// events (the first event of each phase), git's from GIT_TRACE2_EVENT (index-pack's "Receiving
// objects" and "Resolving deltas" progress regions, the clone's unpack_trees region, the
// process's exit).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { cloneRepository } from '@spoon/home-native';
import { makeTlsFiles, startHttpGitServer } from '../test/helpers/servers.mjs';
import { DOTFILES, REALISTIC, buildRealisticRepo, depthOnePackStats } from './realistic-repo.mjs';
import { gitDepthOneClone as gitClone, median, numberFlag } from './measure.mjs';

const args = process.argv.slice(2);
const runs = numberFlag('--runs', 7);
const json = args.includes('--json');

const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-');
/** Wall-clock time in ms with sub-ms precision, comparable with trace2's absolute times. */
const now = () => performance.timeOrigin + performance.now();

const NETWORKS = ['127.0.0.0/8', '::1/128'];

function ourClone(url, home, { caFile, onProgress } = {}) {
  return cloneRepository({
    url,
    homeDir: home,
    allowedProtocols: ['http', 'https'],
    allowedNetworks: NETWORKS,
    ...(caFile ? { caFile } : {}),
    ...(onProgress ? { onProgress } : {}),
  });
}

/** Alternating timed runs of one case: { ours, theirs, ratios } in ms. */
async function timeCase(shm, url, { caFile }) {
  const ours = [];
  const theirs = [];
  for (let i = -1; i < runs; i++) {
    const base = mkdtempSync(path.join(shm, 'run-'));
    const home = path.join(base, 'alice');
    mkdirSync(home);
    let t = performance.now();
    const report = await ourClone(url, home, { caFile });
    const oursMs = performance.now() - t;
    if (!report.shallow) throw new Error('expected a shallow clone');
    t = performance.now();
    await gitClone(url, path.join(base, 'git-clone'), { caFile });
    const gitMs = performance.now() - t;
    rmSync(base, { recursive: true, force: true });
    if (i >= 0) {
      ours.push(oursMs);
      theirs.push(gitMs);
    }
  }
  return { ours, theirs, ratios: ours.map((x, i) => x / theirs[i]) };
}

const PHASES = ['connecting', 'receiving', 'resolving', 'checkout', 'done'];

/**
 * The package's phases of one clone, from the first onProgress event of each: connecting runs
 * from the call, each phase until the next one's first event, `done` from its event until the
 * promise settles.
 */
async function ourPhases(url, home, caFile) {
  const first = {};
  const t0 = now();
  await ourClone(url, home, {
    caFile,
    onProgress: (p) => {
      if (first[p.phase] === undefined) first[p.phase] = now();
    },
  });
  const end = now();
  return phaseDurations(t0, first, end);
}

/**
 * git's phases of one clone from its trace2 event stream: connecting from the spawn until
 * index-pack's "Receiving objects" (the pack's first bytes), receiving until "Resolving deltas",
 * resolving (with the connectivity check) until unpack_trees, checkout (with the index write)
 * until the clone process's exit event, done from there until the child's exit reaches node.
 */
async function gitPhases(url, dest, caFile, tracePath) {
  rmSync(tracePath, { force: true });
  const t0 = now();
  await gitClone(url, dest, { caFile, tracePath });
  const end = now();
  const first = {};
  let cloneSid;
  for (const line of readFileSync(tracePath, 'utf8').split('\n')) {
    if (!line) continue;
    const e = JSON.parse(line);
    const t = traceTime(e.time);
    if (e.event === 'start' && cloneSid === undefined) cloneSid = e.sid;
    const mark = (phase) => {
      if (first[phase] === undefined) first[phase] = t;
    };
    if (e.event === 'region_enter' && e.category === 'progress' && e.label === 'Receiving objects') mark('receiving');
    if (e.event === 'region_enter' && e.category === 'progress' && e.label === 'Resolving deltas') mark('resolving');
    if (e.event === 'region_enter' && e.category === 'unpack_trees' && e.label === 'unpack_trees') mark('checkout');
    if (e.event === 'exit' && e.sid === cloneSid) mark('done');
    if (e.event === 'cmd_name' && e.name === 'index-pack') mark('packWait');
  }
  const out = phaseDurations(t0, first, end);
  // The part of connecting spent waiting for the server's pack-objects (counting, compressing):
  // from index-pack's start (refs and negotiation done) to the pack's first bytes.
  if (first.packWait !== undefined && first.receiving !== undefined) out.packWait = first.receiving - first.packWait;
  return out;
}

/** trace2's "2026-01-01T10:56:42.464791Z" as ms since the epoch, keeping the microseconds. */
function traceTime(text) {
  const m = /^(.*T\d\d:\d\d:\d\d)(\.\d+)?Z$/.exec(text);
  return Date.parse(`${m[1]}Z`) + (m[2] ? Number(m[2]) * 1000 : 0);
}

function phaseDurations(t0, first, end) {
  const marks = { connecting: t0, ...first };
  delete marks.packWait;
  const out = {};
  for (let i = 0; i < PHASES.length; i++) {
    const phase = PHASES[i];
    if (marks[phase] === undefined) continue;
    const next = PHASES.slice(i + 1).map((p) => marks[p]).find((x) => x !== undefined) ?? end;
    out[phase] = next - marks[phase];
  }
  out.total = end - t0;
  return out;
}

async function phaseRuns(shm, url, caFile) {
  const ours = [];
  const theirs = [];
  const tracePath = path.join(shm, 'trace2.json');
  for (let i = -1; i < runs; i++) {
    const base = mkdtempSync(path.join(shm, 'phases-'));
    const home = path.join(base, 'alice');
    mkdirSync(home);
    const o = await ourPhases(url, home, caFile);
    const g = await gitPhases(url, path.join(base, 'git-clone'), caFile, tracePath);
    rmSync(base, { recursive: true, force: true });
    if (i >= 0) {
      ours.push(o);
      theirs.push(g);
    }
  }
  const table = {};
  for (const phase of [...PHASES, 'packWait', 'total']) {
    table[phase] = {
      cloneRepository: median(ours.map((x) => x[phase]).filter((x) => x !== undefined)),
      git: median(theirs.map((x) => x[phase]).filter((x) => x !== undefined)),
    };
  }
  return table;
}

const here = path.dirname(fileURLToPath(import.meta.url));

/** The two servers' options: upload-pack with and without the pack cache. */
function serverSetups(cacheDir) {
  const hook = { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'uploadpack.packObjectsHook', GIT_CONFIG_VALUE_0: path.join(here, 'pack-cache-hook.sh') };
  return [
    { name: 'pack built per fetch', key: 'perFetch', env: {} },
    { name: 'pack cache', key: 'cached', env: { ...hook, PACK_CACHE_DIR: cacheDir } },
  ];
}

async function main() {
  const work = mkdtempSync(path.join(os.tmpdir(), 'home-native-bench-'));
  // tmpfs, so that file creation does not drown the comparison in disk noise.
  const shmRoot = existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
  const shm = mkdtempSync(path.join(shmRoot, 'home-native-bench-'));
  const cacheDir = path.join(work, 'pack-cache');
  mkdirSync(cacheDir);
  const servers = [];
  try {
    const realistic = buildRealisticRepo(REALISTIC);
    const dotfiles = buildRealisticRepo(DOTFILES);
    const stats = {
      realistic: depthOnePackStats(realistic.bare, work),
      dotfiles: depthOnePackStats(dotfiles.bare, work),
    };
    const tls = makeTlsFiles(work);
    const start = async (repo, options) => {
      const server = await startHttpGitServer(repo.root, options);
      servers.push(server);
      return server.url(repo.name);
    };
    const setups = serverSetups(cacheDir);
    const results = [];
    const phases = {};
    for (const setup of setups) {
      // One server per repository root (the cache keeps each repository in its own directory).
      const cases = [
        { name: 'realistic repo, HTTP', url: await start(realistic, { env: setup.env }), target: 0.8 },
        { name: 'realistic repo, HTTPS', url: await start(realistic, { tls, env: setup.env }), caFile: tls.caFile, target: 0.8 },
        { name: 'small dotfiles repo, HTTPS', url: await start(dotfiles, { tls, env: setup.env }), caFile: tls.caFile, target: 0.6 },
      ];
      for (const c of cases) {
        const r = await timeCase(shm, c.url, c);
        results.push({
          server: setup.name,
          case: c.name,
          oursMedianMs: median(r.ours),
          gitMedianMs: median(r.theirs),
          medianRatio: median(r.ratios),
          target: c.target,
          met: median(r.ratios) <= c.target,
          ours: r.ours,
          git: r.theirs,
        });
      }
      phases[setup.key] = await phaseRuns(shm, cases[1].url, tls.caFile);
      if (setup.key === 'cached' && !readdirSync(cacheDir).some((name) => name.endsWith('.pack'))) {
        throw new Error('the pack cache holds no pack: upload-pack did not run bench/pack-cache-hook.sh');
      }
    }

    const result = {
      runs,
      repositories: {
        realistic: { ...stats.realistic, cached: realistic.cached, buildMs: Math.round(realistic.buildMs) },
        dotfiles: { ...stats.dotfiles, cached: dotfiles.cached, buildMs: Math.round(dotfiles.buildMs) },
      },
      clone: results,
      phasesRealisticHttps: phases,
    };
    if (json) {
      console.log(JSON.stringify(result));
      return;
    }
    for (const [name, s] of Object.entries(result.repositories)) {
      console.log(`${name}: ${s.files} files, depth-1 pack ${(s.packBytes / 1048576).toFixed(2)} MiB, ${s.objects} objects, ` +
        `${s.deltas} deltas (${(100 * s.deltaShare).toFixed(1)}%), ${s.cached ? 'cached' : `built in ${(s.buildMs / 1000).toFixed(1)} s`}`);
    }
    console.log(`\nDepth-1 clones on loopback into ${shmRoot}, ${runs} runs each (after one warm-up round), alternating\n`);
    console.log('| server | case | cloneRepository median ms | git clone median ms | median ratio (package/git) | target | met |');
    console.log('|---|---|---:|---:|---:|---:|:---:|');
    for (const r of results) {
      console.log(`| ${r.server} | ${r.case} | ${f1(r.oursMedianMs)} | ${f1(r.gitMedianMs)} | ${r.medianRatio.toFixed(2)} | <= ${r.target} | ${r.met ? 'yes' : 'no'} |`);
    }
    const label = { packWait: "(of connecting: waiting for the server's pack, git only)" };
    for (const setup of setups) {
      console.log(`\nPhases of the realistic repo over HTTPS, ${setup.name} (median ms of ${runs} instrumented runs)\n`);
      console.log('| phase | cloneRepository | git clone |');
      console.log('|---|---:|---:|');
      for (const [phase, v] of Object.entries(phases[setup.key])) console.log(`| ${label[phase] ?? phase} | ${f1(v.cloneRepository)} | ${f1(v.git)} |`);
    }
  } finally {
    for (const server of servers) await server.stop();
    rmSync(shm, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
}

/** For bench/run.mjs, which runs every module's `suite`. */
export const suite = { name: 'clone-realistic', run: main };

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
