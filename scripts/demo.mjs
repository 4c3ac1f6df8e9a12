// npm run demo: the whole job end to end, on loopback only.
//   1. builds a sample dotfiles repository with the git CLI (a .bashrc, a .gitconfig and an
//      install.sh that appends to ~/.bashrc) in a temporary directory,
//   2. serves it over smart HTTP (`git http-backend` behind a node http server on 127.0.0.1),
//   3. writes an environment file with overlay files,
//   4. runs `spoon-home materialize --local-setup --allow-protocol http --allow-network 127.0.0.0/8`
//      (the demo's server is on loopback, which clones may not reach by default) into ./demo-home/alice,
//      prints the resulting tree and the timings,
//   5. runs it again to show the unchanged path, then `spoon-home status`,
//   6. stops the server and removes the temporary directory.
import { execFileSync, spawn } from 'node:child_process';
import { chown, lstat, mkdir, mkdtemp, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startGitHttpServer } from './git-http-server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist', 'cli', 'main.js');
const demoHome = path.join(root, 'demo-home', 'alice');
/** A run that takes longer than this is stuck (the clone is a few KiB over loopback). */
const runTimeoutMs = 120_000;

const say = (line = '') => process.stdout.write(`${line}\n`);
const heading = (title) => say(`\n== ${title}`);

// Fixed identity and dates: the sample commit has the same id on every machine and run.
const gitEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Alice Example',
  GIT_AUTHOR_EMAIL: 'alice@example.com',
  GIT_COMMITTER_NAME: 'Alice Example',
  GIT_COMMITTER_EMAIL: 'alice@example.com',
  GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};
const git = (cwd, ...args) => execFileSync('git', args, { cwd, env: gitEnv, encoding: 'utf8' }).trim();

const sampleRepository = {
  '.bashrc': '# alice/dotfiles: .bashrc\nexport EDITOR=vim\nalias ll="ls -la"\n',
  '.gitconfig': '[user]\n\tname = Alice Example\n\temail = alice@example.com\n[init]\n\tdefaultBranch = main\n',
  '.config/starship.toml': 'add_newline = false\n',
  'install.sh': [
    '#!/usr/bin/env bash',
    '# Runs once per config change, in the job image (here: on this host, --local-setup), in ~/.dotfiles.',
    'set -euo pipefail',
    'echo "[ -f ~/.dotfiles/.bashrc ] && . ~/.dotfiles/.bashrc  # added by install.sh" >> "$HOME/.bashrc"',
    '# Relative links: they mean the same inside the container and on the host.',
    'ln -sf .dotfiles/.gitconfig "$HOME/.gitconfig"',
    'mkdir -p "$HOME/.config" "$HOME/.local/bin"',
    'ln -sf ../.dotfiles/.config/starship.toml "$HOME/.config/starship.toml"',
    'ln -sf ../../.dotfiles/bin/greet "$HOME/.local/bin/greet"',
    '',
  ].join('\n'),
  'bin/greet': '#!/bin/sh\necho "hello from alice/dotfiles"\n',
};

async function buildRepository(dir) {
  const work = path.join(dir, 'work');
  for (const [name, content] of Object.entries(sampleRepository)) {
    await mkdir(path.dirname(path.join(work, name)), { recursive: true });
    await writeFile(path.join(work, name), content, { mode: name.endsWith('.sh') || name.startsWith('bin/') ? 0o755 : 0o644 });
  }
  git(work, 'init', '-q', '-b', 'main');
  git(work, 'add', '.');
  git(work, 'commit', '-q', '-m', 'alice/dotfiles');
  const served = path.join(dir, 'srv');
  git(dir, 'clone', '-q', '--bare', work, path.join(served, 'dotfiles.git'));
  return { served, commit: git(work, 'rev-parse', 'HEAD') };
}

function environment(repoUrl) {
  return {
    username: 'alice',
    enabled: true,
    dotfilesRepoUrl: repoUrl,
    dotfilesRepoRef: 'main',
    setupCommand: 'install.sh',
    // Overlay files win over whatever the repository or install.sh left.
    files: [
      { path: '.gitconfig', content: '[user]\n\tname = Alice (overlay)\n\temail = alice@example.com\n', isExecutable: false },
      { path: '.config/spoon/notes.md', content: '# Notes\nEdited in the Spoon UI.\n', isExecutable: false },
      { path: '/home/alice/bin/hello', content: '#!/bin/sh\necho "hello, $USER"\n', isExecutable: true },
    ],
  };
}

/** Runs the CLI with its output on ours (a terminal gets the redrawn progress line). */
function runCli(args) {
  return new Promise((resolve, reject) => {
    say(`$ spoon-home ${args.map((a) => (a.includes(' ') ? JSON.stringify(a) : a)).join(' ')}`);
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'inherit', 'inherit'], timeout: runTimeoutMs });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`spoon-home ${args[0]} ${signal ? `was killed by ${signal}` : `exited with ${code}`}`));
    });
  });
}

const modeString = (stats) => {
  const type = stats.isSymbolicLink() ? 'l' : stats.isDirectory() ? 'd' : '-';
  const bits = 'rwxrwxrwx'.split('').map((c, i) => (stats.mode & (1 << (8 - i)) ? c : '-'));
  return type + bits.join('');
};

/** The home's tree (paths, modes, sizes) without following links; .git is summarized. */
async function printTree(dir, rel = '') {
  for (const name of (await readdir(path.join(dir, rel))).sort()) {
    const relPath = rel ? `${rel}/${name}` : name;
    const full = path.join(dir, relPath);
    const stats = await lstat(full);
    if (stats.isSymbolicLink()) {
      say(`  ${modeString(stats)}  ${''.padStart(6)}  ${relPath} -> ${await readlink(full)}`);
    } else if (stats.isDirectory()) {
      if (name === '.git') {
        say(`  ${modeString(stats)}  ${''.padStart(6)}  ${relPath}/ (git metadata, not listed)`);
        continue;
      }
      say(`  ${modeString(stats)}  ${''.padStart(6)}  ${relPath}/`);
      await printTree(dir, relPath);
    } else {
      say(`  ${modeString(stats)}  ${String(stats.size).padStart(6)}  ${relPath}`);
    }
  }
}

async function main() {
  const temp = await mkdtemp(path.join(os.tmpdir(), 'spoon-home-demo-'));
  let server;
  try {
    heading('a sample dotfiles repository, built with git');
    const { served, commit } = await buildRepository(temp);
    say(`commit ${commit}: ${Object.keys(sampleRepository).join(', ')}`);

    heading('served over smart HTTP on loopback (git http-backend)');
    server = await startGitHttpServer(served);
    const repoUrl = `${server.url}/dotfiles.git`;
    say(repoUrl);

    const envFile = path.join(temp, 'environment.json');
    await writeFile(envFile, `${JSON.stringify(environment(repoUrl), null, 2)}\n`);
    heading('environment file');
    say(`${envFile}: user alice, ref main, setup install.sh, 3 overlay files`);

    await rm(demoHome, { recursive: true, force: true });
    // As root, --local-setup runs install.sh as the home's owner, never as root: the demo's home
    // belongs to nobody, as a worker's home belongs to its user.
    await mkdir(demoHome, { recursive: true });
    if (process.getuid?.() === 0) await chown(demoHome, 65534, 65534);
    const args = ['materialize', '--home', demoHome, '--container-home', '/home/alice', '--env', envFile, '--local-setup', '--allow-protocol', 'http', '--allow-network', '127.0.0.0/8', '--allow-network', '::1/128'];

    heading('first run: clone, setup, overlay');
    let started = performance.now();
    await runCli(args);
    say(`(wall clock ${Math.round(performance.now() - started)} ms, including node start-up)`);

    heading(`the home: ${path.relative(process.cwd(), demoHome) || demoHome}`);
    await printTree(demoHome);

    heading('second run: the config hash matches, nothing is cloned or rewritten');
    started = performance.now();
    await runCli(args);
    say(`(wall clock ${Math.round(performance.now() - started)} ms)`);

    heading('status');
    await runCli(['status', '--home', demoHome, '--env', envFile]);
    say(`\ngit server requests: ${server.requests.length}`);
    say('demo: ok');
  } finally {
    await server?.close();
    await rm(temp, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
