// A loopback HTTP server that speaks the part of Convex's wire protocol the real
// ConvexHttpClient (convex/browser, 1.48) uses for actions, as read from its source
// (dist/cjs/browser/http_client.js):
//   request:  POST {url}/api/action, headers `Content-Type: application/json` and
//             `Convex-Client: npm-<version>`, body
//             { path: 'module:function', format: 'convex_encoded_json', args: [ <args object> ] }
//   answers:  200 { status: 'success', value, logLines }        -> resolves jsonToConvex(value)
//             560 { status: 'error', errorMessage, errorData? }  -> throws Error / ConvexError
//             any other non-OK status                             -> throws Error(<body text>)
// Each test sets what the next answers are; every request is recorded for assertions.
import http from 'node:http';

/** Answers, by kind. `respond(req, res, body)` gets the parsed request body. */
export const answers = {
  success: (value, logLines = []) => (_req, res) => sendJson(res, 200, { status: 'success', value, logLines }),
  functionError: (errorMessage, errorData, logLines = []) => (_req, res) =>
    sendJson(res, 560, { status: 'error', errorMessage, ...(errorData !== undefined && { errorData }), logLines }),
  http: (status, text) => (_req, res) => {
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(text);
  },
  /** Never answers: the client's timeout must end the call. */
  hang: () => () => undefined,
  /** Sends the headers of a success, then never the body. */
  hangAfterHeaders: () => (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.flushHeaders();
  },
  raw: (status, body) => (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(body);
  },
};

function sendJson(res, status, payload) {
  const body = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * Starts the server on 127.0.0.1 with an ephemeral port. `answer` is used for every request
 * until `server.answer` is reassigned.
 */
export async function startConvexServer(answer = answers.success(null)) {
  const requests = [];
  const sockets = new Set();
  const state = { answer };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body;
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
      requests.push({ method: req.method, url: req.url, headers: req.headers, body });
      if (req.method !== 'POST' || req.url !== '/api/action') {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end(`no route for ${req.method} ${req.url}`);
        return;
      }
      state.answer(req, res, body);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    set answer(next) {
      state.answer = next;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
