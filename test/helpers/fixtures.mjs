// Repositories for the clone tests and benchmarks, built with the git CLI in temp directories.
// Every builder is deterministic (fixed author, dates) so commit ids are stable within a run.
import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync, writeFileSync, mkdirSync, symlinkSync, chmodSync } from 'node:fs';
import path from 'node:path';

const gitEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Fixture',
  GIT_AUTHOR_EMAIL: 'fixture@example.com',
  GIT_COMMITTER_NAME: 'Fixture',
  GIT_COMMITTER_EMAIL: 'fixture@example.com',
  GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
  // The fixtures must not depend on the machine's git configuration.
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
};

export function git(cwd, ...args) {
  return execFileSync('git', args, { cwd, env: gitEnv, encoding: 'utf8', maxBuffer: 1 << 28 }).trim();
}

/** Turns a work tree into a bare repository `<root>/<name>.git` that servers can export. */
export function publish(work, root, name) {
  const bare = path.join(root, `${name}.git`);
  git(root, 'clone', '--quiet', '--bare', work, bare);
  // Smart HTTP and git daemon both want this for a bare repo served without hooks.
  git(bare, 'config', 'http.receivepack', 'false');
  rmSync(work, { recursive: true, force: true });
  return bare;
}

/**
 * The standard dotfiles repository:
 *   main:    README.md, bin/tool.sh (0755), link-inside -> README.md, link-out -> /etc/hostname,
 *            .gitmodules + a gitlink `sub` (no submodule content may appear), nested/deep/file
 *   feature: main + feature.txt
 *   tags:    v1.0 (annotated, on main's first commit), light (lightweight, on feature)
 *   HEAD -> main
 * Returns { bare, commits: { first, main, feature } }.
 */
export function buildDotfilesRepo(root, name = 'dotfiles') {
  const work = path.join(root, `${name}-work`);
  mkdirSync(work);
  git(work, 'init', '--quiet', '--initial-branch=main');
  writeFileSync(path.join(work, 'README.md'), 'first\n');
  git(work, 'add', '.');
  git(work, 'commit', '--quiet', '-m', 'first');
  const first = git(work, 'rev-parse', 'HEAD');
  git(work, 'tag', '-a', 'v1.0', '-m', 'release 1.0');

  writeFileSync(path.join(work, 'README.md'), 'dotfiles\n');
  mkdirSync(path.join(work, 'bin'));
  writeFileSync(path.join(work, 'bin', 'tool.sh'), '#!/bin/sh\necho tool\n');
  chmodSync(path.join(work, 'bin', 'tool.sh'), 0o755);
  symlinkSync('README.md', path.join(work, 'link-inside'));
  symlinkSync('/etc/hostname', path.join(work, 'link-out'));
  mkdirSync(path.join(work, 'nested', 'deep'), { recursive: true });
  writeFileSync(path.join(work, 'nested', 'deep', 'file'), 'deep\n');
  writeFileSync(path.join(work, '.gitmodules'), '[submodule "sub"]\n\tpath = sub\n\turl = https://example.invalid/sub.git\n');
  git(work, 'add', '.');
  // A gitlink (mode 160000) as a submodule leaves it: checkout must create no content for it.
  git(work, 'update-index', '--add', '--cacheinfo', `160000,${first},sub`);
  git(work, 'commit', '--quiet', '-m', 'dotfiles');
  const main = git(work, 'rev-parse', 'HEAD');

  git(work, 'checkout', '--quiet', '-b', 'feature');
  writeFileSync(path.join(work, 'feature.txt'), 'feature\n');
  git(work, 'add', '.');
  git(work, 'commit', '--quiet', '-m', 'feature');
  const feature = git(work, 'rev-parse', 'HEAD');
  git(work, 'tag', 'light');
  git(work, 'checkout', '--quiet', 'main');
  return { bare: publish(work, root, name), commits: { first, main, feature } };
}

/**
 * A long history made cheaply with `git fast-import`: `commits` commits, each changing one of
 * `files` files (all present in the tip). Returns the bare repository's path.
 */
export function buildLongHistoryRepo(root, { name = 'long', commits = 3000, files = 1000, fileBytes = 200 } = {}) {
  const bare = path.join(root, `${name}.git`);
  git(root, 'init', '--quiet', '--bare', '--initial-branch=main', bare);
  const chunks = [];
  const filler = 'x'.repeat(fileBytes);
  const ts = 1767225600;
  // The first commit creates every file; later ones each rewrite one.
  for (let c = 0; c < commits; c++) {
    const message = `commit ${c}\n`;
    chunks.push(`commit refs/heads/main\nmark :${c + 1}\ncommitter Fixture <fixture@example.com> ${ts + c} +0000\n`);
    chunks.push(`data ${Buffer.byteLength(message)}\n${message}`);
    if (c > 0) chunks.push(`from :${c}\n`);
    const touched = c === 0 ? Array.from({ length: files }, (_, i) => i) : [c % files];
    for (const f of touched) {
      const content = `file ${f} revision ${c}\n${filler}\n`;
      chunks.push(`M 100644 inline dir${f % 20}/file${f}.txt\ndata ${Buffer.byteLength(content)}\n${content}`);
    }
    chunks.push('\n');
  }
  const result = spawnSync('git', ['fast-import', '--quiet'], { cwd: bare, env: gitEnv, input: chunks.join('') });
  if (result.status !== 0) throw new Error(`fast-import failed: ${result.stderr}`);
  git(bare, 'symbolic-ref', 'HEAD', 'refs/heads/main');
  return bare;
}

/** A repository whose one commit holds `bytes` of incompressible data (byte-limit tests). */
export function buildLargeBlobRepo(root, { name = 'large', bytes = 8 << 20 } = {}) {
  const work = path.join(root, `${name}-work`);
  mkdirSync(work);
  git(work, 'init', '--quiet', '--initial-branch=main');
  // Deterministic, incompressible: a xorshift stream.
  const data = Buffer.alloc(bytes);
  let x = 0x9e3779b9;
  for (let i = 0; i < bytes; i += 4) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    data.writeUInt32LE(x >>> 0, i);
  }
  writeFileSync(path.join(work, 'blob.bin'), data);
  git(work, 'add', '.');
  git(work, 'commit', '--quiet', '-m', 'large');
  return publish(work, root, name);
}
