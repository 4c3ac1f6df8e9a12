// Run from an empty project where the tarball was installed (cwd): loads the package as a user
// would, clones from a loopback smart-HTTP server and materializes a home, then prints a JSON
// report on stdout for test/package/install.test.mjs. argv[2]: a scratch directory.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { buildDotfilesRepo } from '../helpers/fixtures.mjs';
import { startHttpGitServer } from '../helpers/servers.mjs';

const scratch = process.argv[2];
// Resolved from the project, never from the checkout this file lives in.
const require = createRequire(path.join(process.cwd(), 'index.js'));
const packageDir = path.dirname(require.resolve('@spoon/home-native/package.json'));
const homeNative = require('@spoon/home-native');
const binary = require('node-gyp-build').path(packageDir);

const repos = path.join(scratch, 'repos');
await mkdir(repos, { recursive: true });
const { commits } = buildDotfilesRepo(repos);
const server = await startHttpGitServer(repos);
try {
  homeNative.configure({ clone: { allowedProtocols: ['http'] }, runInJobContainer: homeNative.localRunner });
  const homes = path.join(scratch, 'homes');
  await mkdir(homes);
  const cloneHome = path.join(homes, 'clone');
  await mkdir(cloneHome); // cloneRepository works in an existing home; materializeUserHome makes its own
  const clone = await homeNative.cloneRepository({ url: server.url('dotfiles'), homeDir: cloneHome, allowedProtocols: ['http'] });
  const materializeHome = path.join(homes, 'alice');
  const report = await homeNative.materializeUserHome({
    homeDir: materializeHome,
    containerHome: '/home/alice',
    redact: (value) => value,
    userEnv: {
      username: 'alice',
      enabled: true,
      dotfilesRepoUrl: server.url('dotfiles'),
      files: [{ path: '.gitconfig', content: '[user]\n\tname = Alice\n', isExecutable: false }],
    },
  });
  const read = (home, rel) => readFileSync(path.join(home, rel), 'utf8');
  process.stdout.write(
    JSON.stringify({
      packageDir,
      binary,
      buildDirExists: existsSync(path.join(packageDir, 'build')),
      versions: homeNative.versions(),
      expectedCommit: commits.main,
      clone: { commit: clone.commit, shallow: clone.shallow, readme: read(cloneHome, '.dotfiles/README.md') },
      materialize: {
        repository: report.repository,
        commit: report.clone?.commit,
        readme: read(materializeHome, '.dotfiles/README.md'),
        gitconfig: read(materializeHome, '.gitconfig'),
      },
    }),
  );
} finally {
  await server.stop();
}
