// Crash debris: the staging directory and claim a killed process leaves behind are swept by the
// next clone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cloneRepository } from '@spoon/home-native';
import { buildDotfilesRepo } from './helpers/fixtures.mjs';
import { startHttpGitServer } from './helpers/servers.mjs';
import { newHome, stagingDebris } from './helpers/home.mjs';
import { tempDir } from './helpers/temp.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
let tmp, httpServer, stallServer;

before(async () => {
  tmp = tempDir('home-native-clone-debris-');
  const repos = path.join(tmp, 'repos');
  mkdirSync(repos);
  buildDotfilesRepo(repos);
  httpServer = await startHttpGitServer(repos);
  stallServer = await startHttpGitServer(repos, { stallMs: 1500 });
});

after(async () => {
  for (const server of [httpServer, stallServer]) await server?.stop();
});

const http = { allowedProtocols: ['http'], allowedNetworks: ['127.0.0.0/8', '::1/128'] };

test("a crashed process's staging debris is removed by the next clone", async () => {
  const h = newHome(tmp);
  // A child starts a clone against the stalling server and is killed while it waits.
  const script = `import { cloneRepository } from '@spoon/home-native';
    cloneRepository({ url: ${JSON.stringify(stallServer.url('dotfiles'))}, homeDir: ${JSON.stringify(h.home)}, allowedProtocols: ['http'], allowedNetworks: ['127.0.0.0/8', '::1/128'] }).catch(() => {});
    setTimeout(() => console.log('started'), 300);`;
  // Not runNode: the child is killed mid-clone once it says it started, not run to its end.
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: here, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = once(child, 'exit');
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  while (!out.includes('started')) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(stagingDebris(h.staging).length, 2, 'the clone directory and its claim exist while it runs');
  child.kill('SIGKILL');
  await exited;
  assert.equal(stagingDebris(h.staging).length, 2, 'a killed process cleans nothing up');
  await cloneRepository({ url: httpServer.url('dotfiles'), homeDir: h.home, ...http });
  assert.deepEqual(stagingDebris(h.staging), [], 'the next clone swept it');
});
