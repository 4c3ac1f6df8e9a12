// Prints src/sources.txt (core and addon) as a space-separated list for binding.gyp's command
// expansion, so that binding.gyp names no source file itself.
const fs = require('node:fs');
const path = require('node:path');
const text = fs.readFileSync(path.join(__dirname, '..', 'src', 'sources.txt'), 'utf8');
process.stdout.write(text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).join(' '));
