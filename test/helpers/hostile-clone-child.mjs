// One hostile clone, in a child process that the parent kills at a hard limit (a regression
// fails the test, never hangs the suite). argv[2]: JSON
//   { options, abortAfterMs?, followUp? }   cloneRepository's options (no signal, no callbacks)
// With one clone thread (clone.concurrency 1), `followUp` (a good repository's options) must then
// clone too: proof that the hostile clone left its thread free. The child ends by itself, with no
// process.exit: a thread still busy in the addon would hold it, and the parent's limit would
// kill it. Prints one JSON line:
//   { code?, message?, path?, url?, settleMs, afterAbortMs?, followUp?, peakRssKiB }
import { readFileSync } from 'node:fs';
import { cloneRepository, configure } from '@spoon/home-native';

const { options, abortAfterMs, followUp } = JSON.parse(process.argv[2]);
configure({ clone: { concurrency: 1 } });

const controller = new AbortController();
let abortedAt;
if (abortAfterMs !== undefined) {
  setTimeout(() => {
    abortedAt = performance.now();
    controller.abort();
  }, abortAfterMs);
}
const started = performance.now();
const outcome = await cloneRepository({ ...options, signal: controller.signal }).then(
  (report) => ({ report }),
  (error) => ({ code: error.code, message: error.message, path: error.path, url: error.url }),
);
const settled = performance.now();
outcome.settleMs = Math.round(settled - started);
if (abortedAt !== undefined) outcome.afterAbortMs = Math.round(settled - abortedAt);
if (followUp) {
  outcome.followUp = await cloneRepository(followUp).then(
    () => 'cloned',
    (error) => error.code,
  );
}
const status = readFileSync('/proc/self/status', 'utf8');
outcome.peakRssKiB = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1]);
process.stdout.write(`${JSON.stringify(outcome)}\n`);
