// What every benchmark here measures with: medians and percentiles of run times, the `--runs N`
// style flags, and the baseline clone (`git clone --depth 1 --single-branch`, with no machine
// configuration). Exports no `suite`: bench/run.mjs skips it.
import { spawn } from 'node:child_process';
import { once } from 'node:events';

export function median(values) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** `--name N` on this process's command line as a number, else `fallback`. */
export function numberFlag(name, fallback) {
  const args = process.argv.slice(2);
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

export const gitEnv = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };

/**
 * The baseline: `git clone --depth 1 --single-branch url dest`. `caFile`: GIT_SSL_CAINFO;
 * `tracePath`: GIT_TRACE2_EVENT, with progress on (index-pack only enters its "Receiving
 * objects" and "Resolving deltas" regions then).
 */
export async function gitDepthOneClone(url, dest, { caFile, tracePath } = {}) {
  const env = { ...gitEnv, ...(caFile && { GIT_SSL_CAINFO: caFile }), ...(tracePath && { GIT_TRACE2_EVENT: tracePath }) };
  const argv = ['clone', tracePath ? '--progress' : '--quiet', '--depth', '1', '--single-branch', url, dest];
  const child = spawn('git', argv, { stdio: 'ignore', env });
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`git clone exited ${code}`);
}
