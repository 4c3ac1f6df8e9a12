// Materializing a dotbot-shaped repository (an installer vendored as a submodule at a relative
// URL, with a nested library), over smart HTTP on loopback, three ways, interleaved, medians:
//   seed:      `git clone --depth 1` into ~/.dotfiles, then the repository's `install`, which runs
//              `git submodule update --init --recursive dotbot` itself (the seed's path);
//   native:    materializeUserHome without submodules, the same install fetching them itself;
//   native+sm: materializeUserHome with clone.submodules, the install finding them in place.
// Runnable alone (`node bench/submodules.mjs [--runs N]`) or by bench/run.mjs.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { configure, localRunner, materializeUserHome } from '@spoon/home-native';
import { startHttpGitServer } from '../test/helpers/servers.mjs';
import { buildDotbotShape } from '../test/helpers/submodule-repos.mjs';
import { gitEnv, median, numberFlag } from './measure.mjs';

// The seed's path runs its installer unsandboxed on this host, so the package's runs do too: the
// figures compare the clones, not the local runner's namespace setup (about 0.1 s a run).
process.env.SPOON_LOCAL_RUNNER_SANDBOX = '0';
const require = createRequire(import.meta.url);
const { resetSettingsForTests } = require('../dist/settings.js');
const runs = numberFlag('--runs', Number(process.env.BENCH_RUNS ?? 7));

async function sh(command, cwd, env = gitEnv) {
  const child = spawn('bash', ['-c', command], { cwd, env, stdio: 'ignore' });
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`${command} exited ${code}`);
}

async function seedPath(url, home) {
  mkdirSync(home, { recursive: true });
  await sh(`git clone --quiet --depth 1 '${url}' ~/.dotfiles && cd ~/.dotfiles && bash install`, home, { ...gitEnv, HOME: home });
}

async function nativePath(url, home, submodules) {
  resetSettingsForTests();
  configure({
    clone: { allowedProtocols: ['http'], allowedNetworks: ['127.0.0.0/8', '::1/128'], submodules },
    runInJobContainer: localRunner,
  });
  mkdirSync(home, { recursive: true });
  const userEnv = { username: 'alice', enabled: true, dotfilesRepoUrl: url, setupCommand: 'install', files: [] };
  await materializeUserHome({ homeDir: home, containerHome: '/home/alice', userEnv, redact: (v) => v });
}

async function run() {
  const base = mkdtempSync(path.join(os.tmpdir(), 'bench-submodules-'));
  const repos = path.join(base, 'repos');
  mkdirSync(repos);
  buildDotbotShape(repos);
  const server = await startHttpGitServer(repos);
  const url = server.url('dotfiles');
  const times = { seed: [], native: [], submodules: [] };
  try {
    for (let i = 0; i < runs; i++) {
      for (const [name, go] of [
        ['seed', (home) => seedPath(url, home)],
        ['native', (home) => nativePath(url, home, false)],
        ['submodules', (home) => nativePath(url, home, true)],
      ]) {
        const home = path.join(base, 'homes', `${name}-${i}`, 'alice');
        const start = performance.now();
        await go(home);
        times[name].push(performance.now() - start);
        // Each way must end with the installer's work done: the nested library checked out.
        execFileSync('test', ['-f', path.join(home, '.dotfiles/dotbot/lib/pyyaml/setup.py')]);
      }
    }
  } finally {
    await server.stop();
    resetSettingsForTests();
    rmSync(base, { recursive: true, force: true });
  }
  const seed = median(times.seed);
  console.log(`dotbot-shaped repository (superproject, installer submodule, nested library), ${runs} runs each, loopback HTTP`);
  console.log('| way | median ms | seed/way |');
  console.log('|---|---|---|');
  console.log(`| seed: git clone --depth 1, install fetches the submodules | ${seed.toFixed(0)} | 1.00 |`);
  for (const [name, label] of [
    ['native', 'materializeUserHome, install fetches the submodules'],
    ['submodules', 'materializeUserHome with clone.submodules, install finds them'],
  ]) {
    const m = median(times[name]);
    console.log(`| ${label} | ${m.toFixed(0)} | ${(seed / m).toFixed(2)} |`);
  }
}

export const suite = { name: 'submodules', run };
if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
