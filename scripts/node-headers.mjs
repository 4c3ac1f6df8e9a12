// Where this Node's headers are, so node-gyp does not download them: distribution builds of Node
// (Debian, NodeSource) and the official tarballs install them beside the binary. Shared by
// build.mjs, prebuild.mjs and scripts/libgit2/openssl-headers.mjs.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The prefix to pass as node-gyp's --nodedir, or null when the headers there are not this Node's. */
export function localNodeDir() {
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  const versionHeader = path.join(prefix, 'include', 'node', 'node_version.h');
  if (!existsSync(versionHeader)) return null;
  const text = readFileSync(versionHeader, 'utf8');
  const part = (name) => text.match(new RegExp(`#define NODE_${name}_VERSION (\\d+)`))?.[1];
  const version = `v${part('MAJOR')}.${part('MINOR')}.${part('PATCH')}`;
  return version === process.version ? prefix : null;
}

/** The node-gyp --nodedir the builds use: npm's setting, else the headers beside this Node. */
export function nodeDir() {
  return process.env.npm_config_nodedir || localNodeDir();
}

/**
 * The `openssl/` header directory of the OpenSSL that addons bind from this Node process.
 * A Node with its own OpenSSL (the official builds, NodeSource) ships its headers in
 * <nodedir>/include/node/openssl, with each architecture's configuration under archs/ picked by
 * the compiler's predefined macros (so a cross-compiler picks its own); a Node linked with the
 * system's libssl (Debian's nodejs: node_shared_openssl) uses that library, and so its headers.
 * Throws with what to do when neither is there.
 */
export function opensslHeaderDir() {
  if (process.config.variables.node_shared_openssl) {
    for (const dir of ['/usr/include/openssl', '/usr/local/include/openssl']) {
      if (existsSync(path.join(dir, 'opensslv.h'))) return dir;
    }
    throw new Error("this Node links the system's OpenSSL, whose headers are missing (Debian: apt-get install libssl-dev)");
  }
  const dir = nodeDir();
  const headers = dir && path.join(dir, 'include', 'node', 'openssl');
  if (headers && existsSync(path.join(headers, 'opensslv.h'))) return headers;
  throw new Error(
    `no OpenSSL headers for Node ${process.version} ${dir ? `in ${headers}` : 'beside it'}: ` +
      'set npm_config_nodedir to a directory with include/node/openssl (an unpacked node-*-headers.tar.gz)',
  );
}
