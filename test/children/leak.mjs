// Run with --expose-gc. Warms up, then measures open descriptors and RSS before and after
// MATERIALIZATIONS materializations (no clone, a small overlay) and CLONES failed clones
// (half connection refused, half ERR_REF_NOT_FOUND from a loopback server), all in this one
// process. Prints one JSON line.
import { readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cloneRepository, materializeUserHome } from '@spoon/home-native';
import { startBadGitServer } from '../helpers/bad-servers.mjs';

const [dir, materializations, clones] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const fds = () => readdirSync('/proc/self/fd').length;
async function settle() {
  for (let i = 0; i < 4; i++) {
    globalThis.gc();
    await sleep(50);
  }
  const { rss, heapUsed } = process.memoryUsage();
  return { fds: fds(), rss, heapUsed };
}

const homes = Array.from({ length: 16 }, (_, i) => path.join(dir, 'homes', `user${i}`));
for (const home of homes) await mkdir(home, { recursive: true });
const files = (n) => [
  { path: '.gitconfig', content: `[user]\n\tname = User ${n % 3}\n`, isExecutable: false },
  { path: '.config/app/settings.json', content: `{"n": ${n % 5}}\n`, isExecutable: false },
  { path: 'bin/tool', content: '#!/bin/sh\necho tool\n', isExecutable: true },
];
const userEnv = (n) => ({ username: 'user', enabled: true, files: files(n) });
const redact = (text) => text;

// A port with nothing behind it: connection refused.
const probe = net.createServer().listen(0, '127.0.0.1');
await new Promise((resolve) => probe.once('listening', resolve));
const closedPort = probe.address().port;
probe.close();
const server = await startBadGitServer('endless-pack');

async function materializeMany(count, parallel = 8) {
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (let n; (n = next++) < count; ) {
        await materializeUserHome({ homeDir: homes[n % homes.length], containerHome: '/home/user', redact, userEnv: userEnv(n) });
      }
    }),
  );
}
async function failCloneMany(count, parallel = 4) {
  let next = 0;
  const codes = {};
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (let n; (n = next++) < count; ) {
        const url = n % 2 ? `http://localhost:${closedPort}/x.git` : server.url('dotfiles');
        const code = await cloneRepository({ url, ref: 'no-such-ref', homeDir: homes[n % homes.length], allowedProtocols: ['http'], allowedNetworks: ['127.0.0.0/8', '::1/128'] }).then(
          () => 'ok',
          (e) => e.code,
        );
        codes[code] = (codes[code] ?? 0) + 1;
      }
    }),
  );
  return codes;
}

// Warm-up: libgit2's global state, thread stacks, allocator arenas, V8's code.
await materializeMany(Math.min(3000, materializations));
await failCloneMany(Math.min(300, clones));
const before = await settle();
const started = performance.now();
await materializeMany(materializations);
const materializeMs = performance.now() - started;
const middle = await settle();
const codes = await failCloneMany(clones);
const totalMs = performance.now() - started;
await server.stop();
const after = await settle();
// The server's own sockets are gone now; measure it the same way before for a fair compare.
console.log(JSON.stringify({ materializations, clones, codes, before, middle, after, materializeMs, totalMs }));
