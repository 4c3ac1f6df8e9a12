// Prints libgit2's compiler or linker flags for binding.gyp's command expansion. Two sources, one
// front door:
//   HOME_NATIVE_LIBGIT2_PREFIX set (npm run build, npm run prebuildify): the position-independent
//     static libgit2 and its libraries from scripts/libgit2/build-static.sh, linked into the addon,
//     with OpenSSL left to the process.
//   otherwise (`npm rebuild` of an installed package where no prebuild fits, or
//     HOME_NATIVE_LIBGIT2=system in a checkout): the system's shared libgit2, through pkg-config.
// Usage: node scripts/libgit2-flags.js cflags|libs
const { execFileSync } = require('node:child_process');
const path = require('node:path');

const mode = process.argv[2];
const prefix = process.env.HOME_NATIVE_LIBGIT2_PREFIX;

function pkgConfig(...args) {
  return execFileSync('pkg-config', [...args, 'libgit2'], { encoding: 'utf8' }).trim();
}

// src/core/git/pack_header_scanner.cc inflates pack data itself; libgit2 links zlib privately.
function zlibLibs() {
  return execFileSync('pkg-config', ['--libs', 'zlib'], { encoding: 'utf8' }).trim();
}

function staticFlags() {
  const lib = (name) => path.join(prefix, 'lib', `lib${name}.a`);
  // Order matters for static archives: each after the ones that use it.
  const archives = ['git2', 'http_parser'].map(lib);
  // The archives' symbols stay inside the addon: not exported, and not bound to same-named ones
  // in the process. OpenSSL and zlib are not among them: their symbols stay undefined and are
  // bound to the process's (Node exports both; src/core/base/openssl_version.h and
  // zlib_version.h check them at load). macOS's linker has no --exclude-libs; there the archives
  // are built with -fvisibility=hidden instead.
  const hide = process.platform === 'darwin' ? [] : ['-Wl,--exclude-libs,ALL'];
  return {
    // -isystem, as the system libgit2's /usr/include is: our -Wall -Wextra -Werror is for our
    // code, not for libgit2's headers (1.9's GIT_REMOTE_CONNECT_OPTIONS_INIT leaves members to
    // zero-initialisation, which -Wmissing-field-initializers reports at each use).
    cflags: `-isystem ${path.join(prefix, 'include')}`,
    libs: [...hide, ...archives, '-lpthread'].join(' '),
  };
}

function systemFlags() {
  return { cflags: pkgConfig('--cflags'), libs: `${pkgConfig('--libs')} ${zlibLibs()}` };
}

const flags = prefix ? staticFlags() : systemFlags();
if (!(mode in flags)) {
  process.stderr.write('usage: node scripts/libgit2-flags.js cflags|libs\n');
  process.exit(2);
}
process.stdout.write(flags[mode]);
