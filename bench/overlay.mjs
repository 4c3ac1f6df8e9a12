// Overlay benchmark: the seed's fs/promises loop vs writeHomeFiles vs the bare system calls
// (floor.cc), on tmpfs (where the writer's own cost shows) and on the disk (where the kernel's
// file creation dominates), measured in the same run. Prints medians and seed/native ratios, and
// checks the targets of the issues: fresh 1k on tmpfs >= 10x, unchanged re-run >= 25x, 10k within
// 11x of 1k, peak RSS for 10k files < 150 MiB, fresh 1k on tmpfs within 2.0x of the floor.
//   BENCH_RUNS=n overrides the run counts (n for 1k scenarios, ceil(n/2) for 10k);
//   BENCH_FS=tmpfs or BENCH_FS=disk measures one place only.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statfsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { writeHomeFiles } from '@spoon/home-native';
import { overlayFiles } from './layout.mjs';
import { seedWriteOverlay } from './seed-overlay.mjs';
import { median } from './measure.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const TMPFS_MAGIC = 0x01021994;
const FILE_SIZE = 1024;
const runs1k = Number(process.env.BENCH_RUNS) || 7;
const runs10k = Math.max(1, Math.ceil(runs1k / 2) | 1); // odd, so the median is one run
// Between runs, untimed: a full garbage collection (so that one writer's garbage is not collected
// by background threads during the next writer's run, on a machine with few cores), then a pause
// while the kernel finishes freeing the removed home's inodes and pages: a base, plus a little
// per file removed (seen here: after removing 10,000 files, the next run was still slowed 50 ms
// later).
const SETTLE_BASE_MS = 50;
const SETTLE_PER_FILE_MS = 0.03;
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc');

const fmt = (ms) => (ms === undefined ? '-' : ms < 10 ? ms.toFixed(2) : ms.toFixed(1));
const ratio = (a, b) => (a === undefined || b === undefined ? '-' : `${(a / b).toFixed(1)}x`);

function buildFloor() {
  const out = path.join(root, 'build', 'bench', 'floor');
  mkdirSync(path.dirname(out), { recursive: true });
  const result = spawnSync('g++', ['-O2', '-std=c++17', '-o', out, path.join(here, 'floor.cc')], { encoding: 'utf8' });
  if (result.status !== 0) {
    console.log(`(floor not built: ${result.error?.message ?? result.stderr.trim()}; floor column left empty)`);
    return null;
  }
  return out;
}

function places() {
  const list = [];
  if (existsSync('/dev/shm') && statfsSync('/dev/shm').type === TMPFS_MAGIC) list.push({ label: 'tmpfs', base: '/dev/shm' });
  // The disk: the OS temp dir unless that is tmpfs too, else a directory under the build tree.
  let disk = os.tmpdir();
  if (statfsSync(disk).type === TMPFS_MAGIC) {
    disk = path.join(root, 'build', 'bench-disk');
    mkdirSync(disk, { recursive: true });
  }
  list.push({ label: 'disk', base: disk });
  return process.env.BENCH_FS ? list.filter((p) => p.label === process.env.BENCH_FS) : list;
}

// One run of one writer in a fresh scratch home; `prepare` (untimed) fills it first. A scenario
// may time itself (the floor program reports its own figure, without process start-up).
async function timeOnce(base, { prepare, run, files = 1000 }) {
  const dir = await mkdtemp(path.join(base, 'home-native-bench-'));
  try {
    if (prepare) await prepare(dir);
    const start = performance.now();
    const reported = await run(dir);
    return typeof reported === 'number' ? reported : performance.now() - start;
  } finally {
    await rm(dir, { recursive: true, force: true });
    collectGarbage();
    await new Promise((resolve) => setTimeout(resolve, SETTLE_BASE_MS + files * SETTLE_PER_FILE_MS));
  }
}

// Runs the writers in turn (seed, native, floor, seed, native, ...), so that whatever else the
// machine is doing weighs on all of them alike, and returns each one's median.
async function interleaved(count, base, scenarios) {
  const times = {};
  for (let i = 0; i < count; i++) {
    for (const [name, scenario] of Object.entries(scenarios)) {
      if (!scenario) continue;
      (times[name] ??= []).push(await timeOnce(base, scenario));
    }
  }
  return Object.fromEntries(Object.entries(times).map(([name, values]) => [name, median(values)]));
}

function floorScenario(bin, mode, count) {
  const call = (which) => (dir) => {
    const result = spawnSync(bin, [which, dir, String(count), String(FILE_SIZE)], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`floor ${which} failed: ${result.stderr}`);
    return Number(result.stdout);
  };
  return { ...(mode === 'unchanged' && { prepare: call('fresh') }), run: call(mode) };
}

function peakRss(writer, base, count) {
  const dir = path.join(base, `home-native-rss-${process.pid}-${writer}`);
  mkdirSync(dir, { recursive: true });
  try {
    const result = spawnSync(process.execPath, [path.join(here, 'overlay-rss-child.mjs'), writer, dir, String(count)], {
      cwd: root,
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(result.stderr);
    return JSON.parse(result.stdout).maxRssKiB / 1024;
  } finally {
    spawnSync('rm', ['-rf', dir]);
  }
}

async function run() {
  const floor = buildFloor();
  const files1k = overlayFiles(1000, FILE_SIZE);
  const files10k = overlayFiles(10000, FILE_SIZE);
  const rows = [];
  const checks = [];

  for (const { label, base } of places()) {
    // Warm-up: load the addon, start the threadpool, touch the code paths once.
    await timeOnce(base, { run: (dir) => writeHomeFiles(dir, overlayFiles(100)) });
    await timeOnce(base, { run: (dir) => seedWriteOverlay(dir, overlayFiles(100)) });

    const fresh1k = await interleaved(runs1k, base, {
      seed: { run: (dir) => seedWriteOverlay(dir, files1k) },
      native: { run: (dir) => writeHomeFiles(dir, files1k) },
      floor: floor && floorScenario(floor, 'fresh', 1000),
    });
    const unchanged1k = await interleaved(runs1k, base, {
      seed: { prepare: (dir) => seedWriteOverlay(dir, files1k), run: (dir) => seedWriteOverlay(dir, files1k) },
      native: {
        prepare: (dir) => writeHomeFiles(dir, files1k),
        run: async (dir) => {
          const result = await writeHomeFiles(dir, files1k);
          if (result.unchanged !== 1000) throw new Error(`expected 1000 unchanged, got ${JSON.stringify(result)}`);
        },
      },
      floor: floor && floorScenario(floor, 'unchanged', 1000),
    });
    const fresh10k = await interleaved(runs10k, base, {
      seed: { run: (dir) => seedWriteOverlay(dir, files10k), files: 10000 },
      native: { run: (dir) => writeHomeFiles(dir, files10k), files: 10000 },
      floor: floor && { ...floorScenario(floor, 'fresh', 10000), files: 10000 },
    });
    rows.push([label, 'fresh 1,000 x 1 KiB', fresh1k, runs1k]);
    rows.push([label, 'unchanged re-run 1,000', unchanged1k, runs1k]);
    rows.push([label, 'fresh 10,000 x 1 KiB', fresh10k, runs10k]);
    const linear = fresh10k.native / fresh1k.native;
    rows.push([label, 'native 10k / 1k (linearity)', { text: `${linear.toFixed(2)}x` }]);
    if (label === 'tmpfs') {
      checks.push(['fresh 1k on tmpfs, seed/native >= 10x', fresh1k.seed / fresh1k.native >= 10, ratio(fresh1k.seed, fresh1k.native)]);
      checks.push([
        'unchanged 1k on tmpfs, seed/native >= 25x',
        unchanged1k.seed / unchanged1k.native >= 25,
        ratio(unchanged1k.seed, unchanged1k.native),
      ]);
      checks.push(['native 10k <= 11x of 1k on tmpfs', linear <= 11, `${linear.toFixed(2)}x`]);
      if (fresh1k.floor) {
        const overFloor = fresh1k.native / fresh1k.floor;
        checks.push(['fresh 1k on tmpfs, native within 2.0x of the floor', overFloor <= 2, `${overFloor.toFixed(2)}x`]);
      }
    }
  }

  const rssBase = places()[0].base;
  const rss = { native: peakRss('native', rssBase, 10000), seed: peakRss('seed', rssBase, 10000), idle: peakRss('idle', rssBase, 0) };
  checks.push(['peak RSS, 10k files native < 150 MiB', rss.native < 150, `${rss.native.toFixed(1)} MiB`]);

  console.log(
    `\nMedians in ms (1k scenarios: ${runs1k} runs each, 10k: ${runs10k}; writers interleaved run by run); ` +
      'floor = bare syscalls (bench/floor.cc).',
  );
  console.log('| fs | scenario | seed loop | writeHomeFiles | floor | seed / native | native / floor |');
  console.log('|---|---|---:|---:|---:|---:|---:|');
  for (const [label, name, r, n] of rows) {
    if (r.text) {
      console.log(`| ${label} | ${name} | | ${r.text} | | | |`);
      continue;
    }
    void n;
    console.log(`| ${label} | ${name} | ${fmt(r.seed)} | ${fmt(r.native)} | ${fmt(r.floor)} | ${ratio(r.seed, r.native)} | ${ratio(r.native, r.floor)} |`);
  }
  console.log(
    `\nPeak RSS (maxRSS of a child process, 10,000 files of 1 KiB on ${places()[0].label}): native ${rss.native.toFixed(1)} MiB, ` +
      `seed loop ${rss.seed.toFixed(1)} MiB, idle node with the package loaded ${rss.idle.toFixed(1)} MiB`,
  );
  console.log('\nTargets:');
  for (const [name, ok, value] of checks) console.log(`  ${ok ? 'met   ' : 'MISSED'} ${name}: ${value}`);
}

export const suite = { name: 'overlay', run };
