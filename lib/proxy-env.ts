// Which proxy a clone goes through, read from the environment the way curl (and so git) reads it:
//   - `no_proxy` / `NO_PROXY` first: `*`, or a comma list of names (`example.com` and
//     `.example.com` both cover the name and every subdomain), IP addresses and CIDR ranges;
//   - then the scheme's variable: `https_proxy` or `HTTPS_PROXY` for https, but only the
//     lower-case `http_proxy` for http (curl ignores `HTTP_PROXY`: in a CGI program it can be set
//     by a request header, the "httpoxy" class of bugs);
//   - then `all_proxy` / `ALL_PROXY`.
// Lower case wins where both are set. A proxy without a scheme is http://. Only http:// proxies are
// supported (https through them is tunnelled with CONNECT); anything else is ERR_NOT_CONFIGURED
// rather than a clone that silently goes around the proxy.
import net from 'node:net';
import { HomeNativeError } from './errors';

export type Environment = Readonly<Record<string, string | undefined>>;

function first(env: Environment, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') return value.trim();
  }
  return undefined;
}

/** The URL's host as NO_PROXY compares it: lower case, no brackets, no trailing dot. */
function hostOf(url: URL): string {
  let host = url.hostname.toLowerCase();
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return host.endsWith('.') ? host.slice(0, -1) : host;
}

function inCidr(host: string, entry: string): boolean {
  const [base, bitsText] = entry.split('/');
  const family = net.isIP(host);
  if (family === 0 || net.isIP(base ?? '') !== family) return false;
  const bits = bitsText === undefined ? (family === 4 ? 32 : 128) : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > (family === 4 ? 32 : 128)) return false;
  const list = new net.BlockList();
  try {
    list.addSubnet(base as string, bits, family === 4 ? 'ipv4' : 'ipv6');
  } catch {
    return false;
  }
  return list.check(host, family === 4 ? 'ipv4' : 'ipv6');
}

/** Whether NO_PROXY's value exempts `host`. */
export function bypassesProxy(host: string, noProxy: string): boolean {
  for (const raw of noProxy.split(/[\s,]+/)) {
    let entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    if (entry.startsWith('[') && entry.includes(']')) entry = entry.slice(1, entry.indexOf(']'));
    if (net.isIP(host) !== 0) {
      if (inCidr(host, entry)) return true;
      continue;
    }
    if (entry.startsWith('.')) entry = entry.slice(1);
    if (entry.endsWith('.')) entry = entry.slice(0, -1);
    if (host === entry || host.endsWith(`.${entry}`)) return true;
  }
  return false;
}

/**
 * The proxy URL for cloning `url`, or undefined for a direct connection. Only http(s) URLs go
 * through a proxy (git:// and ssh do not read these variables either).
 */
export function proxyFor(url: string, env: Environment = process.env): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const scheme = parsed.protocol.slice(0, -1).toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') return undefined;
  const noProxy = first(env, 'no_proxy', 'NO_PROXY');
  if (noProxy !== undefined && bypassesProxy(hostOf(parsed), noProxy)) return undefined;
  const schemeVariables = scheme === 'https' ? ['https_proxy', 'HTTPS_PROXY'] : ['http_proxy'];
  const proxy = first(env, ...schemeVariables, 'all_proxy', 'ALL_PROXY');
  if (proxy === undefined) return undefined;
  return normalizeProxy(proxy);
}

function normalizeProxy(value: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  let parsed: URL;
  try {
    parsed = new URL(withScheme);
  } catch {
    throw new HomeNativeError('ERR_NOT_CONFIGURED', 'the proxy in the environment is not a URL');
  }
  if (parsed.protocol !== 'http:') {
    throw new HomeNativeError(
      'ERR_NOT_CONFIGURED',
      `the proxy in the environment is a ${parsed.protocol.slice(0, -1)}:// proxy; only http:// proxies are supported`,
    );
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new HomeNativeError('ERR_NOT_CONFIGURED', 'the proxy in the environment has credentials; proxy authentication is not supported');
  }
  return `http://${parsed.host}`;
}
