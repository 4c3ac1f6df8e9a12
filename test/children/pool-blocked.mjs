// Run with UV_THREADPOOL_SIZE=1. argv: scratch dir, repository URL (smart HTTP). Blocks the libuv
// pool's only thread on opening a FIFO that nobody writes to, checks that the pool really is
// blocked (a stat queued behind it does not complete), then materializes homes: each created,
// locked, given its profile and overlay files; a quarter clone the repository and write their
// marker; two run on the same home at once, so one waits for the other's lock. Prints how many
// completed while the pool was still blocked: all of them proves no step needs the pool.
import { execFileSync } from 'node:child_process';
import { openSync, writeSync, closeSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { configure, materializeUserHome } from '@spoon/home-native';

const [dir, url] = process.argv.slice(2);
const HOMES = 16;
configure({ clone: { allowedProtocols: ['http'], allowedNetworks: ['127.0.0.0/8', '::1/128'] } });

const fifo = path.join(dir, 'pool-blocker');
execFileSync('mkfifo', [fifo]);
const blocker = readFile(fifo, 'utf8');
let poolAnswered = false;
const probe = stat(dir).then(() => (poolAnswered = true));
await new Promise((resolve) => setTimeout(resolve, 200));
const blockedBefore = !poolAnswered;

const userEnv = (i) => ({
  username: `user${i}`,
  enabled: true,
  ...(i % 4 === 0 && { dotfilesRepoUrl: url }),
  files: [
    { path: '.gitconfig', content: `[user]\n\tname = user${i}\n`, isExecutable: false },
    { path: 'bin/tool', content: '#!/bin/sh\n', isExecutable: true },
  ],
});
const jobs = Array.from({ length: HOMES }, (_, i) => i).concat([0]).map((i) =>
  materializeUserHome({ homeDir: path.join(dir, 'homes', `user${i}`), containerHome: `/home/user${i}`, redact: (t) => t, userEnv: userEnv(i) }),
);
let completed = 0;
const failures = [];
const timeout = new Promise((resolve) => setTimeout(resolve, 60_000).unref());
await Promise.race([
  Promise.allSettled(jobs.map((job) => job.then(() => completed++, (error) => failures.push(`${error.code}: ${error.message}`)))),
  timeout,
]);
const blockedThroughout = blockedBefore && !poolAnswered;

// Let the pool go: the reader is waiting in open(), so this open does not block.
const fd = openSync(fifo, 'w');
writeSync(fd, 'done');
closeSync(fd);
await Promise.all([blocker, probe]);
console.log(JSON.stringify({ homes: jobs.length, completed, failures, blockedThroughout }));
