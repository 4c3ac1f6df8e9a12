// A read-only smart-HTTP git server on loopback: node's http server in front of
// `git http-backend` (CGI, see git-http-backend(1)). Used by the demo; one CGI process per request.
import { spawn } from 'node:child_process';
import http from 'node:http';

/** CGI answers start with headers up to a blank line; `Status:` carries the HTTP status. */
function parseCgiHead(head) {
  const headers = {};
  let status = 200;
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 500;
    else headers[name] = value;
  }
  return { status, headers };
}

function handle(projectRoot, req, res) {
  const url = new URL(req.url ?? '/', 'http://localhost');
  // Fetches only: a push (git-receive-pack) is refused before git sees it.
  if ((req.method !== 'GET' && req.method !== 'POST') || url.pathname.endsWith('/git-receive-pack') || url.searchParams.get('service') === 'git-receive-pack') {
    res.writeHead(403).end('read-only\n');
    return;
  }
  const cgi = spawn('git', ['http-backend'], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      GIT_PROJECT_ROOT: projectRoot,
      GIT_HTTP_EXPORT_ALL: '1',
      REQUEST_METHOD: req.method,
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
      // Protocol v2 and gzip-compressed requests are negotiated through these.
      ...(req.headers['git-protocol'] && { GIT_PROTOCOL: String(req.headers['git-protocol']) }),
      ...(req.headers['content-encoding'] && { HTTP_CONTENT_ENCODING: String(req.headers['content-encoding']) }),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  req.pipe(cgi.stdin);
  let buffered = Buffer.alloc(0);
  let headSent = false;
  cgi.stdout.on('data', (chunk) => {
    if (headSent) {
      res.write(chunk);
      return;
    }
    buffered = Buffer.concat([buffered, chunk]);
    const end = buffered.indexOf('\r\n\r\n');
    const endLf = buffered.indexOf('\n\n');
    const cut = end >= 0 ? end + 4 : endLf >= 0 ? endLf + 2 : -1;
    if (cut < 0) return;
    const { status, headers } = parseCgiHead(buffered.subarray(0, cut).toString('latin1'));
    res.writeHead(status, headers);
    res.write(buffered.subarray(cut));
    headSent = true;
  });
  let stderr = '';
  cgi.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  cgi.on('close', (code) => {
    if (!headSent) res.writeHead(500).end(`git http-backend failed (${code}): ${stderr}`);
    else res.end();
  });
  cgi.on('error', (error) => {
    if (!headSent) res.writeHead(500).end(String(error));
  });
}

/** Serves the repositories below `projectRoot` at http://127.0.0.1:<port>/<name>.git. */
export async function startGitHttpServer(projectRoot) {
  const sockets = new Set();
  const requests = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    handle(projectRoot, req, res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
