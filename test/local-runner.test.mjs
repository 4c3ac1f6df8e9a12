// localRunner behaves like the job container: the script runs in a private mount namespace with the
// host read-only, its home at containerHome, as the home's user, and dies whole on a timeout or an
// abort. Without the namespace (not root, no unshare, SPOON_LOCAL_RUNNER_SANDBOX=0) it runs as
// before and warns once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { chmod, chown, lstat, mkdir, mkdtemp, readFile, readlink, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { configure, localRunner } from '@spoon/home-native';
import { resetSettingsForTests } from '../dist/settings.js';
import { root } from './helpers/cli.mjs';
import { tempDir } from './helpers/temp.mjs';

const containerHome = '/home/alice';
const nobody = 65534;

/** Why the sandboxed cases cannot run here, or undefined. */
function sandboxMissing() {
  if (process.getuid?.() !== 0) return 'the sandbox needs root';
  if (spawnSync('unshare', ['--version']).error) return 'unshare (util-linux) is not on PATH';
  const probe = spawnSync('unshare', ['--mount', '--propagation', 'private', '--', 'mount', '-t', 'tmpfs', 'tmpfs', '/tmp']);
  if (probe.status !== 0) return `no private mount namespace here: ${String(probe.stderr).trim()}`;
  return undefined;
}
const missing = sandboxMissing();

/** A case that needs the sandbox: skipped, with the reason, where it is unavailable. */
function sandboxed(name, fn) {
  test(name, async (t) => {
    if (missing) {
      t.skip(missing);
      return;
    }
    await fn(t);
  });
}

const options = (workdir, script, extra = {}) => ({
  workdir,
  containerHome,
  containerCwd: containerHome,
  command: ['bash', '-c', script],
  environment: { HOME: containerHome },
  redact: (value) => value,
  ...extra,
});

/** A fresh home owned by `owner` (default nobody), inside a temp dir with nothing else in it. */
async function home(t, owner = { uid: nobody, gid: nobody }) {
  resetSettingsForTests();
  const dir = tempDir(t, 'local-runner-');
  const homeDir = path.join(dir, 'homes', 'alice');
  await mkdir(homeDir, { recursive: true });
  await chown(homeDir, owner.uid, owner.gid);
  return { dir, homeDir };
}

const exists = (file) => lstat(file).then(() => true, () => false);

/** The processes whose command line holds `marker` (pgrep -f), this test's own pgrep excluded. */
function processesWith(marker) {
  const found = spawnSync('pgrep', ['-f', marker], { encoding: 'utf8' });
  return found.stdout.split('\n').filter((line) => line && Number(line) !== found.pid);
}

async function noneLeft(marker) {
  // The kernel reaps a dead namespace's processes asynchronously: give it a moment.
  for (let i = 0; i < 20 && processesWith(marker).length > 0; i += 1) await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(processesWith(marker), [], `processes with ${marker} are left`);
}

sandboxed('a link the script makes to $HOME points into containerHome, not the host path', async (t) => {
  const { homeDir } = await home(t);
  await localRunner(options(homeDir, 'mkdir -p "$HOME/.dotfiles" && ln -s "$HOME/.dotfiles/x" "$HOME/.x" && pwd > "$HOME/cwd"'));
  assert.equal(await readlink(path.join(homeDir, '.x')), `${containerHome}/.dotfiles/x`);
  assert.equal(await readFile(path.join(homeDir, 'cwd'), 'utf8'), `${containerHome}\n`);
  const made = await lstat(path.join(homeDir, '.x'));
  assert.deepEqual([made.uid, made.gid], [nobody, nobody], "the script's files belong to the home's user");
});

sandboxed('the script cannot write outside its home', async (t) => {
  const { dir, homeDir } = await home(t);
  const outside = tempDir(t, 'local-runner-outside-');
  const etcName = `spoon-local-runner-${process.pid}`;
  // A name of this run's own in /tmp: whatever else the host's /tmp holds is not the script's doing.
  const tmpName = `spoon-local-runner-tmp-${process.pid}`;
  assert.equal(await exists(`/tmp/${tmpName}`), false);
  const targets = [`/etc/${etcName}`, path.join(outside, 'x'), path.join(homeDir, '..', 'sibling'), path.join(homeDir, 'via-host-path')];
  const script = [
    ...targets.map((target) => `touch '${target}' 2>/dev/null && echo wrote >> "$HOME/escapes"`),
    // Root-owned host files are read-only to the script even where their mode would let their owner write.
    'echo x > /dev/sda 2>/dev/null && echo wrote >> "$HOME/escapes"',
    `touch /tmp/${tmpName} && echo ok > "$HOME/tmp-writable"`,
    'true',
  ].join('\n');
  await localRunner(options(homeDir, script));
  assert.equal(await exists(path.join(homeDir, 'escapes')), false, 'a write outside the home succeeded');
  assert.equal(await exists(`/etc/${etcName}`), false);
  assert.deepEqual(await readdir(outside), []);
  assert.deepEqual((await readdir(path.join(dir, 'homes'))).sort(), ['alice']);
  assert.deepEqual((await readdir(homeDir)).sort(), ['tmp-writable'], 'only what the script wrote through containerHome');
  assert.equal(await exists(`/tmp/${tmpName}`), false, "the script's /tmp is its own");
});

sandboxed("the other homes beside it on the host are out of the script's sight", async (t) => {
  // Below /var/tmp, not /tmp: the sandbox's private /tmp would hide a home there anyway.
  resetSettingsForTests();
  const dir = await mkdtemp(path.join('/var/tmp', 'local-runner-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await chmod(dir, 0o755); // Traversable, as a worker's homes directory is: only the sandbox hides it.
  const homes = path.join(dir, 'homes');
  const [alice, bob] = [path.join(homes, 'alice'), path.join(homes, 'bob')];
  for (const homeDir of [alice, bob]) {
    await mkdir(homeDir, { recursive: true });
    await chown(homeDir, nobody, nobody);
  }
  await writeFile(path.join(bob, 'secret'), 'bob only\n', { mode: 0o644 });
  await chown(path.join(bob, 'secret'), nobody, nobody);
  await localRunner(options(alice, `cat '${bob}/secret' > "$HOME/stolen" 2>/dev/null; ls -A '${homes}' > "$HOME/seen" 2>&1; true`));
  assert.equal(await readFile(path.join(alice, 'stolen'), 'utf8'), '');
  assert.equal(await readFile(path.join(alice, 'seen'), 'utf8'), '');
});

sandboxed('it runs as the home owner by default, as the configured uid/gid when set, and never as root', async (t) => {
  const byOwner = await home(t, { uid: 4242, gid: 4343 });
  await localRunner(options(byOwner.homeDir, 'echo "$(id -u):$(id -g):$(id -G)" > "$HOME/id"'));
  assert.equal(await readFile(path.join(byOwner.homeDir, 'id'), 'utf8'), '4242:4343:4343\n');

  const configured = await home(t, { uid: 5151, gid: 5252 });
  configure({ uid: 5151, gid: 5252 });
  await localRunner(options(configured.homeDir, 'echo "$(id -u):$(id -g)" > "$HOME/id"'));
  assert.equal(await readFile(path.join(configured.homeDir, 'id'), 'utf8'), '5151:5252\n');

  // A root-owned home and nothing configured: nobody, to whom the home is read-only.
  const rootOwned = await home(t, { uid: 0, gid: 0 });
  await localRunner(options(rootOwned.homeDir, `test "$(id -u):$(id -g)" = ${nobody}:${nobody} && ! touch "$HOME/x" 2>/dev/null`));
  assert.deepEqual(await readdir(rootOwned.homeDir), []);
  await assert.rejects(localRunner(options(rootOwned.homeDir, 'touch "$HOME/x"')), /setup exited with code 1 \(the home is root's, so setup ran as nobody/);
});

sandboxed('a containerHome that is not normalized, or whose top directory the host lacks, is refused; the script never runs', async (t) => {
  const { homeDir } = await home(t);
  await assert.rejects(
    localRunner({ ...options(homeDir, 'touch "$HOME/ran"'), containerHome: '/no-such-top-dir/alice' }),
    /cannot mount the home at \/no-such-top-dir\/alice: \/no-such-top-dir does not exist on this host/,
  );
  for (const bad of ['/home/alice/../bob', 'home/alice', '/']) {
    await assert.rejects(localRunner({ ...options(homeDir, 'touch "$HOME/ran"'), containerHome: bad }), { code: 'ERR_INVALID_PATH' });
  }
  assert.deepEqual(await readdir(homeDir), []);
});

const sleeper = (marker) => `(sleep 100; : ${marker}) & sleep 100; : ${marker}`;
// A child that leaves the process group (setsid) still lives in the namespace, and dies with it.
const escaper = (marker) => `setsid sh -c 'sleep 100; : ${marker}' & ${sleeper(marker)}`;

sandboxed('the timeout kills the script and its children', async (t) => {
  const { homeDir } = await home(t);
  const marker = `spoon-timeout-${process.pid}-${Date.now()}`;
  const started = Date.now();
  await assert.rejects(localRunner(options(homeDir, escaper(marker), { timeoutMs: 500 })), /setup timed out after 500 ms/);
  assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
  await noneLeft(marker);
});

sandboxed('an abort kills the script and its children', async (t) => {
  const { homeDir } = await home(t);
  const marker = `spoon-abort-${process.pid}-${Date.now()}`;
  const abort = new AbortController();
  setTimeout(() => abort.abort(), 300);
  const started = Date.now();
  await assert.rejects(localRunner(options(homeDir, escaper(marker), { signal: abort.signal })), { code: 'ERR_ABORTED' });
  assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
  await noneLeft(marker);
});

sandboxed('a worker killed mid-setup takes the sandboxed script and its children along', async (t) => {
  const { homeDir } = await home(t);
  const marker = `spoon-orphan-${process.pid}-${Date.now()}`;
  const worker = spawn(process.execPath, ['--input-type=module', '-e', orphanChild, homeDir, `touch "$HOME/started"; ${escaper(marker)}`], {
    cwd: root,
    stdio: 'ignore',
  });
  t.after(() => worker.kill('SIGKILL'));
  for (let i = 0; i < 100 && !(await exists(path.join(homeDir, 'started'))); i += 1) await new Promise((r) => setTimeout(r, 50));
  assert.ok(await exists(path.join(homeDir, 'started')), 'the script started');
  assert.ok(processesWith(marker).length > 0, 'its processes run');
  worker.kill('SIGKILL');
  await once(worker, 'exit');
  await noneLeft(marker);
});

sandboxed('a failing script rejects with its output tail', async (t) => {
  const { homeDir } = await home(t);
  await assert.rejects(localRunner(options(homeDir, 'echo "about to fail" >&2; exit 3')), /setup exited with code 3:\nabout to fail/);
});

// A worker that runs one sandboxed setup and is killed during it.
const orphanChild = `
import { localRunner } from '@spoon/home-native';
const [homeDir, script] = process.argv.slice(1);
await localRunner({ workdir: homeDir, containerHome: '/home/alice', containerCwd: '/home/alice',
  command: ['bash', '-c', script], environment: { HOME: '/home/alice' }, redact: (v) => v });
`;

// The fallback, in a child process of its own: the probe's answer and the warning are per process.
const fallbackChild = `
import { localRunner } from '@spoon/home-native';
const [homeDir, marker] = process.argv.slice(1);
const options = (script, extra) => ({ workdir: homeDir, containerHome: '/home/alice', containerCwd: '/home/alice',
  command: ['bash', '-c', script], environment: { HOME: '/home/alice' }, redact: (v) => v, ...extra });
await localRunner(options('echo "$HOME" > "$HOME/home"; pwd > "$HOME/cwd"'));
await localRunner(options('echo again >> "$HOME/runs"'));
const started = Date.now();
await localRunner(options('(sleep 100; : ' + marker + ') & sleep 100; : ' + marker, { timeoutMs: 500 })).then(
  () => console.log('resolved'),
  (error) => console.log(JSON.stringify({ message: error.message, ms: Date.now() - started })),
);
`;

test('without the sandbox it runs as before on the host path, warns once, and still kills the whole group', async (t) => {
  const { homeDir } = await home(t, { uid: process.getuid(), gid: process.getgid() });
  const marker = `spoon-fallback-${process.pid}-${Date.now()}`;
  const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', fallbackChild, homeDir, marker], {
    cwd: root,
    env: { ...process.env, SPOON_LOCAL_RUNNER_SANDBOX: '0' },
  });
  assert.equal(await readFile(path.join(homeDir, 'home'), 'utf8'), `${homeDir}\n`);
  assert.equal(await readFile(path.join(homeDir, 'cwd'), 'utf8'), `${homeDir}\n`);
  assert.equal(await readFile(path.join(homeDir, 'runs'), 'utf8'), 'again\n');
  const warnings = stderr.split('\n').filter((line) => line.includes('warning: localRunner runs setup scripts on this host without a sandbox'));
  assert.equal(warnings.length, 1, stderr);
  assert.match(warnings[0], /SPOON_LOCAL_RUNNER_SANDBOX=0/);
  const timedOut = JSON.parse(stdout.trim());
  assert.match(timedOut.message, /setup timed out after 500 ms/);
  assert.ok(timedOut.ms < 2000, `took ${timedOut.ms} ms`);
  await noneLeft(marker);
});


sandboxed('a host mount the copy cannot remount (binfmt_misc below /proc) does not stop the sandbox, nor reach it', async (t) => {
  const point = '/proc/sys/fs/binfmt_misc';
  const mounted = () => spawnSync('mountpoint', ['-q', point]).status === 0;
  if (!mounted()) {
    // What systemd, or qemu-user-static's setup, mounts on most hosts.
    const mount = spawnSync('mount', ['-t', 'binfmt_misc', 'binfmt_misc', point]);
    if (mount.status !== 0) {
      t.skip(`cannot mount binfmt_misc here: ${String(mount.stderr).trim()}`);
      return;
    }
    t.after(() => spawnSync('umount', [point]));
  }
  const { homeDir } = await home(t);
  await localRunner(options(homeDir, `test ! -e ${point}/status && ls /proc | grep -c '^[0-9]' > "$HOME/pids"`));
  // The sandbox's /proc is its own: its few processes, none of the host's, and no binfmt_misc.
  assert.ok(Number(await readFile(path.join(homeDir, 'pids'), 'utf8')) < 10);
});
