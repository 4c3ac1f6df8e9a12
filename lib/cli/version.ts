// spoon-home --version: the package and what it was built and runs with.
import { versions } from '../index';
import { outJson, table } from './output';

export function printVersions(json: boolean): number {
  const v = versions();
  if (json) outJson(v);
  else {
    table([
      ['spoon-home', v.package],
      ['libgit2', v.libgit2],
      // The OpenSSL of this process: HTTPS clones run on it (v.openssl is the same library).
      ['tls', v.tls],
      // The zlib of this process: clones inflate packs with it.
      ['zlib', v.zlib],
      ['napi', String(v.napi)],
      ['node', v.node],
    ]);
  }
  return 0;
}

