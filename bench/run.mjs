// Runs every benchmark suite in bench/: each module that exports `suite` ({ name, run }).
// Helpers and child scripts export none and are skipped.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv[2];
for (const name of (await readdir(here)).sort()) {
  if (!name.endsWith('.mjs') || name === 'run.mjs' || name.endsWith('-child.mjs')) continue;
  const module = await import(pathToFileURL(path.join(here, name)).href);
  if (!module.suite || (only && module.suite.name !== only)) continue;
  console.log(`\n=== ${module.suite.name} (bench/${name}) ===`);
  await module.suite.run();
}
