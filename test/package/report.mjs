// The checks on probe.mjs's report, shared by the package test on this machine
// (install.test.mjs) and the one under emulation in another architecture's root
// (scripts/test-package-arm64.sh, through check-report.mjs).
import assert from 'node:assert/strict';
import path from 'node:path';

/**
 * @param report probe.mjs's JSON report
 * @param expect.packageDir where the package was installed (as the probe's process sees it)
 * @param expect.prebuild the prebuild's path relative to the package
 * @param expect.libgit2 the libgit2 version the prebuild was built from (deps/src/)
 */
export function checkReport(report, expect) {
  assert.equal(report.packageDir, expect.packageDir);
  // The prebuild was loaded, and no build directory was made or used.
  assert.equal(report.binary, path.join(report.packageDir, expect.prebuild));
  assert.equal(report.buildDirExists, false);
  assert.equal(report.versions.libgit2, expect.libgit2);
  // The OpenSSL of the process that loaded it.
  assert.ok(report.versions.tls.startsWith(`OpenSSL ${report.processOpenssl} `), report.versions.tls);
  // zlib from the process too: Node's own reports a build suffix ("1.3.1-e00f703").
  assert.ok(report.processZlib.startsWith(report.versions.zlib), `${report.versions.zlib} vs ${report.processZlib}`);
  // writeHomeFiles: the escape through the planted directory symlink is refused and named, the
  // rest written; the hardlinked outside file and the fifo are replaced, not written through.
  const overlay = report.overlay;
  assert.equal(overlay.failure.code, 'ERR_OVERLAY_FAILED', JSON.stringify(overlay.failure));
  assert.deepEqual(overlay.failure.failures, [{ path: '.config/evil', code: 'ERR_SYMLINK_ESCAPE' }]);
  assert.equal(overlay.escapedFileExists, false);
  assert.deepEqual(overlay.second, { written: 0, unchanged: 2 });
  assert.equal(overlay.outsideContent, 'outside\n');
  assert.equal(overlay.outsideNlink, 1);
  assert.equal(overlay.outsideMode, 0o600);
  assert.deepEqual(overlay.hard, { content: 'mine', mode: 0o755, sameInode: false });
  assert.deepEqual(overlay.fifo, { isFile: true, content: 'no hang' });
  assert.equal(overlay.fine, 'overlay');
  // Clones over loopback HTTP and HTTPS, and a whole home.
  assert.equal(report.clone.commit, report.expectedCommit);
  assert.equal(report.clone.shallow, true);
  assert.equal(report.clone.readme, 'dotfiles\n');
  assert.equal(report.https.caFile.commit, report.expectedCommit);
  assert.equal(report.https.caFile.readme, 'dotfiles\n');
  assert.equal(report.https.byIp.commit, report.expectedCommit);
  assert.equal(report.https.untrusted.code, 'ERR_CLONE_FAILED', JSON.stringify(report.https.untrusted));
  assert.match(report.https.untrusted.message, /certificate/i);
  assert.deepEqual(report.https.sslCertFile, { commit: report.expectedCommit });
  assert.equal(report.materialize.repository, 'cloned');
  assert.equal(report.materialize.commit, report.expectedCommit);
  assert.equal(report.materialize.readme, 'dotfiles\n');
  assert.equal(report.materialize.gitconfig, '[user]\n\tname = Alice\n');
}
