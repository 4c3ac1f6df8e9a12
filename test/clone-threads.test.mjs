// Clone threads: clones run on the addon's own threads (never the libuv pool), and
// configure({ clone: { concurrency } }) bounds how many run at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cloneRepository } from '@spoon/home-native';
import { buildDotfilesRepo, buildLargeBlobRepo } from './helpers/fixtures.mjs';
import { startHttpGitServer } from './helpers/servers.mjs';
import { newHome } from './helpers/home.mjs';
import { runNode } from './helpers/child.mjs';
import { tempDir } from './helpers/temp.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const LARGE_BYTES = 8 << 20;
let tmp, httpServer, slowServer;

before(async () => {
  tmp = tempDir('home-native-clone-threads-');
  const repos = path.join(tmp, 'repos');
  mkdirSync(repos);
  buildDotfilesRepo(repos);
  buildLargeBlobRepo(repos, { bytes: LARGE_BYTES });
  httpServer = await startHttpGitServer(repos);
  slowServer = await startHttpGitServer(repos, { throttle: { chunkBytes: 16 * 1024, delayMs: 20 } });
});

after(async () => {
  for (const server of [httpServer, slowServer]) await server?.stop();
});

const http = { allowedProtocols: ['http'], allowedNetworks: ['127.0.0.0/8', '::1/128'] };

test('clones do not occupy the libuv threadpool (UV_THREADPOOL_SIZE=4, four slow clones)', async () => {
  const dir = path.join(tmp, `pool-${Date.now()}`);
  mkdirSync(dir);
  const { code, out } = await runNode([path.join(here, 'children/pool-probe.mjs'), slowServer.url('large'), dir], {
    cwd: here,
    env: { ...process.env, UV_THREADPOOL_SIZE: '4' },
  });
  assert.equal(code, 0, out);
  const result = JSON.parse(out.trim().split('\n').at(-1));
  assert.equal(result.clonesSettledBeforeRead, 0, 'readFile completed while all four clones were still running');
  assert.equal(result.clones, 4);
});

test('configure({ clone: { concurrency: 1 } }) queues the second clone behind the first', async () => {
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  const { configure } = require('../dist/settings.js');
  configure({ clone: { concurrency: 1 } });
  try {
    const slow = newHome(tmp);
    const fast = newHome(tmp);
    const order = [];
    const controller = new AbortController();
    const first = cloneRepository({ url: slowServer.url('large'), homeDir: slow.home, signal: controller.signal, ...http,
      onProgress: (p) => p.phase === 'receiving' && setTimeout(() => controller.abort(), 300) })
      .catch((e) => e.code)
      .then((code) => order.push(`slow:${code}`));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = cloneRepository({ url: httpServer.url('dotfiles'), homeDir: fast.home, ...http }).then(() => order.push('fast'));
    await Promise.all([first, second]);
    assert.deepEqual(order, ['slow:ERR_ABORTED', 'fast'], 'the fast clone waited for the only slot');
  } finally {
    configure({ clone: { concurrency: 4 } });
  }
});
