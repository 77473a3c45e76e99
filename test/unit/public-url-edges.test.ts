// The edges of shared/public-url.ts a mutation run found unpinned (docs/mutation.md): a public address
// that merely contains a local one is public, and a local one written with longer octets is still local.
// Refusing a public URL blocks setup; accepting a local one fails later, far from the cause.
import { describe, expect, it } from 'vitest';
import { isLocalHost, publicUrlProblem } from '../../shared/public-url';

describe('an address that contains a local one is not local', () => {
  it('IPv6 addresses that only end or start like an IPv4-mapped loopback are public', () => {
    // 1::ffff:7f00:1 and ::ffff:7f00:1:2 are eight-group addresses, not ::ffff:127.0.0.1.
    for (const h of ['1::ffff:127.0.0.1', '1::ffff:7f00:1', '[1::ffff:7f00:1]', '::ffff:7f00:1:2', '[::ffff:7f00:1:2]']) {
      expect(isLocalHost(h), h).toBe(false);
    }
    expect(publicUrlProblem('https://[1::ffff:7f00:1]/')).toBeNull();
    expect(publicUrlProblem('https://[::ffff:7f00:1:2]/')).toBeNull();
  });

  it('a DNS name that starts with private-address digits is a name, not the address', () => {
    expect(isLocalHost('10.0.0.1.example.com')).toBe(false);
    expect(publicUrlProblem('https://10.0.0.1.example.com/hook')).toBeNull();
  });

  it('only the brackets around an IPv6 literal are removed, not brackets inside a name', () => {
    expect(isLocalHost('local[host')).toBe(false);
    expect(isLocalHost('local]host')).toBe(false);
  });

  it('an empty host is not called local (the URL parser refuses it before)', () => {
    expect(isLocalHost('')).toBe(false);
  });
});

describe('an IPv4-mapped address with multi-digit octets is still read', () => {
  it('::ffff: followed by a private address of long octets is local; a public one is not', () => {
    expect(isLocalHost('::ffff:192.168.10.20')).toBe(true);
    expect(isLocalHost('::ffff:172.16.100.200')).toBe(true);
    expect(isLocalHost('::ffff:203.0.113.200')).toBe(false);
  });
});
