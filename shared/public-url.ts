// Whether a URL can be the address Meta and Twilio call: https, and a host the internet can reach.
// Shared by the core's settings, `serve`'s --public-url flag and the Setup panel, so all three refuse
// the same addresses with the same words. A loopback or private address is this computer (or this
// network) only: pasting it into the provider fails later, far from the cause.

/**
 * The WHATWG URL parser, present in Node, browsers and Electron alike; declared here because shared/
 * compiles without Node or DOM types.
 */
declare const URL: new (input: string) => { protocol: string; hostname: string; username: string; password: string };

/** Hosts that only ever mean this machine or a private network (IPv4 and IPv6 literals, local names). */
export function isLocalHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (h === 'localhost' || h.endsWith('.localhost') || h.endsWith('.local') || h.endsWith('.internal')) return true;
  if (h === '0.0.0.0' || h === '::' || h === '::1') return true;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return a === 127 || a === 10 || a === 0 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)
      || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127);
  }
  if (h.includes(':')) {
    // IPv6: unique-local fc00::/7, link-local fe80::/10, and IPv4-mapped loopback/private.
    if (/^f[cd][0-9a-f]{0,2}:/.test(h) || /^fe[89ab][0-9a-f]?:/.test(h)) return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
    if (mapped) return isLocalHost(mapped[1]);
    // The URL parser writes an IPv4-mapped address in hex (::ffff:7f00:1 for 127.0.0.1).
    const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(h);
    if (hex) {
      const [a, b] = [parseInt(hex[1], 16), parseInt(hex[2], 16)];
      return isLocalHost(`${a >> 8}.${a & 255}.${b >> 8}.${b & 255}`);
    }
  }
  return false;
}

/** Null when `url` can be the public URL; otherwise one sentence saying what is wrong and what to do. */
export function publicUrlProblem(url: string): string | null {
  let u: InstanceType<typeof URL>;
  try { u = new URL(url); } catch { return `"${url}" is not a URL. Use the https address of your tunnel, e.g. https://hooks.example.com.`; }
  if (u.protocol !== 'https:') {
    return `The public URL must start with https:// (Meta only calls https callbacks), got ${u.protocol.replace(/:$/, '')}://.`;
  }
  if (isLocalHost(u.hostname)) {
    return `${u.hostname} is this computer or a private network: Meta and Twilio cannot reach it. Start the tunnel, or use your own tunnel's public https address.`;
  }
  if (u.username || u.password) return 'The public URL must not carry a user name or password.';
  return null;
}

/** Whether a callback URL is worth copying into a provider's console (public https, not this machine). */
export function isPublicCallback(url: string | null | undefined): boolean {
  return !!url && publicUrlProblem(url) === null;
}
