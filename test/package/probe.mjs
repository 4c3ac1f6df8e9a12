// Run from an empty project where the tarball was installed (cwd): loads the package as a user
// would, clones from loopback smart-HTTP and HTTPS servers and materializes a home, then prints a
// JSON report on stdout for test/package/install.test.mjs. argv[2]: a scratch directory.
// HTTPS runs on this process's OpenSSL (the prebuild carries none) against a server that sends
// its leaf and intermediate, with only the test root trusted: through the clone's caFile, by IP
// address as well as by name, and through SSL_CERT_FILE in a fresh process (the system store the
// addon loads once); without either, it must refuse. writeHomeFiles runs against a home with a
// planted directory symlink to outside, a hardlink to an outside file and a fifo.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, linkSync, lstatSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { buildDotfilesRepo } from '../helpers/fixtures.mjs';
import { makeTlsChain, startHttpGitServer } from '../helpers/servers.mjs';
import { promisify } from 'node:util';

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
const tlsDir = path.join(scratch, 'tls');
await mkdir(tlsDir);
const chain = makeTlsChain(tlsDir);
const leaf = chain.leaf('localhost', { san: 'DNS:localhost,IP:127.0.0.1' });
const httpsServer = await startHttpGitServer(repos, { tls: { key: leaf.key, cert: leaf.chain } });
const httpsUrl = `https://localhost:${httpsServer.port}/dotfiles.git`;
const httpsIpUrl = `https://127.0.0.1:${httpsServer.port}/dotfiles.git`;

// A clone in a fresh process of this project, with `env` on top of ours: what it printed.
async function cloneInChild(homeDir, env) {
  const script = `const m = require('@spoon/home-native');
    m.cloneRepository({ url: ${JSON.stringify(httpsUrl)}, homeDir: ${JSON.stringify(homeDir)}, allowedNetworks: ['127.0.0.0/8', '::1/128'] }).then(
      (r) => console.log(JSON.stringify({ commit: r.commit })),
      (e) => console.log(JSON.stringify({ code: e.code, message: e.message })));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], {
    cwd: process.cwd(),
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  return JSON.parse(stdout);
}

// The sandbox cases, through the installed binary: an escape refused, the rest written, nothing
// outside touched, and a fifo replaced rather than opened (which would hang).
async function writeHomeFilesCases() {
  const home = path.join(scratch, 'overlay-home');
  const outside = path.join(scratch, 'overlay-outside');
  await mkdir(home);
  await mkdir(outside);
  const shared = path.join(outside, 'shared');
  writeFileSync(shared, 'outside\n', { mode: 0o600 });
  symlinkSync(outside, path.join(home, '.config'));
  linkSync(shared, path.join(home, '.hard'));
  execFileSync('mkfifo', [path.join(home, 'fifo')]);
  const file = (rel, content, isExecutable = false) => ({ path: rel, content, isExecutable });
  const failure = await homeNative
    .writeHomeFiles(home, [file('.config/evil', 'pwned'), file('.hard', 'mine', true), file('fifo', 'no hang'), file('fine', 'overlay')])
    .then(
      (r) => ({ code: `none: resolved ${JSON.stringify(r)}` }),
      (e) => ({ code: e.code, failures: (e.failures ?? []).map((f) => ({ path: f.path, code: f.code })) }),
    );
  const written = await homeNative.writeHomeFiles(home, [file('.hard', 'mine', true), file('fine', 'overlay')]);
  return {
    failure,
    second: written,
    escapedFileExists: existsSync(path.join(outside, 'evil')),
    outsideContent: readFileSync(shared, 'utf8'),
    outsideNlink: statSync(shared).nlink,
    outsideMode: statSync(shared).mode & 0o7777,
    hard: { content: readFileSync(path.join(home, '.hard'), 'utf8'), mode: statSync(path.join(home, '.hard')).mode & 0o7777, sameInode: statSync(path.join(home, '.hard')).ino === statSync(shared).ino },
    fifo: { isFile: lstatSync(path.join(home, 'fifo')).isFile(), content: readFileSync(path.join(home, 'fifo'), 'utf8') },
    fine: readFileSync(path.join(home, 'fine'), 'utf8'),
  };
}

try {
  const overlay = await writeHomeFilesCases();
  homeNative.configure({ clone: { allowedProtocols: ['http', 'https'], allowedNetworks: ['127.0.0.0/8', '::1/128'] }, runInJobContainer: homeNative.localRunner });
  const homes = path.join(scratch, 'homes');
  await mkdir(homes);
  const cloneHome = path.join(homes, 'clone');
  await mkdir(cloneHome); // cloneRepository works in an existing home; materializeUserHome makes its own
  const clone = await homeNative.cloneRepository({ url: server.url('dotfiles'), homeDir: cloneHome, allowedProtocols: ['http'], allowedNetworks: ['127.0.0.0/8', '::1/128'] });
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
  const httpsHome = path.join(homes, 'https');
  await mkdir(httpsHome);
  const httpsClone = await homeNative.cloneRepository({ url: httpsUrl, homeDir: httpsHome, caFile: chain.rootFile });
  const ipHome = path.join(homes, 'https-ip');
  await mkdir(ipHome);
  const ipClone = await homeNative.cloneRepository({ url: httpsIpUrl, homeDir: ipHome, caFile: chain.rootFile });
  const untrustedHome = path.join(homes, 'untrusted');
  await mkdir(untrustedHome);
  const untrusted = await homeNative.cloneRepository({ url: httpsUrl, homeDir: untrustedHome }).then(
    () => ({ code: 'none: the clone succeeded' }),
    (e) => ({ code: e.code, message: e.message }),
  );
  const envHome = path.join(homes, 'ssl-cert-file');
  await mkdir(envHome);
  const viaSslCertFile = await cloneInChild(envHome, { SSL_CERT_FILE: chain.rootFile, SSL_CERT_DIR: '' });
  process.stdout.write(
    JSON.stringify({
      packageDir,
      binary,
      buildDirExists: existsSync(path.join(packageDir, 'build')),
      versions: homeNative.versions(),
      overlay,
      processOpenssl: process.versions.openssl,
      processZlib: process.versions.zlib,
      expectedCommit: commits.main,
      clone: { commit: clone.commit, shallow: clone.shallow, readme: read(cloneHome, '.dotfiles/README.md') },
      https: {
        caFile: { commit: httpsClone.commit, readme: read(httpsHome, '.dotfiles/README.md') },
        byIp: { commit: ipClone.commit },
        untrusted,
        sslCertFile: viaSslCertFile,
      },
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
  await httpsServer.stop();
}
