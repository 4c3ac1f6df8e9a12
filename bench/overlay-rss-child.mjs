// Child process of the overlay benchmark: writes `count` files of 1 KiB into `dir` with the named
// writer and prints its peak RSS (KiB) as JSON. A process of its own, so the peak is this run's.
//   node bench/overlay-rss-child.mjs native|seed|idle <dir> <count>
import { writeHomeFiles } from '@spoon/home-native';
import { overlayFiles } from './layout.mjs';
import { seedWriteOverlay } from './seed-overlay.mjs';

const [writer, dir, count] = process.argv.slice(2);
if (writer !== 'idle') {
  const files = overlayFiles(Number(count));
  if (writer === 'native') await writeHomeFiles(dir, files);
  else await seedWriteOverlay(dir, files);
}
process.stdout.write(JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS }));
