// argv: scratch dir, then ioConcurrency or "default". Writes 64 overlay batches at once and
// prints how many of the addon's home-io threads are alive afterwards (idle threads stay for
// 30 s, so every thread the burst started is still there) and what the machine offers.
import { readFileSync, readdirSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configure, writeHomeFiles } from '@spoon/home-native';

const [dir, limit] = process.argv.slice(2);
if (limit !== 'default') configure({ ioConcurrency: Number(limit) });
const homes = Array.from({ length: 64 }, (_, i) => path.join(dir, `h${i}`));
for (const home of homes) mkdirSync(home, { recursive: true });
await Promise.all(homes.map((home) => writeHomeFiles(home, [{ path: '.rc', content: home, isExecutable: false }])));
const names = readdirSync('/proc/self/task').map((tid) => readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim());
console.log(JSON.stringify({ ioThreads: names.filter((name) => name === 'home-io').length, cpus: os.availableParallelism() }));
