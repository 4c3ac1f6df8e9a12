// Clone benchmark, runnable alone (`node bench/clone.mjs [--runs N] [--json]`) or by bench/run.mjs
// (`suite`).
//  1. A depth-1 clone of a long history (thousands of commits, a thousand files) over smart HTTP
//     on loopback into tmpfs: cloneRepository vs `git clone --depth 1 --single-branch` of the
//     same URL, alternating, same run. Target: median ratio <= 1.0.
//  2. fs.promises.readFile latency of a small file, alone and while four clones against a
//     throttled server run in this process. Target: p99 < 20 ms with the clones.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { cloneRepository } from '@spoon/home-native';
import { buildLongHistoryRepo, git } from '../test/helpers/fixtures.mjs';
import { startHttpGitServer } from '../test/helpers/servers.mjs';
import { gitDepthOneClone as gitClone, median, numberFlag, percentile } from './measure.mjs';

const args = process.argv.slice(2);
const runs = numberFlag('--runs', 7);
const json = args.includes('--json');
const COMMITS = 5000;
const FILES = 1000;
const READS = 300;

const ms = (x) => `${x.toFixed(1)} ms`;

async function readLatencies(file, count) {
  const out = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await readFile(file);
    out.push(performance.now() - t);
    await sleep(2);
  }
  return out;
}

async function main() {
  const work = mkdtempSync(path.join(os.tmpdir(), 'home-native-bench-'));
  // tmpfs, so that file creation does not drown the comparison in disk noise.
  const shmRoot = existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
  const shm = mkdtempSync(path.join(shmRoot, 'home-native-bench-'));
  const servers = [];
  try {
    const repos = path.join(work, 'repos');
    mkdirSync(repos);
    const t0 = performance.now();
    buildLongHistoryRepo(repos, { name: 'long', commits: COMMITS, files: FILES });
    git(path.join(repos, 'long.git'), 'gc', '--quiet');
    const buildMs = performance.now() - t0;
    const server = await startHttpGitServer(repos);
    servers.push(server);
    const url = server.url('long');

    // 1. Clone speed.
    const ours = [];
    const theirs = [];
    let n = 0;
    for (let i = -1; i < runs; i++) {
      const base = path.join(shm, `run-${n++}`);
      const home = path.join(base, 'alice');
      mkdirSync(home, { recursive: true });
      let t = performance.now();
      const report = await cloneRepository({ url, homeDir: home, allowedProtocols: ['http'], allowedNetworks: ['127.0.0.0/8', '::1/128'] });
      const oursMs = performance.now() - t;
      if (!report.shallow) throw new Error('expected a shallow clone');
      const dest = path.join(base, 'git-clone');
      t = performance.now();
      await gitClone(url, dest);
      const gitMs = performance.now() - t;
      rmSync(base, { recursive: true, force: true });
      if (i >= 0) {
        // the first round warms caches and is not counted
        ours.push(oursMs);
        theirs.push(gitMs);
      }
    }
    const ratios = ours.map((x, i) => x / theirs[i]);

    // 2. readFile latency with and without four throttled clones in this process.
    const small = path.join(work, 'small.txt');
    writeFileSync(small, 'x'.repeat(256));
    const idle = await readLatencies(small, READS);
    const slow = await startHttpGitServer(repos, { throttle: { chunkBytes: 8 * 1024, delayMs: 10 } });
    servers.push(slow);
    const controller = new AbortController();
    let running = 0;
    const clones = [];
    for (let i = 0; i < 4; i++) {
      const home = path.join(shm, `busy-${i}`, 'alice');
      mkdirSync(home, { recursive: true });
      running++;
      clones.push(
        cloneRepository({ url: slow.url('long'), homeDir: home, depth: 0, allowedProtocols: ['http'], allowedNetworks: ['127.0.0.0/8', '::1/128'], signal: controller.signal })
          .catch(() => {})
          .finally(() => running--),
      );
    }
    await sleep(200);
    const busy = await readLatencies(small, READS);
    const stillRunning = running;
    controller.abort();
    await Promise.all(clones);

    const result = {
      repository: { commits: COMMITS, files: FILES, buildMs: Math.round(buildMs) },
      clone: {
        runs,
        oursMedianMs: median(ours),
        gitMedianMs: median(theirs),
        medianRatio: median(ratios),
        target: 'median ratio <= 1.0',
      },
      readFile: {
        idleP50Ms: percentile(idle, 50),
        idleP99Ms: percentile(idle, 99),
        busyP50Ms: percentile(busy, 50),
        busyP99Ms: percentile(busy, 99),
        clonesRunningThroughout: stillRunning,
        target: 'p99 < 20 ms with four clones running',
      },
    };
    if (json) {
      console.log(JSON.stringify(result));
      return;
    }
    console.log(`clone benchmark: ${COMMITS} commits, ${FILES} files, smart HTTP on loopback, into ${shmRoot}, ${runs} runs`);
    console.table({
      'cloneRepository depth 1': { median: ms(median(ours)), min: ms(Math.min(...ours)), max: ms(Math.max(...ours)) },
      'git clone --depth 1 --single-branch': { median: ms(median(theirs)), min: ms(Math.min(...theirs)), max: ms(Math.max(...theirs)) },
      'ratio ours/git (target <= 1.0)': { median: median(ratios).toFixed(2), min: Math.min(...ratios).toFixed(2), max: Math.max(...ratios).toFixed(2) },
    });
    console.table({
      'readFile, idle': { p50: ms(percentile(idle, 50)), p99: ms(percentile(idle, 99)) },
      [`readFile, 4 clones running (${stillRunning} still at the end)`]: { p50: ms(percentile(busy, 50)), p99: ms(percentile(busy, 99)) },
    });
  } finally {
    for (const server of servers) await server.stop();
    rmSync(shm, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
}

/** For bench/run.mjs, which runs every module's `suite`. */
export const suite = { name: 'clone', run: main };

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
