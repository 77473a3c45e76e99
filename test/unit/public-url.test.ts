// The public URL Meta and Twilio are told to call (shared/public-url.ts): a local or private address
// accepted here fails later, far from the cause; a public one refused blocks setup.
import { describe, expect, it } from 'vitest';
import { isLocalHost, isPublicCallback, publicUrlProblem } from '../../shared/public-url';

describe('isLocalHost: this computer or a private network', () => {
  it('local names, in any case, with or without the trailing dot', () => {
    for (const h of ['localhost', 'LocalHost', 'localhost.', 'app.localhost', 'printer.local', 'db.internal', 'A.LOCAL.']) {
      expect(isLocalHost(h), h).toBe(true);
    }
  });

  it('names that only look local are public', () => {
    for (const h of ['localhost.example.com', 'mylocalhost', 'notlocal', 'local.example.com', 'internal.example.com', 'example.com.', 'hooks.example.com']) {
      expect(isLocalHost(h), h).toBe(false);
    }
  });

  it('IPv4 loopback, private, link-local, CGNAT and wildcard ranges, to their edges', () => {
    for (const h of [
      '127.0.0.1', '127.255.255.254', '10.0.0.1', '10.255.255.255', '0.0.0.0', '0.1.2.3', '172.16.0.1', '172.31.255.255',
      '192.168.0.1', '192.168.255.255', '169.254.169.254', '100.64.0.1', '100.127.255.255',
    ]) expect(isLocalHost(h), h).toBe(true);
  });

  it('public IPv4 addresses next to those ranges stay public', () => {
    for (const h of [
      '8.8.8.8', '126.255.255.255', '128.0.0.1', '11.0.0.1', '9.255.255.255', '1.0.0.0', '172.15.255.255', '172.32.0.1',
      '171.16.0.1', '192.167.1.1', '192.169.1.1', '193.168.1.1', '169.253.1.1', '169.255.1.1', '168.254.1.1',
      '100.63.255.255', '100.128.0.1', '101.64.0.1', '16.172.0.1', '168.192.0.1', '254.169.0.1', '64.100.0.1',
    ]) expect(isLocalHost(h), h).toBe(false);
  });

  it('IPv6 loopback, wildcard, unique-local and link-local (bracketed as URL hosts are)', () => {
    for (const h of ['::1', '[::1]', '::', '[::]', 'fc00::1', 'fd12:3456::1', '[fdff::1]', 'fe80::1', 'febf::1', 'fe8::1', 'FE80::1']) {
      expect(isLocalHost(h), h).toBe(true);
    }
  });

  it('public IPv6 addresses stay public', () => {
    for (const h of ['2001:db8::1', '[2606:4700::1111]', 'fec0::1', 'fe00::1', 'fb00::1', 'ff02::1', '2001:fc00::1', '2001:fe80::1', '::2', 'fc000::1']) {
      expect(isLocalHost(h), h).toBe(false);
    }
  });

  it('IPv4-mapped IPv6: dotted or in the hex the URL parser writes', () => {
    for (const h of ['::ffff:127.0.0.1', '::ffff:10.1.2.3', '::ffff:7f00:1', '[::ffff:7f00:1]', '::ffff:c0a8:101', '::ffff:ac10:1', '::ffff:a9fe:a9fe', '::ffff:a00:1']) {
      expect(isLocalHost(h), h).toBe(true);
    }
    for (const h of ['::ffff:8.8.8.8', '::ffff:808:808', '::ffff:ac20:1', '::ffff:1a8:c0a8', '::ffff:808:7f00', '::ffff:ffff:7f00']) {
      expect(isLocalHost(h), h).toBe(false);
    }
  });

  it('what the URL parser gives for a mapped loopback is refused end to end', () => {
    expect(publicUrlProblem('https://[::ffff:127.0.0.1]/')).toMatch(/this computer or a private network/);
  });
});

describe('publicUrlProblem: one sentence saying what is wrong', () => {
  it('a public https URL has no problem', () => {
    expect(publicUrlProblem('https://hooks.example.com')).toBeNull();
    expect(publicUrlProblem('https://abc.ngrok-free.app/webhooks/meta')).toBeNull();
    expect(publicUrlProblem('https://8.8.8.8:8443/')).toBeNull();
  });

  it('not a URL', () => {
    expect(publicUrlProblem('hooks.example.com')).toBe('"hooks.example.com" is not a URL. Use the https address of your tunnel, e.g. https://hooks.example.com.');
  });

  it('http is refused, naming the scheme it got', () => {
    expect(publicUrlProblem('http://hooks.example.com')).toBe('The public URL must start with https:// (Meta only calls https callbacks), got http://.');
    expect(publicUrlProblem('ftp://hooks.example.com')).toMatch(/got ftp:\/\/\.$/);
  });

  it('a local host is refused, naming it', () => {
    expect(publicUrlProblem('https://localhost:5173')).toBe('localhost is this computer or a private network: Meta and Twilio cannot reach it. Start the tunnel, or use your own tunnel\'s public https address.');
    expect(publicUrlProblem('https://192.168.1.20/')).toMatch(/^192\.168\.1\.20 is this computer/);
    expect(publicUrlProblem('https://[::1]/')).toMatch(/^\[::1\] is this computer/);
  });

  it('user name or password in the URL is refused', () => {
    const msg = 'The public URL must not carry a user name or password.';
    expect(publicUrlProblem('https://user@hooks.example.com')).toBe(msg);
    expect(publicUrlProblem('https://:secret@hooks.example.com')).toBe(msg);
    expect(publicUrlProblem('https://user:secret@hooks.example.com')).toBe(msg);
  });
});

describe('isPublicCallback: worth copying into a provider console', () => {
  it('only a public https URL', () => {
    expect(isPublicCallback('https://hooks.example.com/webhooks/meta')).toBe(true);
    for (const u of [null, undefined, '', 'http://hooks.example.com/x', 'https://localhost/x', 'nonsense']) expect(isPublicCallback(u), String(u)).toBe(false);
  });
});
