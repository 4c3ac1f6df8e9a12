// Prints the `openssl/` header directory that the static libgit2 is compiled against: the one of
// the OpenSSL this Node process exports to addons (scripts/node-headers.mjs says how it is found).
import { opensslHeaderDir } from '../node-headers.mjs';

try {
  process.stdout.write(`${opensslHeaderDir()}\n`);
} catch (error) {
  process.stderr.write(`openssl-headers: ${error.message}\n`);
  process.exit(1);
}
