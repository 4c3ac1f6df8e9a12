// Run with UV_THREADPOOL_SIZE=4: starts four clones against a throttled server (argv[2]), then
// reads a small file with fs.promises. Prints how many clones had settled when the read
// completed: 0 proves the clones hold no libuv pool thread (four would fill the pool).
import { mkdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { cloneRepository } from '@spoon/home-native';

const [url, dir] = process.argv.slice(2);
let settled = 0;
const clones = [];
for (let i = 0; i < 4; i++) {
  const home = path.join(dir, `h${i}`, 'alice');
  mkdirSync(home, { recursive: true });
  const controller = new AbortController();
  clones.push({
    controller,
    done: cloneRepository({ url, homeDir: home, allowedProtocols: ['http'], allowedNetworks: ['127.0.0.0/8', '::1/128'], signal: controller.signal }).then(
      () => settled++,
      () => settled++,
    ),
  });
}
// Give the clones time to start and reach the network.
await new Promise((resolve) => setTimeout(resolve, 300));
const file = path.join(dir, 'small.txt');
writeFileSync(file, 'hello\n');
await readFile(file, 'utf8');
const settledAtRead = settled;
for (const clone of clones) clone.controller.abort();
await Promise.all(clones.map((c) => c.done));
console.log(JSON.stringify({ clones: clones.length, clonesSettledBeforeRead: settledAtRead }));
