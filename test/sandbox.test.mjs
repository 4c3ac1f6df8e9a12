// The hostile home, against the built package: lexical escapes, planted symlinks, hardlinks,
// fifos, sockets, directories in the way, read-only directories, partial failure, unchanged
// detection, modes, owners, abort, and a race against a concurrent swapper, each case in both
// resolver modes (openat2 and the forced manual walk). Every case checks the sentinel tree
// outside the home as well as the error code.
import { describe, test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, chown, link, lstat, mkdir, readFile, stat, symlink, writeFile, readdir } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { writeHomeFiles } from '@spoon/home-native';
import { CONTAINER_HOME, makeHostileHome, rejectsWithCode } from './helpers/hostile-home.mjs';
import { runNode } from './helpers/child.mjs';

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const isRoot = process.getuid?.() === 0;
const file = (p, content = 'overlay', isExecutable = false) => ({ path: p, content, isExecutable });

for (const mode of ['openat2', 'manual walk']) {
  describe(`hostile home (${mode})`, () => {
    let h;
    const write = (files, options = {}) => writeHomeFiles(h.home, files, { containerHome: CONTAINER_HOME, ...options });
    const at = (...parts) => path.join(h.home, ...parts);

    before(() => {
      if (mode === 'manual walk') process.env.HOME_NATIVE_FORCE_MANUAL_WALK = '1';
      else delete process.env.HOME_NATIVE_FORCE_MANUAL_WALK;
    });
    after(() => {
      delete process.env.HOME_NATIVE_FORCE_MANUAL_WALK;
    });
    beforeEach(async () => {
      h = await makeHostileHome();
    });
    afterEach(async () => {
      await h.assertOutsideUnchanged();
      // No temporary file of ours survives, whatever happened.
      assert.doesNotMatch(await h.homeSnapshot(), /\.home-native-[0-9a-f]+\.tmp/);
      await h.cleanup();
    });

    // ---- lexical escapes: the whole batch is refused and nothing is written ----
    const lexical = [
      ['dotdot', '../x', 'ERR_INVALID_PATH'],
      ['dotdot to the sentinel', '../outside/target', 'ERR_INVALID_PATH'],
      ['climbing after a descent', 'a/../../x', 'ERR_INVALID_PATH'],
      ['absolute outside containerHome', '/etc/passwd', 'ERR_INVALID_PATH'],
      ['absolute look-alike of containerHome', '/home/alice2/x', 'ERR_INVALID_PATH'],
      ['NUL byte', 'a\0b', 'ERR_INVALID_PATH'],
      ['empty', '', 'ERR_INVALID_PATH'],
      ['dot (the home itself)', '.', 'ERR_INVALID_PATH'],
      ['containerHome itself', '/home/alice', 'ERR_INVALID_PATH'],
      ['trailing slash', 'dir/', 'ERR_INVALID_PATH'],
      ['256-byte component', `a/${'x'.repeat(256)}`, 'ERR_INVALID_PATH'],
      ['reserved .spoon/', '.spoon/env-hash', 'ERR_RESERVED_PATH'],
      ['reserved .spoon itself', '.spoon', 'ERR_RESERVED_PATH'],
    ];
    for (const [name, badPath, code] of lexical) {
      test(`lexical: ${name} rejects the batch, nothing written`, async () => {
        const error = await rejectsWithCode(write([file('good'), file(badPath)]), code);
        assert.equal(error.failures.length, 1);
        assert.equal(error.failures[0].path, badPath);
        assert.equal(error.failures[0].code, code);
        assert.equal(await h.homeSnapshot(), '');
      });
    }

    test('lexical: the absolute path of the sentinel is refused', async () => {
      await rejectsWithCode(write([file(h.sentinel)]), 'ERR_INVALID_PATH');
      await rejectsWithCode(writeHomeFiles(h.home, [file(h.sentinel)]), 'ERR_INVALID_PATH');
    });

    test('lexical: absolute under containerHome is mapped into the home', async () => {
      assert.deepEqual(await write([file('/home/alice/.config/app.conf', 'mapped')]), { written: 1, unchanged: 0 });
      assert.equal(await readFile(at('.config', 'app.conf'), 'utf8'), 'mapped');
    });

    test('lexical: "a/../b" is b', async () => {
      await write([file('a/../b', 'lexical')]);
      assert.equal(await readFile(at('b'), 'utf8'), 'lexical');
    });

    test('batch: every bad path is named, repeated paths and parents too, nothing written', async () => {
      const error = await rejectsWithCode(
        write([file('ok'), file('../x'), file('dup'), file('./dup'), file('p'), file('p/child'), file('.spoon/x')]),
        'ERR_INVALID_PATH',
      );
      assert.deepEqual(
        error.failures.map((f) => f.path),
        ['../x', 'dup', './dup', 'p', '.spoon/x'],
      );
      for (const p of ['../x', 'dup', './dup', 'p', '.spoon/x']) assert.match(error.message, new RegExp(`'${p.replace('.', '\\.')}'`));
      assert.equal(await h.homeSnapshot(), '');
    });

    // ---- symlinked directories on the way ----
    test('symlinked dir: relative inside is followed', async () => {
      await mkdir(at('real'));
      await symlink('real', at('link'));
      await write([file('link/f', 'via link')]);
      assert.equal(await readFile(at('real', 'f'), 'utf8'), 'via link');
    });

    test('symlinked dir: relative escaping is ERR_SYMLINK_ESCAPE', async () => {
      await symlink('../outside', at('link'));
      const error = await rejectsWithCode(write([file('link/target', 'pwned')]), 'ERR_OVERLAY_FAILED');
      assert.equal(error.failures[0].code, 'ERR_SYMLINK_ESCAPE');
      assert.equal(error.failures[0].path, 'link/target');
    });

    test('symlinked dir: absolute outside is ERR_SYMLINK_ESCAPE', async () => {
      await symlink(h.outside, at('.config'));
      const error = await rejectsWithCode(write([file('.config/evil', 'pwned'), file('fine')]), 'ERR_OVERLAY_FAILED');
      assert.deepEqual(error.failures.map((f) => f.code), ['ERR_SYMLINK_ESCAPE']);
      assert.equal(await readFile(at('fine'), 'utf8'), 'overlay');
    });

    test('symlinked dir: absolute under containerHome is mapped into the home', async () => {
      await mkdir(at('real'));
      await symlink('/home/alice/real', at('link'));
      await write([file('link/f', 'mapped')]);
      assert.equal(await readFile(at('real', 'f'), 'utf8'), 'mapped');
    });

    test('symlinked dir: absolute under containerHome, without containerHome given, is an escape', async () => {
      await symlink('/home/alice/real', at('link'));
      const error = await rejectsWithCode(writeHomeFiles(h.home, [file('link/f')]), 'ERR_OVERLAY_FAILED');
      assert.equal(error.failures[0].code, 'ERR_SYMLINK_ESCAPE');
    });

    test('symlinked dir: a chain inside is followed', async () => {
      await mkdir(at('real'));
      await symlink('b', at('a'));
      await symlink('/home/alice/c', at('b'));
      await symlink('real', at('c'));
      await write([file('a/f', 'chained')]);
      assert.equal(await readFile(at('real', 'f'), 'utf8'), 'chained');
    });

    test('symlinked dir: a chain ending outside is an escape', async () => {
      await symlink('b', at('a'));
      await symlink('../outside/dir', at('b'));
      const error = await rejectsWithCode(write([file('a/inner', 'pwned')]), 'ERR_OVERLAY_FAILED');
      assert.equal(error.failures[0].code, 'ERR_SYMLINK_ESCAPE');
    });

    test('symlinked dir: a loop is ERR_SYMLINK_LOOP', async () => {
      await symlink('b', at('a'));
      await symlink('a', at('b'));
      const error = await rejectsWithCode(write([file('a/f')]), 'ERR_OVERLAY_FAILED');
      assert.equal(error.failures[0].code, 'ERR_SYMLINK_LOOP');
    });

    test('symlinked dir: 41 links is ERR_SYMLINK_LOOP, 40 are fine', async () => {
      await mkdir(at('real'));
      for (let i = 0; i < 41; i++) await symlink(i < 40 ? `l${i + 1}` : 'real', at(`l${i}`));
      const error = await rejectsWithCode(write([file('l0/f')]), 'ERR_OVERLAY_FAILED');
      assert.equal(error.failures[0].code, 'ERR_SYMLINK_LOOP');
      await write([file('l1/f', 'forty')]);
      assert.equal(await readFile(at('real', 'f'), 'utf8'), 'forty');
    });

    test('symlinked dir: "link/" (a target with a trailing slash) is followed', async () => {
      await mkdir(at('real'));
      await symlink('real/', at('link'));
      await write([file('link/f', 'slash')]);
      assert.equal(await readFile(at('real', 'f'), 'utf8'), 'slash');
    });

    test('symlinked dir: ".." in a link climbing above the home is an escape', async () => {
      await mkdir(at('a'));
      await symlink('../../outside', at('a', 'up'));
      const error = await rejectsWithCode(write([file('a/up/target', 'pwned')]), 'ERR_OVERLAY_FAILED');
      assert.equal(error.failures[0].code, 'ERR_SYMLINK_ESCAPE');
    });

    // ---- the final component ----
    test('final symlink to an outside file is replaced, not written through', async () => {
      await symlink(h.sentinel, at('.bashrc'));
      await write([file('.bashrc', 'mine')]);
      assert.ok((await lstat(at('.bashrc'))).isFile());
      assert.equal(await readFile(at('.bashrc'), 'utf8'), 'mine');
    });

    test('final dangling symlink to outside is replaced, nothing created outside', async () => {
      await symlink(path.join(h.outside, 'new'), at('.bashrc'));
      await write([file('.bashrc', 'mine')]);
      assert.ok((await lstat(at('.bashrc'))).isFile());
      await assert.rejects(lstat(path.join(h.outside, 'new')), { code: 'ENOENT' });
    });

    test('final symlink to an inside file is written through; the link stays', async () => {
      await writeFile(at('real'), 'real');
      await symlink('real', at('link'));
      await write([file('link', 'mine')]);
      assert.ok((await lstat(at('link'))).isSymbolicLink());
      assert.equal(await readFile(at('real'), 'utf8'), 'mine');
    });

    test('final symlinks made by a setup run: relative, container-absolute, host-absolute, all written through', async () => {
      await mkdir(at('.dotfiles'));
      await symlink('.dotfiles/bashrc', at('.bashrc'));
      await symlink(`${CONTAINER_HOME}/.dotfiles/vimrc`, at('.vimrc'));
      await symlink(path.join(h.home, '.dotfiles', 'gitconfig'), at('.gitconfig'));
      await write([file('.bashrc', 'b'), file('.vimrc', 'v', true), file('.gitconfig', 'g')]);
      for (const name of ['.bashrc', '.vimrc', '.gitconfig']) assert.ok((await lstat(at(name))).isSymbolicLink(), name);
      assert.equal(await readFile(at('.dotfiles', 'bashrc'), 'utf8'), 'b');
      assert.equal(await readFile(at('.dotfiles', 'vimrc'), 'utf8'), 'v');
      assert.equal((await stat(at('.dotfiles', 'vimrc'))).mode & 0o7777, 0o755);
      assert.equal(await readFile(at('.dotfiles', 'gitconfig'), 'utf8'), 'g');
    });

    test('a final link that leads through ".." above the home is replaced, nothing written outside', async () => {
      await mkdir(at('d'));
      await symlink('../../outside/new', at('d', 'up'));
      await write([file('d/up', 'mine')]);
      assert.ok((await lstat(at('d', 'up'))).isFile());
      await assert.rejects(lstat(path.join(h.outside, 'new')), { code: 'ENOENT' });
    });

    test('hardlink to an outside file: outside inode, content and mode unchanged', async () => {
      const shared = path.join(h.outside, 'shared');
      await link(shared, at('.hard-same'));
      await link(h.sentinel, at('.hard'));
      await write([file('.hard-same', 'overlay'), file('.hard', 'mine', true)]);
      const outsideShared = await stat(shared);
      assert.equal(outsideShared.nlink, 1);
      assert.notEqual((await stat(at('.hard-same'))).ino, outsideShared.ino);
      assert.equal((await stat(at('.hard'))).mode & 0o7777, 0o755);
      assert.equal(await readFile(shared, 'utf8'), 'overlay');
      // afterEach: sentinel content, mode 0600, inode, nlink back to 1.
    });

    test('fifo at the path is replaced without hanging', async () => {
      execFileSync('mkfifo', [at('fifo')]);
      await write([file('fifo', 'no hang')]);
      assert.equal(await readFile(at('fifo'), 'utf8'), 'no hang');
    });

    test('fifo at the path with identical size is still not opened for writing', async () => {
      execFileSync('mkfifo', [at('fifo')]);
      await write([file('fifo', '')]);
      assert.ok((await lstat(at('fifo'))).isFile());
    });

    test('unix socket at the path is replaced', async () => {
      const server = net.createServer();
      await new Promise((resolve) => server.listen(at('sock'), resolve));
      try {
        await write([file('sock', 'was a socket')]);
        assert.equal(await readFile(at('sock'), 'utf8'), 'was a socket');
      } finally {
        server.close();
      }
    });

    test('a directory at the path is ERR_IS_DIRECTORY and left alone; the others are written', async () => {
      await mkdir(at('.config', 'keep'), { recursive: true });
      await writeFile(at('.config', 'keep', 'x'), 'kept');
      const error = await rejectsWithCode(write([file('.config'), file('other')]), 'ERR_OVERLAY_FAILED');
      assert.deepEqual(error.failures.map((f) => [f.path, f.code]), [['.config', 'ERR_IS_DIRECTORY']]);
      assert.equal(await readFile(at('.config', 'keep', 'x'), 'utf8'), 'kept');
      assert.equal(await readFile(at('other'), 'utf8'), 'overlay');
    });

    test('a file in place of a directory is ERR_NOT_DIRECTORY', async () => {
      await writeFile(at('.config'), 'a file');
      const error = await rejectsWithCode(write([file('.config/app/x')]), 'ERR_OVERLAY_FAILED');
      assert.equal(error.failures[0].code, 'ERR_NOT_DIRECTORY');
      assert.equal(await readFile(at('.config'), 'utf8'), 'a file');
    });

    test('partial failure: the rest is written, every failure is named', async () => {
      await symlink(h.outside, at('esc'));
      await writeFile(at('plain'), 'x');
      const error = await rejectsWithCode(
        write([file('a/1'), file('esc/target', 'pwned'), file('b/2', 'two', true), file('plain/x')]),
        'ERR_OVERLAY_FAILED',
      );
      assert.deepEqual(error.failures.map((f) => [f.path, f.code]), [
        ['esc/target', 'ERR_SYMLINK_ESCAPE'],
        ['plain/x', 'ERR_NOT_DIRECTORY'],
      ]);
      assert.match(error.message, /esc\/target/);
      assert.match(error.message, /plain\/x/);
      assert.equal(await readFile(at('a', '1'), 'utf8'), 'overlay');
      assert.equal((await stat(at('b', '2'))).mode & 0o7777, 0o755);
    });

    test('read-only directory: EACCES for an ordinary user, the rest is written', async (t) => {
      await mkdir(at('ro'));
      await writeFile(at('ro', 'old'), 'old');
      if (isRoot) {
        // Root ignores the mode bits, so the EACCES case needs an ordinary uid: run it in a child.
        await chmod(h.scratch, 0o755);
        await chown(h.home, 65534, 65534);
        await chown(at('ro'), 65534, 65534);
        await chown(at('ro', 'old'), 65534, 65534);
      }
      await chmod(at('ro'), 0o555);
      const script = `
        import { versions, writeHomeFiles } from '@spoon/home-native';
        // The addon loads on first use: load it before dropping privileges, so that a checkout
        // under a directory uid 65534 cannot enter (a clone in /root, or any mktemp -d) still runs.
        versions();
        if (process.getuid() === 0) { process.setgid(65534); process.setuid(65534); }
        try {
          await writeHomeFiles(${JSON.stringify(h.home)}, [
            { path: 'ro/new', content: 'x', isExecutable: false },
            { path: 'ro/old', content: 'y', isExecutable: false },
            { path: 'fine', content: 'z', isExecutable: false },
          ]);
          console.log(JSON.stringify({ ok: true }));
        } catch (e) {
          console.log(JSON.stringify({ code: e.code, failures: e.failures }));
        }`;
      const child = await runNode(['--input-type=module', '-e', script], { cwd: packageRoot });
      assert.equal(child.code, 0, child.stderr);
      const outcome = JSON.parse(child.stdout);
      assert.equal(outcome.code, 'ERR_OVERLAY_FAILED');
      assert.deepEqual(outcome.failures.map((f) => [f.path, f.osCode]), [
        ['ro/new', 'EACCES'],
        ['ro/old', 'EACCES'],
      ]);
      assert.equal(await readFile(at('fine'), 'utf8'), 'z');
      assert.equal(await readFile(at('ro', 'old'), 'utf8'), 'old');
      t.diagnostic(isRoot ? 'ran the writer as uid 65534 in a child' : 'ran as this ordinary user');
      await chmod(at('ro'), 0o755);
    });

    test('unchanged files keep their inode and mtime', async () => {
      const files = [file('a/x', 'same'), file('a/tool', '#!/bin/sh\n', true), file('big', 'b'.repeat(200_000))];
      assert.deepEqual(await write(files), { written: 3, unchanged: 0 });
      const before = await Promise.all(['a/x', 'a/tool', 'big'].map((p) => stat(at(p))));
      await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(await write(files), { written: 0, unchanged: 3 });
      const after = await Promise.all(['a/x', 'a/tool', 'big'].map((p) => stat(at(p))));
      for (let i = 0; i < 3; i++) {
        assert.equal(after[i].ino, before[i].ino);
        assert.equal(after[i].mtimeNs ?? after[i].mtimeMs, before[i].mtimeNs ?? before[i].mtimeMs);
      }
      // One changed byte, one changed mode: written again.
      assert.deepEqual(await write([file('a/x', 'samf'), file('a/tool', '#!/bin/sh\n', false)]), { written: 2, unchanged: 0 });
    });

    test('modes are exactly 0644 / 0755 (directories 0755) under umask 077', async () => {
      const old = process.umask(0o077);
      try {
        await write([file('d/e/plain', 'p'), file('d/e/exec', 'e', true)]);
      } finally {
        process.umask(old);
      }
      assert.equal((await stat(at('d/e/plain'))).mode & 0o7777, 0o644);
      assert.equal((await stat(at('d/e/exec'))).mode & 0o7777, 0o755);
      assert.equal((await stat(at('d'))).mode & 0o7777, 0o755);
      assert.equal((await stat(at('d/e'))).mode & 0o7777, 0o755);
    });

    test('uid/gid are applied to files and created directories', { skip: !isRoot && 'fchown to another user needs root' }, async () => {
      await write([file('o/f')], { uid: 4242, gid: 4343 });
      for (const p of ['o', 'o/f']) {
        const st = await stat(at(p));
        assert.equal(st.uid, 4242);
        assert.equal(st.gid, 4343);
      }
      // A file of the right bytes but the wrong owner is rewritten.
      assert.deepEqual(await write([file('o/f')], { uid: 4444, gid: 4343 }), { written: 1, unchanged: 0 });
      assert.equal((await stat(at('o/f'))).uid, 4444);
    });

    test('abort: an aborted signal rejects with ERR_ABORTED before anything is written', async () => {
      const controller = new AbortController();
      controller.abort();
      await rejectsWithCode(write([file('x')], { signal: controller.signal }), 'ERR_ABORTED');
      assert.equal(await h.homeSnapshot(), '');
    });

    test('abort: aborting during a large batch stops it between files', async () => {
      const controller = new AbortController();
      const files = Array.from({ length: 20_000 }, (_, i) => file(`many/${i % 50}/f${i}`, 'x'));
      const pending = write(files, { signal: controller.signal });
      // After the batch has started (a call waits for its turn on the JS thread; 20,000 files take
      // far longer than this).
      setTimeout(() => controller.abort(), 20);
      const error = await rejectsWithCode(pending, 'ERR_ABORTED');
      assert.match(error.message, /aborted after \d+ of 20000/);
      const written = Number(/after (\d+)/.exec(error.message)[1]);
      assert.ok(written < 20_000);
    });

    test('argument errors are ERR_INVALID_ARG_TYPE', async () => {
      await rejectsWithCode(writeHomeFiles('relative', []), 'ERR_INVALID_ARG_TYPE');
      await rejectsWithCode(writeHomeFiles(h.home, [{ path: 'x', content: 1, isExecutable: false }]), 'ERR_INVALID_ARG_TYPE');
      await rejectsWithCode(writeHomeFiles(h.home, [{ path: 'x', content: '', isExecutable: 'yes' }]), 'ERR_INVALID_ARG_TYPE');
      await rejectsWithCode(writeHomeFiles(h.home, 'files'), 'ERR_INVALID_ARG_TYPE');
      await rejectsWithCode(writeHomeFiles(h.home, [], { uid: -1 }), 'ERR_INVALID_ARG_TYPE');
      await rejectsWithCode(writeHomeFiles(h.home, [], { containerHome: 'rel' }), 'ERR_INVALID_ARG_TYPE');
      // The addon checks each file as it copies it: the error names the file, and nothing of
      // the batch was written.
      const bad = [file('a'), file('b'), { path: 'c', content: '', isExecutable: 1 }];
      const error = await rejectsWithCode(writeHomeFiles(h.home, bad), 'ERR_INVALID_ARG_TYPE');
      assert.match(error.message, /files\[2\]\.isExecutable must be a boolean/);
      const hole = await rejectsWithCode(writeHomeFiles(h.home, [file('a'), null]), 'ERR_INVALID_ARG_TYPE');
      assert.match(hole.message, /files\[1\] must be an object/);
      assert.equal(await h.homeSnapshot(), '');
    });

    test('a missing home is ERR_HOME_INVALID; a symlinked home is refused', async () => {
      await rejectsWithCode(writeHomeFiles(path.join(h.scratch, 'nope'), [file('x')]), 'ERR_HOME_INVALID');
      await symlink(h.outside, path.join(h.scratch, 'home-link'));
      await rejectsWithCode(writeHomeFiles(path.join(h.scratch, 'home-link'), [file('target')]), 'ERR_HOME_INVALID');
      await h.rebaseline();
    });

    test('Uint8Array content is written byte for byte', async () => {
      const bytes = new Uint8Array([0, 255, 10, 0x80, 0xfe]);
      await write([{ path: 'bin', content: bytes, isExecutable: false }]);
      assert.deepEqual(new Uint8Array(await readFile(at('bin'))), bytes);
    });

    // ---- the race: another thread swaps a directory for a symlink to outside ----
    test('race: a concurrent swapper never gets a byte written outside', async (t) => {
      // On tmpfs when there is one: on a disk, file creation is slow enough that the race gets
      // far fewer rounds in the same seconds.
      if (existsSync('/dev/shm')) {
        await h.cleanup();
        h = await makeHostileHome({ base: '/dev/shm' });
      }
      // CI lengthens the race (HOME_NATIVE_RACE_MS) to many thousands of swaps.
      const durationMs = Number(process.env.HOME_NATIVE_RACE_MS ?? 2500);
      const swapper = new Worker(new URL('./helpers/swapper.mjs', import.meta.url), {
        workerData: { home: h.home, outside: h.outside, durationMs },
      });
      const swaps = new Promise((resolve, reject) => {
        swapper.once('message', resolve);
        swapper.once('error', reject);
      });
      const batch = Array.from({ length: 20 }, (_, i) => file(i % 2 ? `d/f${i}` : `d/sub/f${i}`, `race ${i}`));
      const codes = new Map();
      let batches = 0;
      const deadline = Date.now() + durationMs;
      while (Date.now() < deadline) {
        batches++;
        try {
          await write(batch);
          codes.set('ok', (codes.get('ok') ?? 0) + 1);
        } catch (error) {
          for (const f of error.failures ?? [{ code: error.code }]) codes.set(f.code, (codes.get(f.code) ?? 0) + 1);
        }
      }
      const { iterations } = await swaps;
      await swapper.terminate();
      // Nothing named like our files exists outside; afterEach compares the whole outside tree.
      assert.deepEqual((await readdir(h.outside)).sort(), ['dir', 'shared', 'target']);
      assert.ok(iterations >= 1000, `only ${iterations} swaps`);
      for (const code of codes.keys()) {
        assert.ok(['ok', 'ERR_SYMLINK_ESCAPE', 'ERR_NOT_DIRECTORY', 'ERR_IS_DIRECTORY', 'ERR_WRITE_FAILED'].includes(code), code);
      }
      t.diagnostic(`swaps=${iterations} batches=${batches} outcomes=${JSON.stringify([...codes])}`);
      if (process.env.HOME_NATIVE_RACE_MS) console.log(`writer race (${mode}): swaps=${iterations} batches=${batches} in ${durationMs} ms`);
    });
  });
}
