// One worker's share of the load test: materializes every home of the plan at once, measuring
// the event loop's delay (perf_hooks) and where its lateness went (loop-lateness.mjs), how long
// a tiny fs call waits for the libuv pool, and recording when each materialization held its
// home's lock (from its first phase after the lock to its "done" event, both inside the lock).
import { stat } from 'node:fs/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { configure, materializeUserHome } from '@spoon/home-native';
import { probeLoopLateness } from './loop-lateness.mjs';

export const overlayFor = (i) =>
  Array.from({ length: 12 }, (_, k) => ({
    path: k % 3 ? `.config/tool${k}/config-${i}` : `.rc${k}`,
    content: `home ${i} file ${k}\n`.repeat(20 + k),
    isExecutable: k === 0,
  }));

export function envFor(i, url) {
  return {
    username: `user${i}`,
    enabled: true,
    // A quarter of the homes clone their dotfiles.
    ...(i % 4 === 0 && { dotfilesRepoUrl: url }),
    files: overlayFor(i),
  };
}

export async function runLoad({ homes, url }) {
  configure({ clone: { allowedProtocols: ['http'], allowedNetworks: ['127.0.0.0/8', '::1/128'] } });
  const delay = monitorEventLoopDelay({ resolution: 5 });
  const poolWaits = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const t0 = performance.now();
      await stat(homes[0]).catch(() => {});
      poolWaits.push(performance.now() - t0);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  delay.enable();
  const stopProbe = probeLoopLateness();
  const started = performance.now();
  const held = [];
  const results = await Promise.allSettled(
    homes.map((homeDir, i) => {
      let from = 0;
      return materializeUserHome({
        homeDir,
        containerHome: `/home/user${i}`,
        redact: (text) => text,
        userEnv: envFor(i, url),
        onProgress: (p) => {
          if (p.phase === 'profile') from = performance.timeOrigin + performance.now();
          if (p.phase === 'done') held.push({ home: i, from, to: performance.timeOrigin + performance.now() });
        },
      });
    }),
  );
  const ms = performance.now() - started;
  delay.disable();
  const lateness = stopProbe();
  sampling = false;
  await sampler;
  poolWaits.sort((a, b) => a - b);
  const failures = results.flatMap((r, i) => (r.status === 'rejected' ? [`${i}: ${r.reason?.code} ${r.reason?.message}`] : []));
  return {
    ms,
    failures,
    cloned: results.filter((r) => r.status === 'fulfilled' && r.value.repository === 'cloned').length,
    p99: delay.percentile(99) / 1e6,
    max: delay.max / 1e6,
    lateness,
    poolP99: poolWaits[Math.floor(poolWaits.length * 0.99)] ?? 0,
    poolMax: poolWaits.at(-1) ?? 0,
    held,
  };
}
