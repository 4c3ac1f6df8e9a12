// The seed's overlay loop, written plainly as the worker runs it today (fs/promises, by path,
// one file at a time): the reference the native writer is measured against.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export async function seedWriteOverlay(homeDir, files) {
  for (const file of files) {
    const target = path.resolve(homeDir, file.path);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, file.content);
    if (file.isExecutable) await chmod(target, 0o755);
  }
}
