// Where this Node's headers are, so node-gyp does not download them: distribution builds of Node
// (Debian, NodeSource) install them beside the binary. Shared by build.mjs and prebuild.mjs.
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
