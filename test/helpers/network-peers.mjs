// Loopback peers for the network policy's tests: a listener that only counts who connects (on
// 127.0.0.1 and ::1, one port), and a small HTTP proxy that tunnels CONNECT and forwards
// absolute-form requests, recording what it was asked for.
import http from 'node:http';
import net from 'node:net';
import { listenOnLoopback } from './servers.mjs';

/** The loopback networks, for the clones that are meant to reach a test server. */
export const loopback = ['127.0.0.0/8', '::1/128'];

/**
 * Listens on 127.0.0.1 and ::1 at the same port and closes every connection at once; `count()`
 * is how many arrived. `ipv6` is false where this machine has no ::1.
 */
export async function startCountingListener() {
  let connections = 0;
  const servers = [];
  const open = (host, port) =>
    new Promise((resolve, reject) => {
      const server = net.createServer((socket) => {
        connections++;
        socket.destroy();
      });
      server.once('error', reject);
      server.listen(port, host, () => resolve(server));
    });
  for (let attempt = 0; ; attempt++) {
    const v4 = await open('127.0.0.1', 0);
    const port = v4.address().port;
    try {
      servers.push(v4, await open('::1', port));
      break;
    } catch (error) {
      if (error.code === 'EADDRNOTAVAIL' || error.code === 'EAFNOSUPPORT') {
        servers.push(v4);
        break;
      }
      v4.close();
      if (attempt > 20) throw error;
    }
  }
  return {
    port: servers[0].address().port,
    ipv6: servers.length === 2,
    count: () => connections,
    stop: async () => {
      for (const server of servers) server.close();
    },
  };
}

/** An HTTP proxy on loopback: `requests` lists `CONNECT host:port` and `GET http://...` lines. */
export async function startProxy() {
  const requests = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const target = new URL(req.url);
    const upstream = http.request(
      { host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connect', (req, client, head) => {
    requests.push(`CONNECT ${req.url}`);
    const [host, port] = req.url.split(/:(?=\d+$)/);
    const upstream = net.connect(Number(port), host.replace(/^\[|\]$/g, ''), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    const end = () => {
      upstream.destroy();
      client.destroy();
    };
    upstream.on('error', end);
    client.on('error', end);
  });
  const { port, destroyConnections } = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    stop: async () => {
      destroyConnections();
      server.close();
    },
  };
}
