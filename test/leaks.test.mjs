// Descriptor and memory leaks: 10,000 materializations and 1,000 failed clones in one process
// (a child with --expose-gc, after a warm-up of 3,000 and 300); afterwards the count of open descriptors is back to where it was
// and the RSS within a small margin. HOME_NATIVE_LEAK_MATERIALIZATIONS / _CLONES scale it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runNode } from './helpers/child.mjs';
import { tempDir } from './helpers/temp.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const MATERIALIZATIONS = Number(process.env.HOME_NATIVE_LEAK_MATERIALIZATIONS ?? 10_000);
const CLONES = Number(process.env.HOME_NATIVE_LEAK_CLONES ?? 1_000);
// Allocator arenas and V8's heap settle in steps; a leak of even a few hundred bytes per call
// would show as megabytes over these counts.
const RSS_MARGIN_BYTES = 8 * 2 ** 20;

test(`no descriptor or memory leak over ${MATERIALIZATIONS} materializations and ${CLONES} failed clones`, { timeout: 600_000 }, async (t) => {
  const scratch = tempDir(t, 'home-native-leaks-');
  const { code, stdout: out, stderr: err } = await runNode(
    ['--expose-gc', path.join(here, 'children/leak.mjs'), scratch, String(MATERIALIZATIONS), String(CLONES)],
    { cwd: here, timeoutMs: 590_000 },
  );
  assert.equal(code, 0, err);
  const r = JSON.parse(out.trim().split('\n').at(-1));
  const mib = (bytes) => (bytes / 2 ** 20).toFixed(1);
  const line = `fds ${r.before.fds} -> ${r.middle.fds} -> ${r.after.fds}; rss ${mib(r.before.rss)} -> ${mib(r.middle.rss)} -> ${mib(r.after.rss)} MiB; ` +
    `${r.materializations} materializations in ${(r.materializeMs / 1000).toFixed(1)} s, ${r.clones} failed clones ${JSON.stringify(r.codes)}, total ${(r.totalMs / 1000).toFixed(1)} s`;
  t.diagnostic(line);
  console.log(`leaks: ${line}`);
  assert.equal(r.codes.ok, undefined, 'every clone failed');
  assert.equal((r.codes.ERR_REF_NOT_FOUND ?? 0) + (r.codes.ERR_CLONE_FAILED ?? 0), r.clones);
  assert.ok(r.after.fds <= r.before.fds, `descriptors: ${r.before.fds} before, ${r.after.fds} after`);
  assert.ok(r.after.rss - r.before.rss < RSS_MARGIN_BYTES, `RSS grew by ${mib(r.after.rss - r.before.rss)} MiB`);
});
