// The per-home lock that materializeUserHome takes (internal API, lib/home-lock.ts): a second
// holder waits for the first, between async callers of one process and between processes; the
// caller's signal ends a wait.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { tempDir } from './helpers/temp.mjs';

const require = createRequire(import.meta.url);
const { acquireHomeLock } = require('../dist/home-lock.js');
const here = path.dirname(fileURLToPath(import.meta.url));
const tmp = tempDir('home-native-lock-');

let n = 0;
function newHome() {
  const home = path.join(tmp, `homes-${++n}`, 'alice');
  mkdirSync(home, { recursive: true });
  return home;
}

test('a second acquire waits until the first is released; release is idempotent', async () => {
  const home = newHome();
  const first = await acquireHomeLock(home);
  let second;
  const waiting = acquireHomeLock(home).then((lock) => (second = lock));
  await sleep(200);
  assert.equal(second, undefined, 'still waiting while the first holds the lock');
  first.release();
  await waiting;
  assert.ok(second, 'acquired after release');
  first.release();
  second.release();
  second.release();
  const again = await acquireHomeLock(home);
  again.release();
});

test('different homes do not wait for each other', async () => {
  const a = await acquireHomeLock(newHome());
  const b = await acquireHomeLock(newHome());
  a.release();
  b.release();
});

test('aborting the signal ends the wait with ERR_ABORTED; an aborted signal fails at once', async () => {
  const home = newHome();
  const held = await acquireHomeLock(home);
  await assert.rejects(acquireHomeLock(home, AbortSignal.timeout(100)), { code: 'ERR_ABORTED' });
  await assert.rejects(acquireHomeLock(home, AbortSignal.abort()), { code: 'ERR_ABORTED' });
  held.release();
  (await acquireHomeLock(home, new AbortController().signal)).release();
});

test('the lock excludes another process', async () => {
  const home = newHome();
  const script = `const { acquireHomeLock } = require(${JSON.stringify(path.join(here, '../dist/home-lock.js'))});
    acquireHomeLock(${JSON.stringify(home)}).then((lock) => {
      process.stdout.write('locked\\n');
      process.stdin.once('data', () => { lock.release(); process.stdout.write('released\\n'); process.exit(0); });
    }, (e) => { console.error(e); process.exit(1); });`;
  // Not runNode (helpers/child.mjs): the child holds the lock until told to let go.
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = once(child, 'exit');
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  while (!out.includes('locked')) await sleep(10);
  // The child holds it: our wait must not finish until the child lets go.
  await assert.rejects(acquireHomeLock(home, AbortSignal.timeout(300)), { code: 'ERR_ABORTED' });
  let acquired = false;
  const waiting = acquireHomeLock(home).then((lock) => {
    acquired = true;
    return lock;
  });
  await sleep(100);
  assert.equal(acquired, false);
  child.stdin.write('go\n');
  const lock = await waiting;
  assert.ok(out.includes('released'), 'acquired only after the other process released');
  lock.release();
  await exited;
});

test('a process that dies holding the lock releases it', async () => {
  const home = newHome();
  const script = `require(${JSON.stringify(path.join(here, '../dist/home-lock.js'))}).acquireHomeLock(${JSON.stringify(home)})
    .then(() => { process.stdout.write('locked\\n'); setInterval(() => {}, 1000); });`;
  // Not runNode (helpers/child.mjs): the child is killed while it holds the lock.
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  while (!out.includes('locked')) await sleep(10);
  child.kill('SIGKILL');
  await once(child, 'exit');
  const lock = await acquireHomeLock(home, AbortSignal.timeout(5000));
  lock.release();
});

test('a Worker terminated while its lock wait runs: the process lives on and the orphaned wait lets the lock go', async () => {
  const home = newHome();
  const held = await acquireHomeLock(home);
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     require(workerData.module).acquireHomeLock(workerData.home);
     parentPort.postMessage('started');`,
    { eval: true, workerData: { module: require.resolve('../dist/home-lock.js'), home } },
  );
  await once(worker, 'message');
  // The wait is on its own thread by now (the first attempt found the lock held).
  await sleep(200);
  await worker.terminate();
  // The Worker's environment, and with it the wait's way back to JavaScript, is gone. Once the
  // lock is free the orphaned wait takes it, finds nobody to hand it to, and lets it go.
  held.release();
  const again = await acquireHomeLock(home);
  assert.ok(again.held);
  again.release();
});
