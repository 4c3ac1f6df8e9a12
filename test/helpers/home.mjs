// Homes for clone tests: a fresh home per test (its own staging area beside it), a previous
// ~/.dotfiles to prove failures keep it, and checks that the staging area holds no debris.
import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';

let counter = 0;

export function newHome(root) {
  const base = path.join(root, `homes-${++counter}`);
  const home = path.join(base, 'alice');
  mkdirSync(home, { recursive: true });
  return { home, staging: path.join(base, '.home-native'), dotfiles: path.join(home, '.dotfiles') };
}

/** A previous checkout at ~/.dotfiles with a file whose content identifies it. */
export function plantPrevious(home) {
  const dir = path.join(home, '.dotfiles');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'previous.txt'), 'the working dotfiles\n');
  return () => readFileSync(path.join(dir, 'previous.txt'), 'utf8') === 'the working dotfiles\n' && readdirSync(dir).length === 1;
}

/** Clone directories left in the staging area (the lock directory is not debris). */
export function stagingDebris(staging) {
  if (!existsSync(staging)) return [];
  return readdirSync(staging).filter((name) => name !== 'locks');
}
