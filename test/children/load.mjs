// The second worker process of the load test: the same homes, at the same time. argv: url,
// then a JSON file with the home list. Waits for "go" on stdin so both start together.
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { runLoad } from '../helpers/load-run.mjs';

const [url, homesFile] = process.argv.slice(2);
const homes = JSON.parse(readFileSync(homesFile, 'utf8'));
process.stdout.write('ready\n');
await once(process.stdin, 'data');
const result = await runLoad({ homes, url });
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
