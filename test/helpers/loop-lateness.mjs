// Where the event loop's lateness went. A probe ticks every PERIOD ms; for every tick that came
// late, it adds up how late, and, from the kernel's accounting of the JS thread
// (/proc/thread-self/schedstat: time on a CPU, then time runnable but waiting for one), how much
// of that the thread spent running (JavaScript, GC, this package's calls) and how much it spent
// waiting for a core that other threads held. The first is what the package controls; on a
// small loaded machine the second is the scheduler's.
import { readFileSync } from 'node:fs';

const PERIOD_MS = 5;

function schedstat() {
  try {
    const [running, waiting] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ').map(Number);
    return { running: running / 1e6, waiting: waiting / 1e6 };
  } catch {
    return null; // no schedstat (not Linux, or CONFIG_SCHED_INFO off): lateness only
  }
}

/** Starts the probe; the returned function stops it and returns the sums in milliseconds. */
export function probeLoopLateness() {
  let previous = performance.now();
  let previousStat = schedstat();
  const total = { ticks: 0, lateTicks: 0, lateMs: 0, runningMs: 0, waitingMs: 0, accounted: previousStat !== null };
  const timer = setInterval(() => {
    const now = performance.now();
    const stat = previousStat && schedstat();
    const late = now - previous - PERIOD_MS;
    total.ticks++;
    if (late > 1) {
      total.lateTicks++;
      total.lateMs += late;
      if (stat) {
        total.runningMs += stat.running - previousStat.running;
        total.waitingMs += stat.waiting - previousStat.waiting;
      }
    }
    previous = now;
    previousStat = stat;
  }, PERIOD_MS);
  return () => {
    clearInterval(timer);
    return total;
  };
}
