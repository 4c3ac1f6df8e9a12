// The seed's filesystem steps, written plainly with fs/promises as the seed does them: the
// reference that the package's results are compared with on benign input.
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const seedProfile = '# Spoon: load ~/.bashrc for login shells.\n[ -f ~/.bashrc ] && . ~/.bashrc\n';

export async function seedEnsureProfile(homeDir) {
  await mkdir(homeDir, { recursive: true });
  const bashProfile = path.join(homeDir, '.bash_profile');
  await readFile(bashProfile, 'utf8').catch(async () => {
    await writeFile(bashProfile, seedProfile);
  });
}

export async function seedOverlay(homeDir, files) {
  for (const file of files) {
    const target = path.resolve(homeDir, file.path);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, file.content);
    if (file.isExecutable) await chmod(target, 0o755);
  }
}
