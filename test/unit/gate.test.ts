// The trust boundary's limits (electron/core/ingest/gate.ts): who a request is from, how many rejected
// requests each caller may have kept, and the free-disk floor.
import { describe, expect, it } from 'vitest';
import { createDiskGuard, createRateLimiter, sourceAddress } from '../../electron/core/ingest/gate';
import { redactVerifyToken } from '../../shared/redact';
import { csvField, shellQuote } from '../../electron/core/tools/export';

describe('sourceAddress', () => {
  it('believes only the last X-Forwarded-For entry, and only from loopback while the tunnel is online', () => {
    expect(sourceAddress('127.0.0.1', '6.6.6.6, 203.0.113.7', true)).toBe('203.0.113.7');
    expect(sourceAddress('::ffff:127.0.0.1', '2001:db8::1', true)).toBe('2001:db8::1');
    // No tunnel: a local program could write anything there.
    expect(sourceAddress('127.0.0.1', '203.0.113.7', false)).toBe('127.0.0.1');
    // A LAN peer names itself by its socket, whatever it writes.
    expect(sourceAddress('192.168.1.20', '203.0.113.7', true)).toBe('192.168.1.20');
    // Garbage in the header: the socket.
    expect(sourceAddress('127.0.0.1', 'not-an-ip', true)).toBe('127.0.0.1');
  });
});

describe('rate limiter', () => {
  it('allows perMinute rejected requests per source, refills over time, and keeps sources apart', () => {
    let now = 0;
    const l = createRateLimiter({ perMinute: () => 3, clock: () => now });
    expect([l.take('a'), l.take('a'), l.take('a'), l.take('a')]).toEqual([true, true, true, false]);
    expect(l.isOver('a')).toBe(true);
    expect(l.take('b')).toBe(true);
    now += 20_000; // a third of a minute: one more
    expect([l.take('a'), l.take('a')]).toEqual([true, false]);
  });

  it('cannot be grown without bound by a spray of addresses', () => {
    const l = createRateLimiter({ perMinute: () => 1, clock: () => 0, maxSources: 10 });
    for (let i = 0; i < 1000; i++) l.take(`10.0.${i >> 8}.${i & 255}`);
    // The oldest were forgotten: a forgotten source starts with a full bucket again.
    expect(l.take('10.0.0.0')).toBe(true);
  });
});

describe('disk guard', () => {
  it('is low under the floor, re-checking at most every interval', () => {
    let now = 0;
    let free = 10_000;
    const g = createDiskGuard({ dir: '/', floorBytes: () => 5_000, clock: () => now, everyMs: 1000, free: () => free });
    expect(g.low()).toBe(false);
    free = 100;
    expect(g.low()).toBe(false); // cached
    now += 1000;
    expect(g.low()).toBe(true);
  });
});

describe('what leaves Hookscope', () => {
  it('redacts the verify token in either spelling and keeps the rest of the query', () => {
    expect(redactVerifyToken('hub.mode=subscribe&hub.verify_token=s3cret&hub.challenge=1')).toBe('hub.mode=subscribe&hub.verify_token=%5Bredacted%5D&hub.challenge=1');
    expect(redactVerifyToken('hub_verify_token=s3cret')).not.toContain('s3cret');
    expect(redactVerifyToken('hub%2Everify_token=s3cret')).not.toContain('s3cret');
    expect(redactVerifyToken('a=1')).toBe('a=1');
  });

  it('quotes control characters in cURL copies as escapes, never raw', () => {
    const q = shellQuote('hi\u001b[2J\rrm -rf ~\n\'x\'');
    expect(q).toBe("$'hi\\x1b[2J\\rrm -rf ~\\n\\'x\\''");
    // eslint-disable-next-line no-control-regex
    expect(/[\u0000-\u001f]/.test(q)).toBe(false);
    expect(shellQuote('plain text')).toBe("'plain text'");
  });

  it('CSV guard: quotes `;` for semicolon locales and sees formulas behind blanks', () => {
    expect(csvField('x;=HYPERLINK("http://evil")')).toBe('"x;=HYPERLINK(""http://evil"")"');
    expect(csvField('  =1+1')).toBe("'  =1+1");
    expect(csvField('\uff1dcmd')).toBe("'\uff1dcmd");
  });
});
