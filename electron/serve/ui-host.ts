// Where the UI/control API listens, and which Host headers it answers. On 127.0.0.1 (the default) only
// `127.0.0.1:PORT` / `localhost:PORT` are accepted. A team server (`--ui-host`) also accepts the address it
// is bound to, this machine's own IP addresses at that port, and the public name the admin declared with
// `--ui-public-url`. Any other name is refused: that is what a DNS-rebinding page sends (its own domain,
// now resolving to us), and an attacker can only rebind a name, never make a browser send our IP literal.
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

function hostPort(host: string, port: number | string): string {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return `${isIP(h) === 6 ? `[${h}]` : h}:${port}`;
}

export interface HostOptions {
  bindHost: string;
  port: number;
  publicUrl: string | null;
  /** For tests: the machine's addresses (default: os.networkInterfaces()). */
  interfaceAddresses?: string[];
}

/** Host header values (lower case) the control API answers. */
export function allowedHosts(o: HostOptions): Set<string> {
  const out = new Set<string>([hostPort('127.0.0.1', o.port), hostPort('localhost', o.port)]);
  if (isLoopbackHost(o.bindHost)) {
    out.add(hostPort(o.bindHost, o.port));
  } else {
    out.add(hostPort('::1', o.port));
    const addresses = isWildcardHost(o.bindHost)
      ? o.interfaceAddresses ?? Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((a) => a.address))
      : [o.bindHost];
    for (const a of addresses) out.add(hostPort(a, o.port));
  }
  if (o.publicUrl) {
    const u = new URL(o.publicUrl);
    const port = u.port || (u.protocol === 'https:' ? '443' : '80');
    // A proxy forwards the browser's Host as it was typed: with the port only when it is not the default.
    out.add(u.hostname.toLowerCase());
    out.add(hostPort(u.hostname, port));
  }
  return out;
}

/** Checks `--ui-public-url`: an http(s) origin, nothing after it (the UI is served from its root). */
export function uiPublicUrlProblem(raw: string): string | null {
  let u: URL;
  try { u = new URL(raw); } catch { return `not a URL: "${raw}"`; }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return 'must start with https:// (or http://)';
  if (u.username || u.password) return 'must not carry a user name or password';
  if ((u.pathname !== '/' && u.pathname !== '') || u.search || u.hash) return 'must be an origin only, e.g. https://hooks.team.example';
  return null;
}
