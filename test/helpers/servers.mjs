// Real git servers on loopback for the clone tests and benchmarks. Each start function returns
// an object whose stop() ends everything it started (processes, sockets).
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

// Where git keeps its helper programs differs (Debian /usr/lib/git-core, Alpine /usr/libexec/git-core).
const httpBackend = path.join(execFileSync('git', ['--exec-path'], { encoding: 'utf8' }).trim(), 'git-http-backend');

/** Listens on a free loopback port and keeps every connection, so that a stop can cut them all. */
export async function listenOnLoopback(server) {
  const sockets = new Set();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: server.address().port,
    destroyConnections: () => {
      for (const socket of sockets) socket.destroy();
    },
  };
}

/**
 * Smart HTTP(S): git http-backend as a CGI behind a Node server.
 * options.tls        { key, cert } PEM: serve HTTPS; `cert` may hold the leaf followed by the
 *                    intermediates the server sends (makeTlsChain)
 * options.urlHost    the host url() puts in URLs: 'localhost' (default) or '127.0.0.1' (the
 *                    server listens on 127.0.0.1 either way)
 * options.throttle   { chunkBytes, delayMs }: trickle every response body
 * options.stallMs    wait this long before answering any request
 * options.dieAfterBytes  destroy the connection after this many bytes of an upload-pack response
 * options.truncateAfterBytes  end the upload-pack response cleanly after this many bytes (a pack
 *                    cut short, but no connection error)
 * options.basicAuth  { username, password }: every request without exactly these as HTTP Basic
 *                    credentials gets 401 (counted in stats.unauthorized)
 * options.env        extra environment for git http-backend and the upload-pack it runs (e.g.
 *                    GIT_CONFIG_COUNT/KEY/VALUE: configuration at the command line's level)
 */
export async function startHttpGitServer(root, options = {}) {
  const children = new Set();
  let stopped = false;
  const stats = { requests: 0, bytesSent: 0, unauthorized: 0, authorizations: [] };
  const expectedAuth = options.basicAuth
    ? `Basic ${Buffer.from(`${options.basicAuth.username}:${options.basicAuth.password}`).toString('base64')}`
    : undefined;

  const handler = (req, res) => {
    stats.requests++;
    if (expectedAuth !== undefined) {
      if (req.headers.authorization) stats.authorizations.push(req.headers.authorization);
      if (req.headers.authorization !== expectedAuth) {
        stats.unauthorized++;
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' }).end('authentication required\n');
        return;
      }
    }

    const url = new URL(req.url, 'http://localhost');
    const run = () => {
      if (stopped) return res.destroy();
      const child = spawn(httpBackend, [], {
        env: {
          PATH: process.env.PATH,
          GIT_PROJECT_ROOT: root,
          GIT_HTTP_EXPORT_ALL: '1',
          GIT_CONFIG_NOSYSTEM: '1',
          GIT_CONFIG_GLOBAL: '/dev/null',
          REQUEST_METHOD: req.method,
          PATH_INFO: decodeURIComponent(url.pathname),
          QUERY_STRING: url.search.slice(1),
          CONTENT_TYPE: req.headers['content-type'] ?? '',
          REMOTE_ADDR: '127.0.0.1',
          ...(req.headers['content-encoding'] && { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] }),
          ...(req.headers['git-protocol'] && { GIT_PROTOCOL: req.headers['git-protocol'] }),
          ...options.env,
        },
        stdio: ['pipe', 'pipe', 'ignore'],
      });
      children.add(child);
      child.on('exit', () => children.delete(child));
      child.on('error', () => res.destroy());
      req.pipe(child.stdin);
      child.stdin.on('error', () => {});
      let header = Buffer.alloc(0);
      let headersDone = false;
      let sentBody = 0;
      const isPack = url.pathname.endsWith('/git-upload-pack');
      const queue = [];
      let draining = false;
      let ended = false;
      const pump = async () => {
        if (draining) return;
        draining = true;
        while (queue.length) {
          let chunk = queue.shift();
          if (options.throttle) {
            for (let i = 0; i < chunk.length; i += options.throttle.chunkBytes) {
              if (res.destroyed) return;
              res.write(chunk.subarray(i, i + options.throttle.chunkBytes));
              stats.bytesSent += Math.min(options.throttle.chunkBytes, chunk.length - i);
              await sleep(options.throttle.delayMs);
            }
            continue;
          }
          if (isPack && options.dieAfterBytes !== undefined && sentBody + chunk.length > options.dieAfterBytes) {
            chunk = chunk.subarray(0, Math.max(0, options.dieAfterBytes - sentBody));
            res.write(chunk);
            res.socket?.destroy();
            child.kill();
            return;
          }
          if (isPack && options.truncateAfterBytes !== undefined && sentBody + chunk.length > options.truncateAfterBytes) {
            chunk = chunk.subarray(0, Math.max(0, options.truncateAfterBytes - sentBody));
            res.end(chunk);
            child.kill();
            return;
          }
          sentBody += chunk.length;
          stats.bytesSent += chunk.length;
          if (!res.write(chunk)) await once(res, 'drain').catch(() => {});
        }
        draining = false;
        if (ended && !res.destroyed) res.end();
      };
      child.stdout.on('data', (data) => {
        if (headersDone) {
          queue.push(data);
          return void pump();
        }
        header = Buffer.concat([header, data]);
        let end = header.indexOf('\r\n\r\n');
        let sepLength = 4;
        if (end < 0) {
          end = header.indexOf('\n\n');
          sepLength = 2;
        }
        if (end < 0) return;
        headersDone = true;
        let status = 200;
        for (const line of header.subarray(0, end).toString('latin1').split(/\r?\n/)) {
          const colon = line.indexOf(':');
          if (colon < 0) continue;
          const name = line.slice(0, colon).trim();
          const value = line.slice(colon + 1).trim();
          if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
          else res.setHeader(name, value);
        }
        res.writeHead(status);
        const rest = header.subarray(end + sepLength);
        if (rest.length) queue.push(rest);
        void pump();
      });
      child.stdout.on('end', () => {
        ended = true;
        if (!headersDone) res.writeHead(502).end();
        else void pump();
      });
    };
    if (options.stallMs) setTimeout(run, options.stallMs);
    else run();
  };

  const server = options.tls ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, handler) : http.createServer(handler);
  const { port, destroyConnections } = await listenOnLoopback(server);
  const scheme = options.tls ? 'https' : 'http';
  return {
    port,
    stats,
    /** URL of `<root>/<name>.git`; `userinfo` ('user:token') is put into the URL as given. */
    url: (name, userinfo) => `${scheme}://${userinfo ? `${userinfo}@` : ''}${options.urlHost ?? 'localhost'}:${port}/${name}.git`,
    async stop() {
      stopped = true;
      for (const child of children) child.kill('SIGKILL');
      destroyConnections();
      server.close();
      await once(server, 'close').catch(() => {});
    },
  };
}

async function freePort() {
  const probe = net.createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address();
  probe.close();
  await once(probe, 'close');
  return port;
}

async function waitForPort(port, child, deadlineMs = 10000) {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) return false;
    const ok = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return true;
    await sleep(20);
  }
  return false;
}

/** `git daemon` exporting every repository under `root` (git://localhost:PORT/<name>.git). */
export async function startGitDaemon(root) {
  // git daemon cannot report the port it picked for --port=0: pick a free one, retry on a race.
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const child = spawn(
      'git',
      ['daemon', '--export-all', '--reuseaddr', `--base-path=${root}`, '--listen=127.0.0.1', `--port=${port}`, root],
      { stdio: 'ignore', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' } },
    );
    if (await waitForPort(port, child)) {
      return {
        port,
        url: (name) => `git://localhost:${port}/${name}.git`,
        async stop() {
          if (child.exitCode === null) {
            child.kill('SIGTERM');
            await once(child, 'exit');
          }
        },
      };
    }
    child.kill('SIGKILL');
  }
  throw new Error('git daemon did not start');
}

/** A CA and a server certificate for `localhost`, made with the openssl CLI in `dir`. */
export function makeTlsFiles(dir) {
  const p = (name) => path.join(dir, name);
  const ossl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ossl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('ca.key'), '-out', p('ca.pem'), '-days', '2', '-subj', '/CN=home-native test CA');
  ossl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('server.key'), '-out', p('server.csr'), '-subj', '/CN=localhost');
  execFileSync('sh', ['-c', 'printf "subjectAltName=DNS:localhost\\nbasicConstraints=CA:FALSE\\nextendedKeyUsage=serverAuth\\n" > ext.cnf'], { cwd: dir });
  ossl('x509', '-req', '-in', p('server.csr'), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial', '-out', p('server.pem'), '-days', '2', '-extfile', p('ext.cnf'));
  return { caFile: p('ca.pem'), key: readFileSync(p('server.key')), cert: readFileSync(p('server.pem')) };
}

/**
 * A root CA, an intermediate CA it signed, and leaf certificates that the intermediate signs, made
 * with the openssl CLI in `dir` (P-256 keys: fast to make). `leaf(name, { san, expired })` makes
 * one leaf: `san` its subjectAltName (default DNS:localhost), `expired` valid only in 2020; it
 * returns { key, cert, chain }: `cert` the leaf alone, `chain` the leaf then the intermediate (what
 * a server should send), all PEM.
 */
export function makeTlsChain(dir, label = 'chain') {
  const p = (name) => path.join(dir, name);
  const ossl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const write = (name, text) => writeFileSync(p(name), text);
  ossl('req', '-x509', ...ec, '-keyout', p('root.key'), '-out', p('root.pem'), '-days', '2', '-subj', `/CN=home-native ${label} root`);
  ossl('req', ...ec, '-keyout', p('intermediate.key'), '-out', p('intermediate.csr'), '-subj', `/CN=home-native ${label} intermediate`);
  write('intermediate.ext', 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n');
  ossl('x509', '-req', '-in', p('intermediate.csr'), '-CA', p('root.pem'), '-CAkey', p('root.key'), '-CAcreateserial',
    '-out', p('intermediate.pem'), '-days', '2', '-extfile', p('intermediate.ext'));
  // `openssl ca` for the leaves: the only command of OpenSSL 3.0 that sets arbitrary dates.
  write('index.txt', '');
  write('ca.cnf', [
    '[ca]', 'default_ca = leaves', '[leaves]', 'database = index.txt', 'new_certs_dir = .', 'serial = leaf.srl',
    'default_md = sha256', 'policy = any', 'unique_subject = no', '[any]', 'commonName = supplied', '',
  ].join('\n'));
  write('leaf.srl', '1000\n');
  const intermediate = readFileSync(p('intermediate.pem'), 'utf8');
  let leaves = 0;
  return {
    rootFile: p('root.pem'),
    intermediateFile: p('intermediate.pem'),
    leaf(name, { san = 'DNS:localhost', expired = false } = {}) {
      const base = `leaf-${leaves++}-${name}`;
      ossl('req', ...ec, '-keyout', p(`${base}.key`), '-out', p(`${base}.csr`), '-subj', `/CN=${name}`);
      write(`${base}.ext`, `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
      const dates = expired ? ['-startdate', '20200101000000Z', '-enddate', '20200102000000Z'] : ['-days', '2'];
      ossl('ca', '-batch', '-notext', '-config', p('ca.cnf'), '-cert', p('intermediate.pem'), '-keyfile', p('intermediate.key'),
        '-in', p(`${base}.csr`), '-out', p(`${base}.pem`), '-extfile', p(`${base}.ext`), ...dates);
      const cert = readFileSync(p(`${base}.pem`), 'utf8');
      return { key: readFileSync(p(`${base}.key`)), cert, chain: cert + intermediate };
    },
  };
}
