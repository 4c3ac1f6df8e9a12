// Sharing the JS thread between many concurrent operations. A worker that starts 200
// materializations at once gets their native completions in bursts: libuv runs every ready
// completion in one poll phase, and each one's continuation (checking results, converting the
// next call's arguments, starting the next job) runs right behind it, so 200 small steps become
// one 50 ms stretch in which no timer, socket or request of the worker is served. Each step
// therefore asks for a turn first: within a slice of SLICE_MS it goes on at once; after that it
// waits for the loop's next check phase (setImmediate), so timers and I/O run between slices.
// An idle worker never waits: the first step of a slice always runs.

/** Long enough to amortize a loop iteration over dozens of steps, short against any deadline. */
const SLICE_MS = 2;

let sliceStart = -1;

function endSlice(): void {
  sliceStart = -1;
}

/** Resolves when the caller may use the JS thread: now, or at the loop's next turn. */
export async function takeTurn(): Promise<void> {
  for (;;) {
    const now = performance.now();
    if (sliceStart < 0) {
      sliceStart = now;
      // The slice ends when the loop reaches its check phase; steps deferred to that phase then
      // start a new one.
      setImmediate(endSlice);
      return;
    }
    if (now - sliceStart < SLICE_MS) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
