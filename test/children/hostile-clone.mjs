// One hostile clone, in a child process that the parent kills at a hard limit (a regression
// fails the test, never hangs the suite). argv[2]: JSON
//   { options, abortAfterMs?, followUp?, stagingDir }   options: cloneRepository's (no signal,
//   no callbacks); stagingDir: the clone's staging area, watched until its clone directory is gone
//   (a large one is removed in the background after the clone settled)
// With one clone thread (clone.concurrency 1), `followUp` (a good repository's options) must then
// clone too: proof that the hostile clone left its thread free. The child ends by itself, with no
// process.exit: a thread still busy in the addon would hold it, and the parent's limit would
// kill it. Prints one JSON line:
//   { code?, message?, path?, url?, settleMs, afterAbortMs?, lastProgress, checkoutStartMs?,
//     stagingClearedMs, followUp?, peakRssKiB }
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { cloneRepository, configure } from '@spoon/home-native';

const { options, abortAfterMs, followUp, stagingDir } = JSON.parse(process.argv[2]);
// How long the background removal of a clone directory may take before the parent sees debris.
const STAGING_WAIT_MS = 30_000;
configure({ clone: { concurrency: 1 } });

const controller = new AbortController();
let abortedAt;
if (abortAfterMs !== undefined) {
  setTimeout(() => {
    abortedAt = performance.now();
    controller.abort();
  }, abortAfterMs);
}
let lastProgress;
let checkoutAt;
const started = performance.now();
const onProgress = (p) => {
  lastProgress = p;
  if (p.phase === 'checkout') checkoutAt ??= performance.now();
};
const outcome = await cloneRepository({ ...options, signal: controller.signal, onProgress }).then(
  (report) => ({ report }),
  (error) => ({ code: error.code, message: error.message, path: error.path, url: error.url }),
);
const settled = performance.now();
outcome.settleMs = Math.round(settled - started);
outcome.lastProgress = lastProgress;
if (checkoutAt !== undefined) outcome.checkoutStartMs = Math.round(checkoutAt - started);
if (abortedAt !== undefined) outcome.afterAbortMs = Math.round(settled - abortedAt);
const claimed = () => existsSync(stagingDir) && readdirSync(stagingDir).some((name) => name.startsWith('clone-'));
while (claimed() && performance.now() - settled < STAGING_WAIT_MS) await sleep(20);
outcome.stagingClearedMs = Math.round(performance.now() - settled);
if (followUp) {
  outcome.followUp = await cloneRepository(followUp).then(
    () => 'cloned',
    (error) => error.code,
  );
}
const status = readFileSync('/proc/self/status', 'utf8');
outcome.peakRssKiB = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1]);
process.stdout.write(`${JSON.stringify(outcome)}\n`);
