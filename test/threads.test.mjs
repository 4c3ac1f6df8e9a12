// The addon's home-io threads: as many as configure({ ioConcurrency }) allows, by default half
// the CPUs (1 to 4), and never more, however many file jobs are queued.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runNode } from './helpers/child.mjs';
import { tempDir } from './helpers/temp.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

async function ioThreadsAfterBurst(t, limit) {
  const scratch = tempDir(t, 'home-native-threads-');
  const { code, out } = await runNode([path.join(here, 'children/io-threads.mjs'), scratch, String(limit)], { cwd: here });
  assert.equal(code, 0, out);
  return JSON.parse(out.trim().split('\n').at(-1));
}

for (const limit of [1, 3]) {
  test(`ioConcurrency ${limit}: a burst of 64 batches runs on exactly ${limit} home-io thread(s)`, async (t) => {
    const { ioThreads } = await ioThreadsAfterBurst(t, limit);
    assert.equal(ioThreads, limit);
  });
}

test('by default: half the CPUs, at least 1, at most 4', async (t) => {
  const { ioThreads, cpus } = await ioThreadsAfterBurst(t, 'default');
  assert.equal(ioThreads, Math.min(4, Math.max(1, Math.floor(cpus / 2))));
  t.diagnostic(`${cpus} CPUs: ${ioThreads} home-io thread(s)`);
});

test('configure refuses an ioConcurrency that is not a positive integer', async () => {
  const { configure } = await import('@spoon/home-native');
  for (const bad of [0, -1, 1.5, '2', null]) {
    assert.throws(() => configure({ ioConcurrency: bad }), { code: 'ERR_INVALID_ARG_TYPE' });
  }
});
