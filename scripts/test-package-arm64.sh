#!/usr/bin/env bash
# The package test for linux-arm64, on an x64 machine: cross-build the arm64 prebuild
# (`node scripts/prebuild.mjs --arch arm64`), check its ELF header and dynamic section, then pack
# the package and install the tarball with `npm install --ignore-scripts` into an empty project
# inside an arm64 Debian root, and run test/package/probe.mjs there under qemu-user emulation
# (binfmt_misc): load, versions(), writeHomeFiles against a planted directory symlink, a hardlink
# and a fifo, clones over loopback HTTP and HTTPS (a test CA), a whole materializeUserHome. The
# report is checked on the host with the x64 package test's own checks (test/package/report.mjs).
#
# The arm64 root (trixie: nodejs, npm, git, ca-certificates, openssl; mmdebstrap) is made once
# and kept outside the checkout, in $HOME_NATIVE_ARM64_ROOT_CACHE (default
# /var/cache/home-native), under a name carrying its version: change root_version below to make
# a new one. The package's dependencies come from the npm registry, fetched by npm in the root.
#
# Skips (exit 0, saying why) when not root or when this machine cannot run aarch64 binaries
# through binfmt_misc; installs qemu-user-static, binfmt-support and mmdebstrap through apt when
# missing.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
started=$(date +%s)
log() { echo "test-package-arm64: $*" >&2; }
skip() { echo "test-package-arm64: SKIPPED: $*"; exit 0; }
elapsed() { echo $(( $(date +%s) - $1 )); }

[[ $(id -u) -eq 0 ]] || skip "needs root (apt, mmdebstrap, chroot and its mounts)"

# --- emulation ---
want=()
for pkg in qemu-user-static binfmt-support mmdebstrap; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || want+=("$pkg")
done
if ((${#want[@]})); then
  log "installing ${want[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -qq "${want[@]}" >/dev/null; then
    apt-get update -qq >/dev/null || true
    apt-get install -y -qq "${want[@]}" >/dev/null || skip "could not install ${want[*]}"
  fi
fi
binfmt=/proc/sys/fs/binfmt_misc
if [[ ! -e $binfmt/status ]]; then
  mount -t binfmt_misc binfmt_misc "$binfmt" 2>/dev/null || skip "binfmt_misc is not mounted and cannot be mounted here"
fi
if ! grep -qx enabled "$binfmt/qemu-aarch64" 2>/dev/null; then
  update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || true
fi
grep -qx enabled "$binfmt/qemu-aarch64" 2>/dev/null || skip "no enabled qemu-aarch64 entry in $binfmt"
# F (fix binary): the interpreter is opened when registered, so it works inside a chroot that
# has no qemu of its own.
grep -qE '^flags: .*F' "$binfmt/qemu-aarch64" || skip "the qemu-aarch64 binfmt entry lacks the F flag (needed in a chroot)"

# --- the prebuild ---
bash scripts/bootstrap.sh
node scripts/prebuild.mjs --arch arm64
prebuild_dir=prebuilds/linux-arm64
mapfile -t prebuilds < <(cd "$prebuild_dir" && ls -- *.node)
((${#prebuilds[@]} == 1)) || { log "expected one prebuild in $prebuild_dir, found: ${prebuilds[*]:-none}"; exit 1; }
prebuild=$prebuild_dir/${prebuilds[0]}
[[ ${prebuilds[0]} == @spoon+home-native.glibc.node ]] || { log "unexpected prebuild name: $prebuild"; exit 1; }
file "$prebuild"
file -b "$prebuild" | grep -q 'ELF 64-bit LSB shared object, ARM aarch64' || { log "$prebuild is not an aarch64 shared object"; exit 1; }
dynamic=$(aarch64-linux-gnu-readelf -d "$prebuild")
echo "$dynamic" | grep NEEDED
needed=$(echo "$dynamic" | sed -nE 's/.*\(NEEDED\).*\[(.*)\]/\1/p')
unexpected=$(echo "$needed" | grep -vE '^(libc\.so\.6|libm\.so\.6|libpthread\.so\.0|libdl\.so\.2|libstdc\+\+\.so\.6|libgcc_s\.so\.1|ld-linux-aarch64\.so\.1)$' || true)
[[ -z $unexpected ]] || { log "unexpected dynamic dependencies (libgit2, zlib and OpenSSL must not be among them): $unexpected"; exit 1; }
echo "$dynamic" | grep -qE '\(FLAGS\).*BIND_NOW|\(FLAGS_1\).*NOW' || { log "$prebuild is not linked with -z now"; exit 1; }
ssl_undefined=$(aarch64-linux-gnu-nm -D --undefined-only "$prebuild" | grep -c ' U SSL_' || true)
((ssl_undefined >= 10)) || { log "expected the SSL_* references left to the process, found $ssl_undefined"; exit 1; }
zlib_undefined=$(aarch64-linux-gnu-nm -D --undefined-only "$prebuild" | grep -c ' U inflate$' || true)
((zlib_undefined == 1)) || { log "expected zlib's inflate left to the process"; exit 1; }
libgit2_version=$(ls deps/src | sed -nE 's/^libgit2-([0-9]+\.[0-9]+\.[0-9]+).*/\1/p' | head -n1)

# --- the arm64 root, made once ---
root_version=trixie-nodejs-npm-git-1
cache=${HOME_NATIVE_ARM64_ROOT_CACHE:-/var/cache/home-native}
root=$cache/arm64-root-$root_version
if [[ ! -x $root/usr/bin/node ]]; then
  mkdir -p "$cache"
  rm -rf "$root.partial"
  log "making the arm64 root $root (once; about ten minutes under emulation on two cores)"
  made=$(date +%s)
  mmdebstrap --quiet --arch=arm64 --variant=apt --include=nodejs,npm,git,ca-certificates,openssl \
    trixie "$root.partial" http://deb.debian.org/debian
  mv "$root.partial" "$root"
  log "the root took $(elapsed "$made") s, $(du -sxh "$root" | cut -f1)"
fi
chroot "$root" /bin/true 2>/dev/null || skip "aarch64 binaries do not run in $root (binfmt_misc / qemu)"
log "root: $root (Node $(chroot "$root" /usr/bin/node --version), npm $(chroot "$root" /usr/bin/npm --version 2>/dev/null))"

# --- pack, install and probe inside the root ---
work=$(mktemp -d "$root/tmp/home-native-test.XXXXXX")
inside=/tmp/$(basename "$work")
mounted=()
cleanup() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" 2>/dev/null || log "could not unmount ${mounted[i]}"
  done
  rm -rf "$work"
}
trap cleanup EXIT
mount_in() { # type-or-bind source target
  mkdir -p "$root/$3"
  if [[ $1 == bind ]]; then mount --bind "$2" "$root/$3" || return 1; else mount -t "$1" "$2" "$root/$3" || return 1; fi
  mounted+=("$root/$3")
}
mount_in proc proc /proc
mount_in sysfs sysfs /sys
mount_in bind /dev /dev
mount_in bind /dev/pts /dev/pts || log "no /dev/pts in the root (not needed by the probe)"
cp -L /etc/resolv.conf "$root/etc/resolv.conf"

# A user's environment: none of the npm_* variables of an `npm run` that may have started us.
unset_npm=(); for name in $(compgen -e | grep '^npm_' || true); do unset_npm+=(-u "$name"); done
tarball=$(env "${unset_npm[@]}" npm pack --silent --pack-destination "$work" | tail -n1)
tar -tzf "$work/$tarball" | grep -x "package/$prebuild" >/dev/null || { log "$prebuild is not in $tarball"; exit 1; }
mkdir -p "$work/test/package" "$work/project" "$work/scratch"
cp test/package/probe.mjs "$work/test/package/"
cp -r test/helpers "$work/test/"
echo '{ "name": "probe", "version": "1.0.0", "private": true }' >"$work/project/package.json"
in_root() { # command [VAR=value...]
  local command=$1
  shift
  chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 "$@" \
    /bin/sh -c "cd '$inside/project' && $command"
}
# npm in the root reaches the registry as npm here does: this machine's trust store (a registry
# behind a proxy with a local CA) and proxy settings. Only npm gets them: the probe runs with the
# root's own store, which must not trust its test CA.
npm_env=()
host_cafile=$(npm config get cafile 2>/dev/null || true)
[[ -f $host_cafile ]] || host_cafile=/etc/ssl/certs/ca-certificates.crt
if [[ -f $host_cafile ]]; then
  cp -L "$host_cafile" "$work/host-ca.crt"
  npm_env+=("npm_config_cafile=$inside/host-ca.crt")
fi
for name in https_proxy HTTPS_PROXY http_proxy HTTP_PROXY no_proxy NO_PROXY; do
  [[ -n ${!name:-} ]] && npm_env+=("$name=${!name}")
done
registry=$(npm config get registry 2>/dev/null || true)
[[ -n $registry ]] && npm_env+=("npm_config_registry=$registry")
installed=$(date +%s)
log "npm install --ignore-scripts $tarball (in the root, emulated)"
in_root "npm install '$inside/$tarball' --ignore-scripts --no-audit --no-fund --loglevel=error" "${npm_env[@]}"
log "installed in $(elapsed "$installed") s; probing"
probed=$(date +%s)
in_root "node '$inside/test/package/probe.mjs' '$inside/scratch'" >"$work/report.json"
log "probe ran in $(elapsed "$probed") s"
node test/package/check-report.mjs "$work/report.json" "$inside/project/node_modules/@spoon/home-native" \
  "$prebuild" "$libgit2_version"
node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1])); console.log(`versions(): ${JSON.stringify(r.versions)}, process OpenSSL ${r.processOpenssl}`)' "$work/report.json"
log "passed in $(elapsed "$started") s"
