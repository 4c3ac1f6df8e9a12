// Prints libgit2's compiler or linker flags, or its TLS backend, for binding.gyp's command
// expansion. Two sources, one front door:
//   HOME_NATIVE_LIBGIT2_PREFIX set (npm run prebuild): the position-independent static libgit2
//     and its libraries from scripts/prebuild/build-static-deps.sh, linked into the addon.
//   otherwise (contributors' source builds): the system's shared libgit2, through pkg-config.
// Usage: node scripts/libgit2-flags.js cflags|libs|tls
const { execFileSync } = require('node:child_process');
const path = require('node:path');

const mode = process.argv[2];
const prefix = process.env.HOME_NATIVE_LIBGIT2_PREFIX;

function pkgConfig(...args) {
  return execFileSync('pkg-config', [...args, 'libgit2'], { encoding: 'utf8' }).trim();
}

// src/core/pack_header_scanner.cc inflates pack data itself; libgit2 links zlib privately.
function zlibLibs() {
  return execFileSync('pkg-config', ['--libs', 'zlib'], { encoding: 'utf8' }).trim();
}

// What libgit2 was configured with, read from what it links: libgit2 1.8 has no run-time query
// for its TLS backend (git_libgit2_feature_backend arrives in 1.9).
function tlsOf(linkLine) {
  if (/mbedtls/i.test(linkLine)) return 'mbedTLS';
  if (/-lssl\b|openssl/i.test(linkLine)) return 'OpenSSL';
  if (/Security/.test(linkLine)) return 'SecureTransport';
  return 'unknown';
}

function staticFlags() {
  const lib = (name) => path.join(prefix, 'lib', `lib${name}.a`);
  // Order matters for static archives: each after the ones that use it.
  const archives = ['git2', 'mbedtls', 'mbedx509', 'mbedcrypto', 'http_parser', 'z'].map(lib);
  // The archives' symbols stay inside the addon: not exported, and not bound to same-named ones
  // in the process (Node itself exports zlib and OpenSSL symbols). macOS's linker has no
  // --exclude-libs; there the archives are built with -fvisibility=hidden instead.
  const hide = process.platform === 'darwin' ? [] : ['-Wl,--exclude-libs,ALL'];
  const system = process.platform === 'darwin' ? ['-framework', 'CoreFoundation', '-framework', 'Security'] : ['-lpthread'];
  return {
    // -isystem, as the system libgit2's /usr/include is: our -Wall -Wextra -Werror is for our
    // code, not for libgit2's headers (1.9's GIT_REMOTE_CONNECT_OPTIONS_INIT leaves members to
    // zero-initialisation, which -Wmissing-field-initializers reports at each use).
    cflags: `-isystem ${path.join(prefix, 'include')}`,
    libs: [...hide, ...archives, ...system].join(' '),
    tls: 'mbedTLS',
  };
}

function systemFlags() {
  return {
    cflags: pkgConfig('--cflags'),
    libs: `${pkgConfig('--libs')} ${zlibLibs()}`,
    tls: tlsOf(`${pkgConfig('--libs', '--static')} ${pkgConfig('--print-requires-private')}`),
  };
}

const flags = prefix ? staticFlags() : systemFlags();
if (!(mode in flags)) {
  process.stderr.write('usage: node scripts/libgit2-flags.js cflags|libs|tls\n');
  process.exit(2);
}
process.stdout.write(flags[mode]);
