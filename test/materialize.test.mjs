// materializeUserHome without a repository: the seed's order, the profile and marker rules on a
// hostile home, parity with the seed's steps, argument and environment checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdir, readFile, readdir, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { configHash, configure, materializeUserHome } from '@spoon/home-native';
import { resetSettingsForTests } from '../dist/settings.js';
import { rng } from './helpers/random.mjs';
import { seedEnsureProfile, seedOverlay, seedProfile } from './helpers/seed-steps.mjs';
import { sentinel, tempDir } from './helpers/temp.mjs';
import { snapshot } from './helpers/tree.mjs';

const redact = (value) => value.replaceAll('secret-token', '***');
const containerHome = '/home/alice';
const env = (overrides = {}) => ({ username: 'alice', enabled: true, files: [], ...overrides });

async function setup(t) {
  resetSettingsForTests();
  const root = tempDir(t);
  const homeDir = path.join(root, 'homes', 'alice');
  const outside = path.join(root, 'outside');
  await mkdir(outside, { recursive: true });
  return { root, homeDir, outside, guard: await sentinel(outside) };
}

test('a fresh home gets the seed profile and the overlay files; the report says so', async (t) => {
  const { homeDir } = await setup(t);
  const report = await materializeUserHome({
    homeDir,
    containerHome,
    redact,
    userEnv: env({ files: [{ path: '.gitconfig', content: '[user]\n', isExecutable: false }] }),
  });
  assert.equal(await readFile(path.join(homeDir, '.bash_profile'), 'utf8'), seedProfile);
  assert.equal(report.profile, 'created');
  assert.equal(report.repository, 'none');
  assert.deepEqual(report.files, { written: 1, unchanged: 0 });
  assert.ok(report.durationsMs.total >= report.durationsMs.overlay);
  const again = await materializeUserHome({ homeDir, containerHome, redact, userEnv: env({ files: [{ path: '.gitconfig', content: '[user]\n', isExecutable: false }] }) });
  assert.equal(again.profile, 'existing');
  assert.deepEqual(again.files, { written: 0, unchanged: 1 });
});

test('disabled environment: profile only, no overlay, no marker', async (t) => {
  const { homeDir } = await setup(t);
  const report = await materializeUserHome({
    homeDir,
    containerHome,
    redact,
    userEnv: env({ enabled: false, dotfilesRepoUrl: 'https://localhost:1/x.git', files: [{ path: 'a', content: 'a', isExecutable: false }] }),
  });
  assert.equal(report.enabled, false);
  assert.deepEqual(await readdir(homeDir), ['.bash_profile']);
});

test('an existing .bash_profile is left exactly as it is', async (t) => {
  const { homeDir } = await setup(t);
  await mkdir(homeDir, { recursive: true });
  await writeFile(path.join(homeDir, '.bash_profile'), 'mine\n');
  const before = await stat(path.join(homeDir, '.bash_profile'));
  const report = await materializeUserHome({ homeDir, containerHome, redact, userEnv: env() });
  const after = await stat(path.join(homeDir, '.bash_profile'));
  assert.equal(report.profile, 'existing');
  assert.equal(await readFile(path.join(homeDir, '.bash_profile'), 'utf8'), 'mine\n');
  assert.equal(after.mtimeMs, before.mtimeMs);
});

for (const [name, plant] of [
  ['a dangling symlink to outside', (home, outside) => symlink(path.join(outside, 'created-by-profile'), path.join(home, '.bash_profile'))],
  ['a symlink to an outside file', (home, outside) => symlink(path.join(outside, 'sentinel'), path.join(home, '.bash_profile'))],
  ['a directory', (home) => mkdir(path.join(home, '.bash_profile'))],
]) {
  test(`.bash_profile planted as ${name} is never written through`, async (t) => {
    const { homeDir, outside, guard } = await setup(t);
    await mkdir(homeDir, { recursive: true });
    await plant(homeDir, outside);
    const report = await materializeUserHome({ homeDir, containerHome, redact, userEnv: env() });
    assert.equal(report.profile, 'existing');
    await guard.assertUntouched(assert);
    assert.deepEqual((await readdir(outside)).sort(), ['sentinel']);
  });
}

test('a marker that matches skips the repository step without touching the network', async (t) => {
  const { homeDir } = await setup(t);
  const userEnv = env({ dotfilesRepoUrl: 'https://localhost:1/nothing-listens.git', setupCommand: 'install.sh' });
  await mkdir(path.join(homeDir, '.spoon'), { recursive: true });
  await writeFile(path.join(homeDir, '.spoon', 'env-hash'), `${configHash(userEnv)}\n`);
  const report = await materializeUserHome({ homeDir, containerHome, redact, userEnv });
  assert.equal(report.repository, 'unchanged');
  assert.equal(report.configHash, configHash(userEnv));
  assert.equal(report.clone, null);
});

test('a marker planted as a symlink to a matching outside file is not read through', async (t) => {
  const { homeDir, outside } = await setup(t);
  const userEnv = env({ dotfilesRepoUrl: 'https://localhost:1/nothing-listens.git' });
  await writeFile(path.join(outside, 'forged-hash'), configHash(userEnv));
  await mkdir(path.join(homeDir, '.spoon'), { recursive: true });
  await symlink(path.join(outside, 'forged-hash'), path.join(homeDir, '.spoon', 'env-hash'));
  // The forged marker is ignored, so the clone is attempted (and refused: loopback is not a
  // destination clones may reach by default).
  await assert.rejects(materializeUserHome({ homeDir, containerHome, redact, userEnv }), { code: 'ERR_DESTINATION_NOT_ALLOWED' });
  assert.equal(await readlink(path.join(homeDir, '.spoon', 'env-hash')), path.join(outside, 'forged-hash'));
});

test('a setup command with no runner is ERR_NO_RUNNER before anything is cloned', async (t) => {
  const { homeDir } = await setup(t);
  const userEnv = env({ dotfilesRepoUrl: 'https://localhost:1/x.git', setupCommand: 'install.sh' });
  await assert.rejects(materializeUserHome({ homeDir, containerHome, redact, userEnv }), { code: 'ERR_NO_RUNNER' });
  await assert.rejects(lstat(path.join(homeDir, '.spoon', 'env-hash')), { code: 'ENOENT' });
});

test('a setup path that climbs out of the repository is refused before the clone', async (t) => {
  const { homeDir } = await setup(t);
  configure({ runInJobContainer: async () => assert.fail('runner must not be called') });
  for (const setupCommand of ['../../etc/evil.sh', '/etc/evil.sh', 'a/../../b.sh']) {
    const userEnv = env({ dotfilesRepoUrl: 'https://localhost:1/x.git', setupCommand });
    await assert.rejects(materializeUserHome({ homeDir, containerHome, redact, userEnv }), { code: 'ERR_INVALID_PATH' });
  }
});

test('a malformed environment is ERR_BAD_ENVIRONMENT and nothing is written', async (t) => {
  const { homeDir } = await setup(t);
  for (const userEnv of [null, { username: 'alice', enabled: true }, env({ files: [{ path: 1, content: 'x', isExecutable: false }] })]) {
    await assert.rejects(materializeUserHome({ homeDir, containerHome, redact, userEnv }), { code: 'ERR_BAD_ENVIRONMENT' });
  }
  await assert.rejects(stat(homeDir), { code: 'ENOENT' });
});

test('bad arguments are ERR_INVALID_ARG_TYPE', async () => {
  await assert.rejects(materializeUserHome({ homeDir: 'relative', containerHome, redact, userEnv: env() }), { code: 'ERR_INVALID_ARG_TYPE' });
  await assert.rejects(materializeUserHome({ homeDir: '/tmp/x', containerHome: 'home', redact, userEnv: env() }), { code: 'ERR_INVALID_ARG_TYPE' });
  await assert.rejects(materializeUserHome({ homeDir: '/tmp/x', containerHome, userEnv: env() }), { code: 'ERR_INVALID_ARG_TYPE' });
});

test('an aborted signal rejects with ERR_ABORTED', async (t) => {
  const { homeDir } = await setup(t);
  await assert.rejects(
    materializeUserHome({ homeDir, containerHome, redact, userEnv: env(), signal: AbortSignal.abort() }),
    { code: 'ERR_ABORTED' },
  );
});

test('progress reports the phases in the seed order', async (t) => {
  const { homeDir } = await setup(t);
  const phases = [];
  await materializeUserHome({
    homeDir,
    containerHome,
    redact,
    userEnv: env({ files: [{ path: 'a', content: 'a', isExecutable: false }] }),
    onProgress: (progress) => phases.push(progress.phase),
  });
  assert.deepEqual(phases, ['lock', 'profile', 'overlay', 'done']);
});

// Random benign overlay sets: the home the package leaves equals the home the seed's steps leave.
test('parity with the seed on 40 random benign overlay sets', async (t) => {
  const { root } = await setup(t);
  const random = rng(7);
  const names = ['a', 'b', 'config', 'ünï', '日本', 'emoji😀', '.hidden', 'x y', 'bin', 'lib'];
  const pick = () => names[Math.floor(random() * names.length)];
  for (let round = 0; round < 40; round++) {
    const files = new Map();
    for (let i = 0; i < 1 + Math.floor(random() * 12); i++) {
      const depth = Math.floor(random() * 3);
      const parts = Array.from({ length: depth }, () => `d-${pick()}`);
      parts.push(`f-${pick()}`);
      files.set(parts.join('/'), { path: parts.join('/'), content: `content ${round} ${i} ${'é'.repeat(i)}`, isExecutable: random() < 0.3 });
    }
    // A second batch overwrites part of the first with new content (same executable bit, see README).
    const first = [...files.values()];
    const second = first.filter(() => random() < 0.5).map((f) => ({ ...f, content: `${f.content} v2` }));
    const ours = path.join(root, `ours-${round}`);
    const theirs = path.join(root, `seed-${round}`);
    for (const batch of [first, second]) {
      await materializeUserHome({ homeDir: ours, containerHome, redact, userEnv: env({ files: batch }) });
      await seedEnsureProfile(theirs);
      await seedOverlay(theirs, batch);
    }
    assert.deepEqual(await snapshot(ours), await snapshot(theirs), `round ${round}`);
  }
});

test('errors pass through the caller\'s redact, the overlay\'s failures included', async (t) => {
  const { homeDir } = await setup(t);
  const userEnv = env({ files: [{ path: '../secret-token/x', content: 'x', isExecutable: false }] });
  const error = await materializeUserHome({ homeDir, containerHome, redact, userEnv }).catch((e) => e);
  assert.equal(error.code, 'ERR_INVALID_PATH');
  assert.ok(error.failures.length === 1);
  const text = JSON.stringify({ message: error.message, stack: error.stack, failures: error.failures });
  assert.ok(!text.includes('secret-token'), text);
  assert.ok(text.includes('***'));
});

test('a home that cannot be created is ERR_HOME_INVALID with the OS error', async (t) => {
  const { root } = await setup(t);
  await writeFile(path.join(root, 'not-a-dir'), '');
  const error = await materializeUserHome({ homeDir: path.join(root, 'not-a-dir', 'alice'), containerHome, redact, userEnv: env() }).catch((e) => e);
  assert.equal(error.code, 'ERR_HOME_INVALID');
  assert.equal(error.osCode, 'ENOTDIR');
});
