// The seed's filesystem steps, written plainly with fs/promises as the seed does them: the
// reference that the package's results are compared with on benign input.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const seedProfile = '# Spoon: load ~/.bashrc for login shells.\n[ -f ~/.bashrc ] && . ~/.bashrc\n';

export async function seedEnsureProfile(homeDir) {
  await mkdir(homeDir, { recursive: true });
  const bashProfile = path.join(homeDir, '.bash_profile');
  await readFile(bashProfile, 'utf8').catch(async () => {
    await writeFile(bashProfile, seedProfile);
  });
}

// The overlay loop lives with the benchmark that measures against it; one copy for both.
export { seedWriteOverlay as seedOverlay } from '../../bench/seed-overlay.mjs';
