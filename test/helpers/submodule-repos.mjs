// Repositories with submodules, in the shape of the dotbot template: a dotfiles superproject
// with an `install` script and the installer vendored as a submodule at a relative URL
// (`../dotbot.git`), which vendors its own library as a nested submodule (`../pyyaml.git`).
// Gitlinks are written with update-index, so no submodule is ever cloned while building.
import { mkdirSync, writeFileSync, chmodSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { git, publish } from './fixtures.mjs';

function commitTree(root, name, files, { gitlinks = {}, gitmodules, after } = {}) {
  const work = path.join(root, `${name}-work`);
  mkdirSync(work, { recursive: true });
  git(work, 'init', '--quiet', '--initial-branch=main');
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
    if (typeof content === 'object') symlinkSync(content.link, path.join(work, file));
    else writeFileSync(path.join(work, file), content);
    if (file.endsWith('.sh') || file === 'install' || file.startsWith('bin/')) chmodSync(path.join(work, file), 0o755);
  }
  if (gitmodules !== undefined) writeFileSync(path.join(work, '.gitmodules'), gitmodules);
  git(work, 'add', '.');
  for (const [at, commit] of Object.entries(gitlinks)) git(work, 'update-index', '--add', '--cacheinfo', `160000,${commit},${at}`);
  git(work, 'commit', '--quiet', '-m', name);
  const recorded = git(work, 'rev-parse', 'HEAD');
  // A later commit, so that the recorded one is no longer a branch tip.
  if (after) {
    writeFileSync(path.join(work, 'CHANGELOG'), 'later\n');
    git(work, 'add', '.');
    git(work, 'commit', '--quiet', '-m', 'later');
  }
  publish(work, root, name);
  return recorded;
}

export const gitmodulesOf = (entries) =>
  entries.map(({ name, path: at, url }) => `[submodule "${name}"]\n\tpath = ${at}\n\turl = ${url}\n`).join('');

/**
 * <root>/{pyyaml,dotbot,dotfiles}.git. `dotbotPinnedBehindTip`: the superproject records a
 * dotbot commit that a later commit has left behind (not advertised by any ref).
 */
export function buildDotbotShape(root, { dotbotPinnedBehindTip = false } = {}) {
  const pyyaml = commitTree(root, 'pyyaml', { 'lib/yaml/__init__.py': '# yaml\n', 'setup.py': 'setup()\n' });
  const dotbot = commitTree(
    root,
    'dotbot',
    { 'bin/dotbot': '#!/bin/sh\necho dotbot\n', 'dotbot/__init__.py': '' },
    { gitlinks: { 'lib/pyyaml': pyyaml }, gitmodules: gitmodulesOf([{ name: 'lib/pyyaml', path: 'lib/pyyaml', url: '../pyyaml.git' }]), after: dotbotPinnedBehindTip },
  );
  const superproject = commitTree(
    root,
    'dotfiles',
    {
      install: '#!/bin/sh\nset -e\ncd "$(dirname "$0")"\ngit submodule update --init --recursive dotbot\n./dotbot/bin/dotbot\n',
      '.vimrc': 'set number\n',
      'install.conf.yaml': '- link:\n    ~/.vimrc: .vimrc\n',
    },
    { gitlinks: { dotbot }, gitmodules: gitmodulesOf([{ name: 'dotbot', path: 'dotbot', url: '../dotbot.git' }]) },
  );
  return { commits: { pyyaml, dotbot, superproject } };
}

/** A superproject `name` whose .gitmodules and gitlinks are exactly as given (hostile shapes). */
export function buildSuperproject(root, name, { files = {}, gitlinks = {}, gitmodules }) {
  return commitTree(root, name, files, { gitlinks, gitmodules });
}
