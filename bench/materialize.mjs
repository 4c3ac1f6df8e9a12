// An unchanged materialization (the marker matches, 100 overlay files already in place): what
// every job start of a returning user costs. The seed's path for the same case, measured in the
// same run, is the baseline: it re-reads the profile and marker and rewrites every file.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import diagnostics from 'node:diagnostics_channel';
import { createRequire } from 'node:module';
import { configHash, materializeUserHome } from '@spoon/home-native';
import { seedWriteOverlay as seedOverlay } from './seed-overlay.mjs';
import { median } from './measure.mjs';

const require = createRequire(import.meta.url);
const { traced, cloneChannel } = require('../dist/tracing.js');
const runs = Number(process.env.BENCH_RUNS ?? 201);
const fileCount = 100;

const userEnv = {
  username: 'alice',
  enabled: true,
  // Never fetched: the marker below matches, which is the case being measured.
  dotfilesRepoUrl: 'https://localhost:1/alice/dotfiles.git',
  files: Array.from({ length: fileCount }, (_, i) => ({
    path: `.config/app${i % 10}/file${i}`,
    content: `setting ${i}\n`.repeat(20),
    isExecutable: i % 7 === 0,
  })),
};

// The seed's steps for a home whose marker matches: profile check, marker read, overlay rewrite.
async function seedUnchanged(homeDir) {
  await mkdir(homeDir, { recursive: true });
  await readFile(path.join(homeDir, '.bash_profile'), 'utf8');
  const previous = await readFile(path.join(homeDir, '.spoon', 'env-hash'), 'utf8').catch(() => '');
  if (previous.trim() !== configHash(userEnv)) throw new Error('marker should match');
  await seedOverlay(homeDir, userEnv.files);
}

async function run() {
  const base = await mkdtemp(path.join(existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'bench-materialize-'));
  try {
    const ours = path.join(base, 'homes', 'ours');
    const seed = path.join(base, 'homes', 'seed');
    const redact = (value) => value;
    await materializeUserHome({ homeDir: ours, containerHome: '/home/alice', redact, userEnv: { ...userEnv, dotfilesRepoUrl: undefined } });
    for (const dir of [ours, seed]) {
      await mkdir(path.join(dir, '.spoon'), { recursive: true });
      await writeFile(path.join(dir, '.spoon', 'env-hash'), configHash(userEnv));
      await writeFile(path.join(dir, '.bash_profile'), '# profile\n');
    }
    await seedOverlay(seed, userEnv.files);
    const times = { seed: [], native: [], traced: [] };
    // A subscriber on both tracing channels, attached only around the traced runs.
    const noop = { start() {}, end() {}, asyncStart() {}, asyncEnd() {}, error() {} };
    const channels = ['home-native:materialize', 'home-native:clone'].map((name) => diagnostics.tracingChannel(name));
    for (let i = 0; i < runs; i++) {
      // Interleaved, so whatever else the machine does weighs on both alike.
      let start = performance.now();
      await seedUnchanged(seed);
      times.seed.push(performance.now() - start);
      start = performance.now();
      const report = await materializeUserHome({ homeDir: ours, containerHome: '/home/alice', redact, userEnv });
      times.native.push(performance.now() - start);
      if (report.repository !== 'unchanged' || report.files.written !== 0) throw new Error('expected the unchanged path');
      for (const channel of channels) channel.subscribe(noop);
      start = performance.now();
      await materializeUserHome({ homeDir: ours, containerHome: '/home/alice', redact, userEnv });
      times.traced.push(performance.now() - start);
      for (const channel of channels) channel.unsubscribe(noop);
    }
    const seedMs = median(times.seed);
    const nativeMs = median(times.native);
    console.log(`unchanged materialization, ${fileCount} overlay files, ${runs} runs each, ${path.dirname(base)}`);
    console.log('| case | seed median ms | native median ms | seed/native | target |');
    console.log('|---|---|---|---|---|');
    console.log(`| marker matches, files unchanged | ${seedMs.toFixed(2)} | ${nativeMs.toFixed(2)} | ${(seedMs / nativeMs).toFixed(1)}x | native < 5 ms: ${nativeMs < 5 ? 'met' : 'MISSED'} |`);
    const tracedMs = median(times.traced);
    console.log(`| the same, a subscriber on both tracing channels | ${seedMs.toFixed(2)} | ${tracedMs.toFixed(2)} | ${(seedMs / tracedMs).toFixed(1)}x | traced/untraced ${(tracedMs / nativeMs).toFixed(2)} |`);
    // What an unobserved channel adds to each call: the check alone, against a plain call.
    const calls = 1e6;
    const body = () => Promise.resolve(0);
    let t0 = performance.now();
    for (let i = 0; i < calls; i++) body();
    const plainNs = ((performance.now() - t0) * 1e6) / calls;
    t0 = performance.now();
    for (let i = 0; i < calls; i++) traced(cloneChannel, () => ({ url: '', homeDir: '' }), body);
    const checkedNs = ((performance.now() - t0) * 1e6) / calls;
    const addedNs = Math.max(0, checkedNs - plainNs);
    console.log(`unobserved tracing channel: ${addedNs.toFixed(0)} ns added per call (${((addedNs / (nativeMs * 1e6)) * 100).toFixed(4)} % of the materialization above)`);
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

export const suite = { name: 'materialize', run };
if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
