// Hostile git servers on loopback, plain Node http: each speaks just enough smart-HTTP to reach
// the part of the protocol it breaks. start(mode) returns { url(name), stop(), stats }.
//   garbage         /info/refs answers 200 with random bytes
//   huge-refs       an endless ref advertisement (valid pkt-lines, one ref each), as fast as the
//                   socket takes it
//   endless-pack    a valid advertisement, then a pack that never ends: a blob object announced
//                   as 64 GiB, deflated as an endless run of stored blocks
//   redirect        every request answers 302 to `location(path)`
import http from 'node:http';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { listenOnLoopback } from './servers.mjs';

const oid = '0123456789abcdef0123456789abcdef01234567';
const pkt = (text) => {
  const body = Buffer.isBuffer(text) ? text : Buffer.from(text);
  return Buffer.concat([Buffer.from((body.length + 4).toString(16).padStart(4, '0')), body]);
};
const flush = Buffer.from('0000');

function advertisement() {
  return Buffer.concat([
    pkt('# service=git-upload-pack\n'),
    flush,
    pkt(`${oid} HEAD\0side-band-64k ofs-delta symref=HEAD:refs/heads/main agent=git/bad-server\n`),
    pkt(`${oid} refs/heads/main\n`),
    flush,
  ]);
}

// Pack: "PACK", version 2, one object; a blob whose header claims 64 GiB; zlib stream of stored
// (uncompressed) blocks that never ends.
function packStart() {
  const header = Buffer.alloc(12);
  header.write('PACK', 0);
  header.writeUInt32BE(2, 4);
  header.writeUInt32BE(1, 8);
  // Object header: type 3 (blob), size 2^36 as a varint (low 4 bits, then 7 per byte).
  let size = 2 ** 36;
  const bytes = [0x80 | (3 << 4) | (size % 16)];
  size = Math.floor(size / 16);
  while (size > 0) {
    const more = size >= 128;
    bytes.push((more ? 0x80 : 0) | (size % 128));
    size = Math.floor(size / 128);
  }
  return Buffer.concat([header, Buffer.from(bytes), Buffer.from([0x78, 0x01])]);
}
const storedBlock = (() => {
  const len = 32 * 1024;
  const block = Buffer.alloc(5 + len, 0x61);
  block[0] = 0x00; // not final, stored
  block.writeUInt16LE(len, 1);
  block.writeUInt16LE(~len & 0xffff, 3);
  return block;
})();
const band1 = (data) => pkt(Buffer.concat([Buffer.from([1]), data]));

export async function startBadGitServer(mode, { location } = {}) {
  const stats = { requests: 0, bytesSent: 0 };
  const send = (res, data) => {
    stats.bytesSent += data.length;
    return res.write(data);
  };
  // Writes chunks from `next()` until the client goes away.
  const stream = async (res, next) => {
    let closed = false;
    res.on('close', () => (closed = true));
    while (!closed) {
      if (!send(res, next())) await once(res, 'drain').catch(() => {});
    }
  };
  const server = http.createServer((req, res) => {
    stats.requests++;
    req.resume();
    const url = new URL(req.url, 'http://localhost');
    if (mode === 'redirect') {
      res.writeHead(302, { Location: location(url.pathname + url.search) });
      return res.end();
    }
    if (mode === 'garbage') {
      res.writeHead(200, { 'Content-Type': 'application/x-git-upload-pack-advertisement' });
      send(res, randomBytes(64 * 1024));
      return res.end();
    }
    if (url.pathname.endsWith('/info/refs')) {
      res.writeHead(200, { 'Content-Type': 'application/x-git-upload-pack-advertisement', 'Cache-Control': 'no-cache' });
      if (mode === 'huge-refs') {
        send(res, Buffer.concat([pkt('# service=git-upload-pack\n'), flush, pkt(`${oid} HEAD\0side-band-64k\n`)]));
        let n = 0;
        const batch = () => Buffer.concat(Array.from({ length: 256 }, () => pkt(`${oid} refs/heads/branch-${n++}-${'x'.repeat(40)}\n`)));
        return void stream(res, batch);
      }
      send(res, advertisement());
      return res.end();
    }
    if (url.pathname.endsWith('/git-upload-pack') && mode === 'endless-pack') {
      res.writeHead(200, { 'Content-Type': 'application/x-git-upload-pack-result', 'Cache-Control': 'no-cache' });
      send(res, Buffer.concat([pkt('NAK\n'), band1(packStart())]));
      return void stream(res, () => band1(storedBlock));
    }
    res.writeHead(404);
    res.end();
  });
  const { port, destroyConnections } = await listenOnLoopback(server);
  return {
    port,
    stats,
    url: (name) => `http://localhost:${port}/${name}.git`,
    async stop() {
      destroyConnections();
      server.close();
      await once(server, 'close').catch(() => {});
    },
  };
}
