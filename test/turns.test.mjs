// Sharing the JS thread (lib/turns.ts): the first step of a slice runs at once; once the slice
// has used its 2 ms, later steps wait for the loop's check phase, so timers and I/O run between
// slices; native calls (callNative) and materializeUserHome take their turn before working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { takeTurn } from '../dist/turns.js';
import { callNative } from '../dist/errors.js';

const spin = (ms) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};
// A fresh slice: after the loop's check phase, nothing has used the current one yet.
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

test('an idle caller goes on at once: the first step of a slice does not wait for the loop', async () => {
  await nextTurn();
  let loopTurned = false;
  setImmediate(() => (loopTurned = true));
  await takeTurn();
  await takeTurn();
  assert.equal(loopTurned, false);
});

test('once the slice is spent, a step waits for the next check phase and a timer can run first', async () => {
  await nextTurn();
  await takeTurn();
  spin(3);
  let loopTurned = false;
  setImmediate(() => (loopTurned = true));
  await takeTurn();
  assert.equal(loopTurned, true, 'the step ran in the spent slice');
});

test('steps deferred together are run in slices, not all in one stretch', async () => {
  await nextTurn();
  await takeTurn();
  spin(3);
  // 100 steps of 0.5 ms: 50 ms of work in one go without turns; with them at most ~2.5 ms, then
  // the loop turns (counted by a chain of immediates that each run once per check phase).
  let turns = 0;
  let counting = true;
  const count = () => {
    if (!counting) return;
    turns++;
    setImmediate(count);
  };
  setImmediate(count);
  const perTurn = new Map();
  await Promise.all(
    Array.from({ length: 100 }, async () => {
      await takeTurn();
      perTurn.set(turns, (perTurn.get(turns) ?? 0) + 1);
      spin(0.5);
    }),
  );
  counting = false;
  const most = Math.max(...perTurn.values());
  assert.ok(perTurn.size >= 10, `100 steps of 0.5 ms ran in ${perTurn.size} turns`);
  assert.ok(most <= 6, `${most} steps of 0.5 ms ran in one turn`);
});

test('callNative takes its turn before calling into the addon', async () => {
  await nextTurn();
  await takeTurn();
  spin(3);
  let called = false;
  let loopTurned = false;
  setImmediate(() => (loopTurned = true));
  const result = callNative(new Error(), undefined, () => {
    called = true;
    return loopTurned;
  });
  assert.equal(called, false, 'the native call ran synchronously in a spent slice');
  assert.equal(await result, true, 'the native call ran before the loop turned');
});
