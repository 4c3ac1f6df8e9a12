// The sample UserEnvironment the tests start from: alice, a dotfiles repository and ref, a setup
// command and two overlay files (one executable).

/** A fresh copy (nothing shared between callers), with `overrides` laid over it. */
export function sampleEnvironment(overrides = {}) {
  return {
    username: 'alice',
    enabled: true,
    dotfilesRepoUrl: 'https://example.com/alice/dotfiles.git',
    dotfilesRepoRef: 'main',
    setupCommand: 'install.sh',
    files: [
      { path: '.gitconfig', content: '[user]\n\tname = Alice\n', isExecutable: false },
      { path: 'bin/hello', content: '#!/bin/sh\necho hello\n', isExecutable: true },
    ],
    ...overrides,
  };
}
